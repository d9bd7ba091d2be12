"""The derivation model shared by every calculator: named results, a chain of steps, warnings.

A calculator returns an :class:`Estimate`: ``result`` maps a name to a :class:`Quantity`,
``steps`` is the whiteboard chain (each step a label, the formula with the numbers filled in,
the value and its unit), ``inputs`` echoes what was used, ``warnings`` says what to watch.
Bad input raises :class:`BadInput`, a ``ValueError`` that names the field and the fix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

GB = 10**9
GIB = 2**30
MB = 10**6
MIB = 2**20
SECONDS_PER_DAY = 86_400


class BadInput(ValueError):
    """An input outside its valid range: ``field`` names it, ``hint`` says how to fix it."""

    def __init__(self, field: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Quantity:
    value: float | str  # a string only for a verdict, e.g. which bound binds
    unit: str


@dataclass(frozen=True)
class Step:
    label: str
    formula: str
    value: float
    unit: str


@dataclass(frozen=True)
class Estimate:
    result: Mapping[str, Quantity]
    steps: tuple[Step, ...]
    inputs: Mapping[str, Any]
    warnings: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)  # result name -> its step's label

    def value(self, name: str) -> float:
        v = self.result[name].value
        if isinstance(v, str):
            raise TypeError(f"{name} is a verdict ({v}), not a number")
        return v


@dataclass
class Work:
    """Collects steps while a calculator runs (a small builder, local to one call)."""

    inputs: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    result: dict[str, Quantity] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    def step(self, label: str, formula: str, value: float, unit: str, *, name: str | None = None) -> float:
        if not math.isfinite(value) or abs(value) >= 1e300:
            raise BadInput(
                "",
                f"'{label}' comes out too large or too small to represent.",
                "Use realistic magnitudes: a rate or price very close to zero divides by almost nothing.",
            )
        self.steps.append(Step(label, formula, value, unit))
        if name:
            self.result[name] = Quantity(value, unit)
            self.labels[name] = label
        return value

    def done(self) -> Estimate:
        return Estimate(
            dict(self.result), tuple(self.steps), dict(self.inputs), tuple(self.warnings), dict(self.labels)
        )


def num(x: float, digits: int = 4) -> str:
    """A number for a formula: integers with thousands separators, others to ``digits``
    significant figures (never scientific notation below 1e15)."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15):
        return f"{int(x):,}"
    if x == 0 or not math.isfinite(x):
        return str(x)
    mag = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - mag)
    text = f"{x:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def bytes_text(n: float) -> str:
    """Bytes in both decimal and binary units when they differ (``0.328 MB = 0.3125 MiB``)."""
    for dec, bin_, dname, bname, low in (
        (10**12, 2**40, "TB", "TiB", 10**12),
        (GB, GIB, "GB", "GiB", GB),
        (MB, MIB, "MB", "MiB", 10**5),  # 327,680 bytes reads as 0.3277 MB, the unit people quote
    ):
        if abs(n) >= low:
            return f"{num(n / dec)} {dname} = {num(n / bin_)} {bname}"
    if abs(n) >= 1000:
        return f"{num(n / 1000)} kB = {num(n / 1024)} KiB"
    return f"{num(n)} bytes"


def positive(name: str, value: float, *, hint: str = "Use a number above 0.") -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
        raise BadInput(name, f"'{name}' must be greater than 0 (got {value}).", hint)
    return value


def whole(name: str, value: int, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise BadInput(name, f"'{name}' must be a whole number of at least {minimum} (got {value}).")
    return value


def fraction(name: str, value: float, *, allow_zero: bool = False) -> float:
    lo_ok = value >= 0 if allow_zero else value > 0
    if not isinstance(value, (int, float)) or not math.isfinite(value) or not lo_ok or value > 1:
        low = "0" if allow_zero else "above 0"
        raise BadInput(name, f"'{name}' must be a fraction between {low} and 1 (got {value}).", "E.g. 0.4 for 40 %.")
    return value


def ceil_div(a: float, b: float) -> int:
    """ceil(a / b) without float fuzz turning an exact 3.0000000001 into 4."""
    q = a / b
    r = round(q)
    return int(r) if math.isclose(q, r, rel_tol=1e-12) else math.ceil(q)
