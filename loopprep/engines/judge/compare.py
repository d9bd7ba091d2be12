"""The comparison rule: how an output is held against an expected value.

- Numbers agree within the tolerance with ``math.isclose`` semantics; no tolerance means exact.
  NaN matches only an expected NaN, an infinity only the same infinity.
- Sequences (lists, tuples, arrays) agree elementwise and must have equal length; an array result
  must also have the shape of the expected nested list (a 0-d array stands for its scalar).
- Strings, booleans and ints are exact; ``None`` matches only ``None``.
- The declared return type decides too: where it says ``int``, ``bool`` or an int/bool ndarray
  (labels, indices, counts, masks), the comparison is exact whatever the tolerance, so a label
  10000005 never passes for 10000000; ``float`` and float arrays use the tolerance.
- Dicts must have the same keys; their values are compared by these rules.

Outputs arrive as plain data decoded by the trusted parent: Python scalars, lists, dicts and
:class:`Array` (an array's dtype, shape and values as nested lists).  Anything else is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from loopprep.engines.judge.types import TypeSpec

EXACT_KINDS = ("int", "bool", "str")


@dataclass(frozen=True)
class Tol:
    abs: float = 0.0
    rel: float = 0.0


@dataclass(frozen=True)
class Array:
    """A numpy result as the parent sees it: never the child's object, only its data."""

    dtype: str
    shape: tuple[int, ...]
    values: Any  # nested lists of Python scalars

    def __repr__(self) -> str:
        return f"array(shape={self.shape}, dtype={self.dtype})"


@dataclass(frozen=True)
class Mismatch:
    path: str  # e.g. "[1][0]" or "['loss']"; "" for the whole value
    expected: str
    got: str
    reason: str

    def describe(self) -> str:
        where = f"at {self.path}: " if self.path else ""
        return f"{where}{self.reason} (expected {self.expected}, got {self.got})"


def _short(v: Any, limit: int = 80) -> str:
    text = repr(v)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _nested_shape(v: Any) -> tuple[int, ...] | None:
    if not isinstance(v, list):
        return ()
    if not v:
        return (0,)
    shapes = {_nested_shape(x) for x in v}
    if len(shapes) != 1:
        return None
    (shape,) = shapes
    if shape is None:
        return None
    return (len(v), *shape)


def numbers_agree(expected: float, got: float, tol: Tol | None) -> bool:
    if math.isnan(expected) or math.isnan(got):
        return math.isnan(expected) and math.isnan(got)
    if math.isinf(expected) or math.isinf(got):
        return expected == got
    if tol is None:
        return expected == got
    return math.isclose(got, expected, rel_tol=tol.rel, abs_tol=tol.abs)


def is_exact(spec: TypeSpec | None) -> bool:
    """Whether a value of this declared type is compared exactly: ints, bools, strings and int or
    bool arrays (and containers holding only those)."""
    if spec is None:
        return False
    if spec.kind in EXACT_KINDS:
        return True
    if spec.kind == "ndarray":
        return spec.dtype is not None and (spec.dtype.startswith("int") or spec.dtype == "bool")
    if spec.kind in ("list", "tuple", "dict", "optional"):
        return bool(spec.items) and all(is_exact(s) for s in spec.items)
    return False  # float, any


def _item_spec(spec: TypeSpec | None, index: int) -> TypeSpec | None:
    """The declared type of one item of a sequence or dict of type ``spec``."""
    if spec is None:
        return None
    if spec.kind == "optional":
        return _item_spec(spec.items[0], index)
    if spec.kind == "tuple" and not spec.variadic:
        return spec.items[index] if index < len(spec.items) else None
    if spec.kind in ("list", "tuple", "dict"):
        return spec.items[0]
    if spec.kind == "ndarray":
        return spec  # a row of an array has the array's dtype
    return None


def compare(
    expected: Any, got: Any, tol: Tol | None, path: str = "", *, spec: TypeSpec | None = None
) -> Mismatch | None:
    """The first place where ``got`` departs from ``expected``, or None when they agree.

    ``spec`` is the declared type of ``expected``: where it is exact (:func:`is_exact`), ``tol`` is
    ignored."""
    if tol is None:
        spec = None  # exact already: the declared type changes nothing below
    elif spec is not None:
        if spec.kind == "optional" and expected is not None:
            spec = spec.items[0]
        if is_exact(spec):
            tol, spec = None, None
    if isinstance(got, Array):
        want = _nested_shape(expected)
        if want is None or (not isinstance(expected, list) and got.shape != ()):
            return Mismatch(path, _short(expected), repr(got), "an array was returned where a non-array is expected")
        if want != got.shape and not (want == (0,) and got.shape[:1] == (0,)):
            return Mismatch(path, f"shape {want}", f"shape {got.shape}", "array shape differs")
        return compare(expected, got.values, tol, path, spec=spec)
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        if type(got) is type(expected) and got == expected:
            return None
        return Mismatch(path, _short(expected), _short(got), "values differ")
    if _is_number(expected):
        if not _is_number(got):
            return Mismatch(path, _short(expected), _short(got), "a number is expected")
        if isinstance(expected, int) and tol is None:
            if isinstance(got, float) and not got.is_integer():
                return Mismatch(path, _short(expected), _short(got), "values differ")
            ok = got == expected
        elif isinstance(expected, int) and isinstance(got, int) and got == expected:
            ok = True
        else:
            try:
                ok = numbers_agree(float(expected), float(got), tol)
            except OverflowError:  # an int beyond float range: it cannot be within tolerance of a float
                ok = False
        return None if ok else Mismatch(path, _short(expected), _short(got), _why_numbers(expected, got, tol))
    if isinstance(expected, list):
        if not isinstance(got, list):
            return Mismatch(path, _short(expected), _short(got), "a sequence is expected")
        if len(got) != len(expected):
            return Mismatch(path, f"length {len(expected)}", f"length {len(got)}", "lengths differ")
        for i, (e, g) in enumerate(zip(expected, got, strict=False)):
            # the path is built only on a mismatch: formatting it for every element cost more than comparing
            m = compare(e, g, tol, spec=_item_spec(spec, i))
            if m:
                return replace(m, path=f"{path}[{i}]{m.path}")
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return Mismatch(path, _short(expected), _short(got), "a dict is expected")
        if set(got) != set(expected):
            # the reason names no key: a hidden case shows only the reason, and its keys may be hidden data
            return Mismatch(path, f"keys {sorted(expected, key=str)}", f"keys {sorted(got, key=str)}", "keys differ")
        for key in expected:
            m = compare(expected[key], got[key], tol, spec=_item_spec(spec, 0))
            if m:
                return replace(m, path=f"{path}[{key!r}]{m.path}")
        return None
    return Mismatch(path, _short(expected), _short(got), "unsupported expected value")


def _why_numbers(expected: float, got: float, tol: Tol | None) -> str:
    """Why two numbers differ, in words that reveal nothing of ``expected`` (hidden cases show only this)."""
    if isinstance(got, float) and math.isnan(got):
        return "NaN returned"
    if isinstance(got, float) and math.isinf(got):
        return "infinity returned"
    if isinstance(expected, float) and not math.isfinite(expected):
        return "values differ"
    if tol is None:
        return "values differ (exact comparison)"
    return f"outside tolerance (abs {tol.abs:g}, rel {tol.rel:g})"
