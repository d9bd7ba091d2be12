"""Sample size, power and minimum detectable effect for two proportions and for means.

Two proportions, control rate p1, treatment rate p2, delta = p2 - p1, allocation k = n2 / n1
(n1 = the control arm), z_a = z(1 - alpha / sided), z_b = z(power):

- pooled normal (default; R's ``power.prop.test``, Fleiss): n1 = ((z_a s0 + z_b s1) / delta)^2 with
  s0 = sqrt(pbar qbar (1 + 1/k)), pbar = (p1 + k p2) / (1 + k), s1 = sqrt(p1 q1 + p2 q2 / k);
- baseline variance (Evan Miller's calculator): the same with s0 = sqrt(p1 q1 (1 + 1/k));
- arcsine (Cohen's h, G*Power): h = 2 asin(sqrt p2) - 2 asin(sqrt p1),
  n1 = (z_a + z_b)^2 (1 + 1/k) / h^2.

Means are in :mod:`loopprep.engines.stats.means`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from loopprep.engines.stats.result import (
    Alternative,
    BadInput,
    Quantity,
    StatResult,
    Step,
    check_alpha_power,
    check_rate,
    check_sided,
    q,
    z_crit,
)

PROPORTION_METHODS = {
    "pooled": "pooled normal approximation (R power.prop.test)",
    "arcsine": "arcsine transformation (Cohen's h, G*Power)",
    "baseline": "baseline-variance normal approximation (Evan Miller's calculator)",
}


def _check_method(method: str) -> str:
    if method not in PROPORTION_METHODS:
        raise BadInput("method", f"method must be one of {', '.join(PROPORTION_METHODS)}; got '{method}'.")
    return method


def _check_ratio(ratio: float) -> float:
    if not (math.isfinite(ratio) and 0.01 <= ratio <= 100):
        raise BadInput("ratio", f"ratio (treatment size / control size) must be between 0.01 and 100; got {ratio:g}.")
    return ratio


def resolve_target(baseline: float, target: float | None, relative: float | None) -> float:
    """The treatment rate from an absolute ``target`` or a ``relative`` lift (0.25 = +25 %)."""
    check_rate("baseline", baseline)
    if (target is None) == (relative is None):
        raise BadInput("target", "Give exactly one of target (the treatment rate) or relative (the lift, 0.1 = +10 %).")
    if relative is not None:
        if baseline == 0:
            raise BadInput("relative", "A relative effect needs a baseline above 0; give an absolute target instead.")
        target = baseline * (1 + relative)
        if not 0 <= target <= 1:
            raise BadInput("relative", f"relative lift {relative:g} moves the baseline to {target:g}, outside [0, 1].")
    assert target is not None
    check_rate("target", target)
    if target == baseline:
        raise BadInput("target", f"target must differ from the baseline ({baseline:g}); there is no effect to detect.")
    return target


def _sds(method: str, p1: float, p2: float, k: float) -> tuple[float, float]:
    """(s0, s1): the null and alternative standard deviations of delta, per sqrt(control n)."""
    s1 = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2) / k)
    if method == "pooled":
        pbar = (p1 + k * p2) / (1 + k)
        return math.sqrt(pbar * (1 - pbar) * (1 + 1 / k)), s1
    return math.sqrt(p1 * (1 - p1) * (1 + 1 / k)), s1


def _h(p1: float, p2: float) -> float:
    return 2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1))


def _n_exact(method: str, p1: float, p2: float, za: float, zb: float, k: float) -> float:
    if method == "arcsine":
        return (za + zb) ** 2 * (1 + 1 / k) / _h(p1, p2) ** 2
    s0, s1 = _sds(method, p1, p2, k)
    return ((za * s0 + zb * s1) / (p2 - p1)) ** 2


def _power(method: str, p1: float, p2: float, n1: float, za: float, k: float) -> float:
    from scipy.stats import norm

    if method == "arcsine":
        return float(norm.cdf(abs(_h(p1, p2)) * math.sqrt(n1 / (1 + 1 / k)) - za))
    s0, s1 = _sds(method, p1, p2, k)
    if s1 == 0:  # both rates at a boundary: the difference is certain
        return 1.0
    return float(norm.cdf((abs(p2 - p1) * math.sqrt(n1) - za * s0) / s1))


def _sizes(n_exact: float, k: float) -> dict[str, Quantity]:
    n1 = math.ceil(n_exact - 1e-9)
    n2 = math.ceil(k * n_exact - 1e-9)
    return {
        "n_control": q(n1, "users"),
        "n_treatment": q(n2, "users"),
        "n_total": q(n1 + n2, "users"),
        "n_control_exact": q(n_exact, "users"),
    }


def _inputs(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


def _prop_steps(method: str, p1: float, p2: float, za: float, zb: float, k: float, sided: int) -> list[Step]:
    steps = [
        Step("critical value", f"z_a = z(1 - alpha/{sided})", round(za, 6)),
        Step("power quantile", "z_b = z(power)", round(zb, 6)),
        Step("effect", "delta = p2 - p1", round(p2 - p1, 6)),
    ]
    if method == "arcsine":
        steps.append(Step("Cohen's h", "h = 2 asin(sqrt p2) - 2 asin(sqrt p1)", round(_h(p1, p2), 6)))
        steps.append(
            Step("control arm", "n1 = (z_a + z_b)^2 (1 + 1/k) / h^2", round(_n_exact(method, p1, p2, za, zb, k), 3))
        )
        return steps
    s0, s1 = _sds(method, p1, p2, k)
    if method == "pooled":
        steps.append(Step("pooled rate", "pbar = (p1 + k p2) / (1 + k)", round((p1 + k * p2) / (1 + k), 6)))
        steps.append(Step("null sd", "s0 = sqrt(pbar (1 - pbar) (1 + 1/k))", round(s0, 6)))
    else:
        steps.append(Step("null sd (baseline variance)", "s0 = sqrt(p1 (1 - p1) (1 + 1/k))", round(s0, 6)))
    steps.append(Step("alternative sd", "s1 = sqrt(p1 (1 - p1) + p2 (1 - p2) / k)", round(s1, 6)))
    steps.append(
        Step("control arm", "n1 = ((z_a s0 + z_b s1) / delta)^2", round(_n_exact(method, p1, p2, za, zb, k), 3))
    )
    return steps


def _boundary_warnings(p1: float, p2: float, n: float | None = None) -> list[str]:
    out = []
    if min(p1, p2) < 0.05 or max(p1, p2) > 0.95:
        out.append(
            "A rate is near 0 or 1: the normal approximations disagree here (compare the alternatives) "
            "and an exact test is safer."
        )
    if n is not None and min(p1, p2, 1 - p1, 1 - p2) * n < 5:
        out.append("Fewer than 5 expected successes or failures in an arm: the normal approximation is poor.")
    return out


def proportions_sample_size(
    baseline: float,
    *,
    target: float | None = None,
    relative: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    sided: int = 2,
    ratio: float = 1.0,
    method: str = "pooled",
) -> StatResult:
    """Users per arm to detect ``baseline`` -> ``target`` (rates in [0, 1]) at ``alpha`` and
    ``power``.  ``ratio`` = treatment / control size.  Raises ``BadInput``."""
    _check_method(method)
    p2 = resolve_target(baseline, target, relative)
    p1 = baseline
    check_alpha_power(alpha, power)
    check_sided(sided)
    k = _check_ratio(ratio)
    za, zb = z_crit(alpha, sided), z_crit(1 - power, 1)
    n = _n_exact(method, p1, p2, za, zb, k)
    alts = tuple(
        Alternative(PROPORTION_METHODS[m], _sizes(_n_exact(m, p1, p2, za, zb, k), k))
        for m in PROPORTION_METHODS
        if m != method
    )
    res = _sizes(n, k)
    lift = f" ({(p2 - p1) / p1:+.1%} relative)" if p1 > 0 else ""
    return StatResult(
        result=res,
        method=PROPORTION_METHODS[method],
        summary=(
            f"To detect {p1:.2%} → {p2:.2%}{lift} with {power:.0%} power at α = {alpha:g} ({sided}-sided), "
            f"you need {res['n_control'].value:,} users in control and {res['n_treatment'].value:,} in treatment."
        ),
        steps=tuple(_prop_steps(method, p1, p2, za, zb, k, sided)),
        alternatives=alts,
        inputs=_inputs(baseline=p1, target=p2, alpha=alpha, power=power, sided=sided, ratio=k, method=method),
        warnings=tuple(_boundary_warnings(p1, p2, n)),
    )


def proportions_power(
    baseline: float,
    *,
    n: float,
    target: float | None = None,
    relative: float | None = None,
    alpha: float = 0.05,
    sided: int = 2,
    ratio: float = 1.0,
    method: str = "pooled",
) -> StatResult:
    """Power to detect ``baseline`` -> ``target`` with ``n`` users in control (``ratio`` n in
    treatment).  Raises ``BadInput``."""
    _check_method(method)
    p2 = resolve_target(baseline, target, relative)
    p1 = baseline
    check_alpha_power(alpha)
    check_sided(sided)
    k = _check_ratio(ratio)
    if not (math.isfinite(n) and n >= 2):
        raise BadInput("n", f"n (users in the control arm) must be at least 2; got {n:g}.")
    za = z_crit(alpha, sided)
    pw = _power(method, p1, p2, n, za, k)
    alts = tuple(
        Alternative(PROPORTION_METHODS[m], {"power": q(_power(m, p1, p2, n, za, k), "probability")})
        for m in PROPORTION_METHODS
        if m != method
    )
    s = [Step("critical value", f"z_a = z(1 - alpha/{sided})", round(za, 6))]
    if method == "arcsine":
        s.append(Step("Cohen's h", "h = 2 asin(sqrt p2) - 2 asin(sqrt p1)", round(_h(p1, p2), 6)))
        s.append(Step("power", "Phi(|h| sqrt(n1 / (1 + 1/k)) - z_a)", round(pw, 6)))
    else:
        s0, s1 = _sds(method, p1, p2, k)
        s.append(Step("null sd", "s0", round(s0, 6)))
        s.append(Step("alternative sd", "s1 = sqrt(p1 q1 + p2 q2 / k)", round(s1, 6)))
        s.append(Step("power", "Phi((|delta| sqrt(n1) - z_a s0) / s1)", round(pw, 6)))
    return StatResult(
        result={"power": q(pw, "probability")},
        method=PROPORTION_METHODS[method],
        summary=f"With {n:,.0f} users in control, a test of {p1:.2%} → {p2:.2%} has {pw:.1%} power.",
        steps=tuple(s),
        alternatives=alts,
        inputs=_inputs(baseline=p1, target=p2, n=n, alpha=alpha, sided=sided, ratio=k, method=method),
        warnings=tuple(_boundary_warnings(p1, p2, n) + (["Power is below 80 %."] if pw < 0.8 else [])),
    )


def _solve_rate(p1: float, goal: float, fn: Callable[[float], float], upward: bool) -> float | None:
    from scipy.optimize import brentq

    edge = 1.0 if upward else 0.0
    if edge == p1 or fn(edge) < goal:
        return None
    lo, hi = (p1 + 1e-12, edge) if upward else (edge, p1 - 1e-12)
    return float(brentq(lambda x: fn(x) - goal, lo, hi, xtol=1e-12))


def proportions_mde(
    baseline: float,
    *,
    n: float,
    alpha: float = 0.05,
    power: float = 0.8,
    sided: int = 2,
    ratio: float = 1.0,
    method: str = "pooled",
) -> StatResult:
    """The smallest upward (and downward) change from ``baseline`` detectable with ``n`` users
    in control at ``alpha`` and ``power``.  Raises ``BadInput``."""
    _check_method(method)
    p1 = check_rate("baseline", baseline)
    check_alpha_power(alpha, power)
    check_sided(sided)
    k = _check_ratio(ratio)
    if not (math.isfinite(n) and n >= 2):
        raise BadInput("n", f"n (users in the control arm) must be at least 2; got {n:g}.")
    za = z_crit(alpha, sided)

    def solve(m: str) -> dict[str, Quantity]:
        out: dict[str, Quantity] = {}
        for name, up in (("up", True), ("down", False)):
            p2 = _solve_rate(p1, power, lambda x: _power(m, p1, x, n, za, k), up)
            out[f"mde_absolute_{name}"] = q(None if p2 is None else p2 - p1, "rate")
            out[f"mde_relative_{name}"] = q(None if p2 is None or p1 == 0 else (p2 - p1) / p1, "ratio")
            out[f"target_{name}"] = q(p2, "rate")
        return out

    res = solve(method)
    alts = tuple(Alternative(PROPORTION_METHODS[m], solve(m)) for m in PROPORTION_METHODS if m != method)
    up = res["mde_absolute_up"].value
    rel = res["mde_relative_up"].value
    warn = []
    if up is None:
        warn.append("No upward change is detectable at this n and power.")
        words = "no upward change is detectable"
    else:
        words = f"the smallest detectable lift is {up:+.4f} ({up * 100:+.2f} points" + (
            f", {rel:+.1%} relative)" if isinstance(rel, float) else ")"
        )
    if res["mde_absolute_down"].value is None:
        warn.append("No downward change is detectable at this n and power.")
    if p1 == 0:
        warn.append("With a 0 % baseline a relative change is undefined: read the absolute change.")
    return StatResult(
        result=res,
        method=PROPORTION_METHODS[method],
        summary=f"With {n:,.0f} users in control and a {p1:.2%} baseline, {words} at {power:.0%} power.",
        steps=(
            Step("critical value", f"z_a = z(1 - alpha/{sided})", round(za, 6)),
            Step("solve for p2", "power(p1, p2, n) = target power (Brent's method)", res["target_up"].value),
        ),
        alternatives=alts,
        inputs=_inputs(baseline=p1, n=n, alpha=alpha, power=power, sided=sided, ratio=k, method=method),
        warnings=tuple(warn),
    )
