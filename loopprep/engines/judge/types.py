"""The parameter type grammar of ML coding problems.

A problem names each parameter's type so that test arguments, written as YAML values, reach the
submission already converted (a nested list becomes a ``float64`` array, say)::

    int | float | bool | str | any
    ndarray[float64 | float32 | int64 | int32 | bool]
    list[T]    tuple[T, ...]    tuple[T1, T2]    dict[str, T]    T | None

:func:`parse` turns the text into a :class:`TypeSpec`; :func:`check` says whether a YAML value can
be converted to it (the problem loader uses it on every test); :meth:`TypeSpec.wire` is the plain
form the sandbox harness converts by, since the harness imports nothing from loopprep.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

SCALARS = ("int", "float", "bool", "str", "any")
DTYPES = ("float64", "float32", "int64", "int32", "bool")


class TypeSyntaxError(ValueError):
    """The type text does not follow the grammar."""


@dataclass(frozen=True)
class TypeSpec:
    kind: str  # one of SCALARS, "ndarray", "list", "tuple", "dict", "optional"
    dtype: str | None = None
    items: tuple[TypeSpec, ...] = ()
    variadic: bool = False  # tuple[T, ...]

    def wire(self) -> dict:
        """The JSON form the harness reads."""
        out: dict = {"t": self.kind}
        if self.dtype:
            out["dtype"] = self.dtype
        if self.items:
            out["of"] = [i.wire() for i in self.items]
        if self.variadic:
            out["variadic"] = True
        return out

    def __str__(self) -> str:
        if self.kind in SCALARS:
            return self.kind
        if self.kind == "ndarray":
            return f"ndarray[{self.dtype}]"
        if self.kind == "optional":
            return f"{self.items[0]} | None"
        if self.kind == "tuple" and self.variadic:
            return f"tuple[{self.items[0]}, ...]"
        if self.kind == "dict":
            return f"dict[str, {self.items[0]}]"
        return f"{self.kind}[{', '.join(str(i) for i in self.items)}]"


_TOKEN = re.compile(r"\s*(\.\.\.|[A-Za-z_][A-Za-z0-9_]*|[\[\],|])")


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise TypeSyntaxError(f"unexpected character {text[pos]!r} at position {pos} in type {text!r}")
        out.append(m.group(1))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def parse(text: str) -> TypeSpec:
    """Parse a type such as ``list[ndarray[float64]]``; raises TypeSyntaxError naming the problem."""
    toks = _tokens(text)
    if not toks:
        raise TypeSyntaxError("empty type")
    spec, rest = _union(toks, text)
    if rest:
        raise TypeSyntaxError(f"unexpected {rest[0]!r} in type {text!r}")
    return spec


def _union(toks: list[str], text: str) -> tuple[TypeSpec, list[str]]:
    spec, rest = _one(toks, text)
    if rest and rest[0] == "|":
        if len(rest) < 2 or rest[1] != "None":
            raise TypeSyntaxError(f"only 'T | None' unions are supported, in {text!r}")
        return TypeSpec("optional", items=(spec,)), rest[2:]
    return spec, rest


def _expect(toks: list[str], tok: str, text: str) -> list[str]:
    if not toks or toks[0] != tok:
        got = toks[0] if toks else "end of text"
        raise TypeSyntaxError(f"expected {tok!r} but found {got!r} in type {text!r}")
    return toks[1:]


def _one(toks: list[str], text: str) -> tuple[TypeSpec, list[str]]:
    if not toks:
        raise TypeSyntaxError(f"type {text!r} ends too early")
    head, rest = toks[0], toks[1:]
    if head in SCALARS:
        return TypeSpec(head), rest
    if head == "ndarray":
        rest = _expect(rest, "[", text)
        if not rest or rest[0] not in DTYPES:
            raise TypeSyntaxError(f"ndarray needs a dtype, one of {', '.join(DTYPES)}, in {text!r}")
        dtype, rest = rest[0], rest[1:]
        return TypeSpec("ndarray", dtype=dtype), _expect(rest, "]", text)
    if head in ("list", "dict", "tuple"):
        rest = _expect(rest, "[", text)
        if head == "dict":
            rest = _expect(rest, "str", text)
            rest = _expect(rest, ",", text)
        items = []
        variadic = False
        while True:
            item, rest = _union(rest, text)
            items.append(item)
            if rest and rest[0] == ",":
                rest = rest[1:]
                if head == "tuple" and rest and rest[0] == "...":
                    variadic, rest = True, rest[1:]
                    break
                continue
            break
        rest = _expect(rest, "]", text)
        if head in ("list", "dict") and len(items) != 1:
            raise TypeSyntaxError(f"{head} takes one item type, in {text!r}")
        if variadic and len(items) != 1:
            raise TypeSyntaxError(f"tuple[T, ...] takes one item type, in {text!r}")
        return TypeSpec(head, items=tuple(items), variadic=variadic), rest
    raise TypeSyntaxError(
        f"unknown type {head!r} in {text!r}; use int, float, bool, str, any, ndarray[dtype], list[T], "
        "tuple[...], dict[str, T] or T | None"
    )


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_INT_BITS = {"int32": 31, "int64": 63}


def _too_big(v: object, dtype: str) -> bool:
    """Would converting the YAML number ``v`` to ``dtype`` (or to a Python float) overflow?"""
    if not isinstance(v, int):
        return False
    if dtype in _INT_BITS:
        return not -(2 ** _INT_BITS[dtype]) <= v < 2 ** _INT_BITS[dtype]
    try:
        float(v)
    except OverflowError:
        return True
    return False


def _shape(v: object) -> tuple[int, ...] | None:
    """Shape of a rectangular nested list of scalars; None if ragged."""
    if not isinstance(v, list):
        return ()
    if not v:
        return (0,)
    shapes = {_shape(x) for x in v}
    if len(shapes) != 1:
        return None
    (shape,) = shapes
    if shape is None:
        return None
    return (len(v), *shape)


def _leaves(v: object):
    if isinstance(v, list):
        for x in v:
            yield from _leaves(x)
    else:
        yield v


def check(spec: TypeSpec, value: object) -> str | None:
    """Why ``value`` (a YAML value) cannot be converted to ``spec``, or None when it can."""
    k = spec.kind
    if k == "any":
        return None
    if k == "optional":
        return None if value is None else check(spec.items[0], value)
    if k == "int":
        return None if isinstance(value, int) and not isinstance(value, bool) else f"expected an int, got {value!r}"
    if k == "float":
        if not _is_number(value):
            return f"expected a number, got {value!r}"
        return "the number is too large for a float" if _too_big(value, "float64") else None
    if k == "bool":
        return None if isinstance(value, bool) else f"expected true or false, got {value!r}"
    if k == "str":
        return None if isinstance(value, str) else f"expected a string, got {value!r}"
    if k == "ndarray":
        if spec.dtype is None:  # the parser always gives an ndarray a dtype
            return "expected an ndarray with a dtype"
        if _shape(value) is None:
            return "expected a rectangular nested list (rows of equal length) for an ndarray"
        for leaf in _leaves(value):
            if spec.dtype == "bool":
                if not isinstance(leaf, bool):
                    return f"expected true/false entries for ndarray[bool], got {leaf!r}"
            elif not _is_number(leaf):
                return f"expected numbers in ndarray[{spec.dtype}], got {leaf!r}"
            elif spec.dtype.startswith("int") and not (isinstance(leaf, int) or float(leaf).is_integer()):
                return f"expected whole numbers in ndarray[{spec.dtype}], got {leaf!r}"
            elif spec.dtype.startswith("int") and isinstance(leaf, float) and not math.isfinite(leaf):
                return f"ndarray[{spec.dtype}] cannot hold {leaf!r}"
            elif _too_big(leaf, spec.dtype) or (spec.dtype.startswith("int") and _too_big(int(leaf), spec.dtype)):
                return f"a number is out of range for ndarray[{spec.dtype}]"
        return None
    if k in ("list", "tuple"):
        if not isinstance(value, list):
            return f"expected a list for {spec}, got {value!r}"
        if k == "tuple" and not spec.variadic:
            if len(value) != len(spec.items):
                return f"expected {len(spec.items)} items for {spec}, got {len(value)}"
            pairs: Iterable[tuple[TypeSpec, Any]] = zip(spec.items, value, strict=False)
        else:
            pairs = ((spec.items[0], v) for v in value)
        for i, (s, v) in enumerate(pairs):
            why = check(s, v)
            if why:
                return f"item {i}: {why}"
        return None
    if k == "dict":
        if not isinstance(value, dict):
            return f"expected a mapping for {spec}, got {value!r}"
        for key, v in value.items():
            if not isinstance(key, str):
                return f"dict keys must be strings, got {key!r}"
            why = check(spec.items[0], v)
            if why:
                return f"key {key!r}: {why}"
        return None
    return f"unknown type {spec}"  # pragma: no cover - parse() admits no other kind
