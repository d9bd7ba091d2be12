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


def _imported(node: ast.AST) -> tuple[str, str] | None:
    """For ``__import__("a.b")`` or ``importlib.import_module("a.b")`` with a literal name: the module
    named and the module the call returns (``__import__`` without a fromlist returns the top package)."""
    if not (
        isinstance(node, ast.Call)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return None
    name, func = node.args[0].value, node.func
    if isinstance(func, ast.Name) and func.id == "__import__":
        from_list = len(node.args) > 3 or any(k.arg == "fromlist" for k in node.keywords)
        return name, name if from_list else name.split(".")[0]
    if (isinstance(func, ast.Name) and func.id == "import_module") or (
        isinstance(func, ast.Attribute) and func.attr == "import_module"
    ):
        return name, name
    return None


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in aliases:
        parts.append(aliases[node.id])
        return ".".join(reversed(parts))
    imported = _imported(node)
    if imported and parts:
        parts.append(imported[1])
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
                if a.name == "*":  # binds every public name of the module, the forbidden ones included
                    for name in forbidden:
                        if name.startswith(node.module + "."):
                            first = name[len(node.module) + 1 :].split(".")[0]
                            aliases[first] = f"{node.module}.{first}"
                    continue
                full = f"{node.module}.{a.name}"
                m = _matches(full, forbidden)
                if m:
                    hits.append(Hit(m, node.lineno))
                aliases[a.asname or a.name] = full
        elif isinstance(node, ast.Call) and (imported := _imported(node)):
            m = _matches(imported[0], forbidden)
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
