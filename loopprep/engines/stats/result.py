"""The shape every stats calculator returns, and the input checks they share."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Value = float | int | str | bool | None


class BadInput(ValueError):
    """An input out of range: ``field`` names it, the message gives the valid range."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Quantity:
    value: Value
    unit: str


@dataclass(frozen=True)
class Step:
    label: str
    formula: str
    value: Value


@dataclass(frozen=True)
class Alternative:
    method: str
    result: Mapping[str, Quantity]


@dataclass(frozen=True)
class StatResult:
    """One calculator's answer: ``result`` by name, the ``method`` that produced it, what the
    ``alternatives`` give for the same inputs, the ``steps``, the ``inputs`` and ``warnings``;
    ``summary`` says it in words."""

    result: Mapping[str, Quantity]
    method: str
    summary: str
    steps: tuple[Step, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    inputs: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def q(value: Value, unit: str = "") -> Quantity:
    if isinstance(value, float) and math.isfinite(value):
        value = float(f"{value:.10g}")
    return Quantity(value, unit)


# ---- shared checks -------------------------------------------------------------------------


def check_rate(name: str, x: float, *, open_: bool = False) -> float:
    ok = math.isfinite(x) and (0 < x < 1 if open_ else 0 <= x <= 1)
    if not ok:
        rng = "strictly between 0 and 1" if open_ else "between 0 and 1 (a share, e.g. 0.2 for 20 %)"
        raise BadInput(name, f"{name} must be {rng}; got {x:g}.")
    return x


def check_alpha_power(alpha: float, power: float | None = None) -> None:
    if not (math.isfinite(alpha) and 0 < alpha < 1):
        raise BadInput("alpha", f"alpha must be strictly between 0 and 1 (e.g. 0.05); got {alpha:g}.")
    if power is not None:
        if not (math.isfinite(power) and 0 < power < 1):
            raise BadInput("power", f"power must be strictly between 0 and 1 (e.g. 0.8); got {power:g}.")
        if power <= alpha:
            raise BadInput("power", f"power ({power:g}) must be above alpha ({alpha:g}).")


def check_positive(name: str, x: float) -> float:
    if not (math.isfinite(x) and x > 0):
        raise BadInput(name, f"{name} must be a positive number; got {x:g}.")
    return x


def check_count(name: str, n: float, *, minimum: int = 1) -> int:
    if not (math.isfinite(n) and n == int(n) and n >= minimum):
        raise BadInput(name, f"{name} must be a whole number of at least {minimum}; got {n:g}.")
    return int(n)


def check_successes(name: str, x: float, total_name: str, total: int) -> int:
    if not (math.isfinite(x) and x == int(x) and x >= 0):
        raise BadInput(name, f"{name} must be a whole number of at least 0; got {x:g}.")
    if x > total:
        raise BadInput(name, f"{name} ({x:g}) cannot be larger than {total_name} ({total}).")
    return int(x)


def z_crit(alpha: float, sided: int) -> float:
    from scipy.stats import norm

    return float(norm.ppf(1 - alpha / sided))


def check_sided(sided: int) -> int:
    if sided not in (1, 2):
        raise BadInput("sided", f"sided must be 1 or 2; got {sided}.")
    return sided
