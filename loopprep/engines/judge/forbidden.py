"""Static check for forbidden names: which dotted names does the code reach, following imports
and aliases (``import numpy as np; np.linalg.inv`` reaches ``numpy.linalg.inv``)?

This is the trusted half of the forbidden-call rule; the sandbox adds runtime tripwires for
what a static read cannot see (``getattr`` with a computed name, say).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Hit:
    name: str  # the forbidden entry that matched
    line: int


def _matches(dotted: str, forbidden: list[str]) -> str | None:
    for name in forbidden:
        if dotted == name or dotted.startswith(name + "."):
            return name
    return None


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in aliases:
        parts.append(aliases[node.id])
        return ".".join(reversed(parts))
    return None


def forbidden_use(tree: ast.AST, forbidden: list[str]) -> Hit | None:
    """The first use of a forbidden name in ``tree`` (an import or an attribute chain), or None."""
    if not forbidden:
        return None
    aliases: dict[str, str] = {}
    hits: list[Hit] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                m = _matches(a.name, forbidden)
                if m:
                    hits.append(Hit(m, node.lineno))
                aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            m = _matches(node.module, forbidden)
            if m:
                hits.append(Hit(m, node.lineno))
            for a in node.names:
                full = f"{node.module}.{a.name}"
                m = _matches(full, forbidden)
                if m:
                    hits.append(Hit(m, node.lineno))
                aliases[a.asname or a.name] = full
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                m = _matches(node.args[0].value, forbidden)
                if m:
                    hits.append(Hit(m, node.lineno))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Attribute, ast.Name)):
            dotted = _dotted(node, aliases) if isinstance(node, ast.Attribute) else aliases.get(node.id)
            if dotted:
                m = _matches(dotted, forbidden)
                if m:
                    hits.append(Hit(m, node.lineno))
    return min(hits, key=lambda h: h.line) if hits else None
