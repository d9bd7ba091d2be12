"""Sample size, power and minimum detectable effect for means: the noncentral t (statsmodels
``TTestIndPower`` for two samples, ``TTestPower`` for one sample or paired differences), with the
normal approximation n = (z_a + z_b)^2 (1 + 1/k) / d^2 as the alternative."""

from __future__ import annotations

import math
from typing import Any

from loopprep.engines.stats.power import _check_ratio, _inputs, _sizes
from loopprep.engines.stats.result import (
    Alternative,
    BadInput,
    Quantity,
    StatResult,
    Step,
    check_alpha_power,
    check_positive,
    check_sided,
    q,
    z_crit,
)

MEAN_METHODS = {
    "two": "two-sample t-test (noncentral t, statsmodels TTestIndPower)",
    "one": "one-sample / paired t-test (noncentral t, statsmodels TTestPower)",
}


def _effect_size(effect: float | None, sd: float | None, d: float | None) -> float:
    if d is not None:
        if effect is not None or sd is not None:
            raise BadInput("d", "Give either d (Cohen's d) or effect and sd, not both.")
        if not (math.isfinite(d) and d != 0):
            raise BadInput("d", f"d (Cohen's d) must be a non-zero number; got {d:g}.")
        return abs(d)
    if effect is None or sd is None:
        raise BadInput("effect", "Give the effect and the standard deviation (sd), or Cohen's d.")
    check_positive("sd", sd)
    if not (math.isfinite(effect) and effect != 0):
        raise BadInput("effect", f"effect must be a non-zero difference in means; got {effect:g}.")
    return abs(effect) / sd


def _solver(one_sample: bool) -> Any:
    from statsmodels.stats.power import TTestIndPower, TTestPower

    return TTestPower() if one_sample else TTestIndPower()


def _alt(sided: int) -> str:
    return "two-sided" if sided == 2 else "larger"


def _t_kwargs(one_sample: bool, ratio: float, n: float | None) -> dict[str, Any]:
    return {"nobs": n} if one_sample else {"ratio": ratio, "nobs1": n}


def _z_n(d: float, za: float, zb: float, one_sample: bool, k: float) -> float:
    return (za + zb) ** 2 / d**2 * (1 if one_sample else (1 + 1 / k))


def _power_at(one_sample: bool, d: float, n: float, alpha: float, sided: int, k: float) -> float:
    """Power of the t-test; where scipy's noncentral t gives no number (degrees of freedom in
    the billions), the normal approximation it converges to."""
    from scipy.stats import norm

    pw = float(
        _solver(one_sample).power(effect_size=d, alpha=alpha, alternative=_alt(sided), **_t_kwargs(one_sample, k, n))
    )
    if math.isfinite(pw):
        return pw
    shift = d * math.sqrt(n / (1 if one_sample else 1 + 1 / k))
    za = z_crit(alpha, sided)
    return float(norm.cdf(shift - za) + (norm.cdf(-shift - za) if sided == 2 else 0.0))


def _solve_n(d: float, alpha: float, power: float, sided: int, k: float, one_sample: bool) -> float:
    """The (fractional) n at which the t-test reaches ``power``: bracketed root finding on the
    power curve, which is increasing in n.  statsmodels' ``solve_power`` gives up (a warning and
    nan) for very large or very small effects and unequal arms, so it is not used here."""
    from scipy.optimize import brentq

    lo = 2.0 if one_sample else max(2.0, 2.0 / k)  # at least two observations in every arm
    if _power_at(one_sample, d, lo, alpha, sided, k) >= power:
        return lo
    hi = max(4.0, 2 * _z_n(d, z_crit(alpha, sided), z_crit(1 - power, 1), one_sample, k))
    while _power_at(one_sample, d, hi, alpha, sided, k) < power:
        if hi > 1e18:
            raise BadInput("d", f"The effect (d = {d:.3g}) is too small to detect with any sample size.")
        hi *= 4
    return float(brentq(lambda x: _power_at(one_sample, d, x, alpha, sided, k) - power, lo, hi, xtol=1e-9, rtol=1e-12))


def _solve_d(n: float, alpha: float, power: float, sided: int, k: float, one_sample: bool) -> float:
    """The standardised effect ``d`` the t-test with ``n`` detects at ``power`` (power rises with d)."""
    from scipy.optimize import brentq

    lo, hi = 1e-12, 1.0
    while _power_at(one_sample, hi, n, alpha, sided, k) < power:
        if hi > 1e6:
            raise BadInput("n", f"n = {n:g} is too small to reach {power:.0%} power for any effect.")
        hi *= 4
    return float(brentq(lambda x: _power_at(one_sample, x, n, alpha, sided, k) - power, lo, hi, xtol=1e-15, rtol=1e-12))


def means_sample_size(
    *,
    effect: float | None = None,
    sd: float | None = None,
    d: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    sided: int = 2,
    ratio: float = 1.0,
    one_sample: bool = False,
) -> StatResult:
    """Sample size for a t-test from a difference in means and its sd, or Cohen's d."""
    dd = _effect_size(effect, sd, d)
    check_alpha_power(alpha, power)
    check_sided(sided)
    k = _check_ratio(ratio)
    n = _solve_n(dd, alpha, power, sided, k, one_sample)
    za, zb = z_crit(alpha, sided), z_crit(1 - power, 1)
    nz = _z_n(dd, za, zb, one_sample, k)

    def sizes(x: float) -> dict[str, Quantity]:
        if one_sample:
            return {"n": q(math.ceil(x - 1e-9), "observations"), "n_exact": q(x, "observations")}
        return _sizes(x, k)

    res = sizes(n)
    head = res["n"].value if one_sample else res["n_control"].value
    return StatResult(
        result=res,
        method=MEAN_METHODS["one" if one_sample else "two"],
        summary=f"To detect Cohen's d = {dd:.3g} with {power:.0%} power at alpha {alpha:g} ({sided}-sided), "
        + (f"you need {head:,} observations." if one_sample else f"you need {head:,} per arm (control)."),
        steps=(
            Step("standardised effect", "d = |effect| / sd", round(dd, 6)),
            Step("normal approximation", "n = (z_a + z_b)^2 (1 + 1/k) / d^2", round(nz, 3)),
            Step("noncentral t", "solve power(n; df, ncp = d sqrt(n1 n2 / (n1 + n2))) = target", round(n, 3)),
        ),
        alternatives=(Alternative("normal approximation (z-test)", sizes(nz)),),
        inputs=_inputs(
            effect=effect, sd=sd, d=d, alpha=alpha, power=power, sided=sided, ratio=k, one_sample=one_sample
        ),
    )


def means_power(
    *,
    n: float,
    effect: float | None = None,
    sd: float | None = None,
    d: float | None = None,
    alpha: float = 0.05,
    sided: int = 2,
    ratio: float = 1.0,
    one_sample: bool = False,
) -> StatResult:
    """Power of a t-test with ``n`` observations (control arm, or the one sample)."""
    from scipy.stats import norm

    dd = _effect_size(effect, sd, d)
    check_alpha_power(alpha)
    check_sided(sided)
    k = _check_ratio(ratio)
    if not (math.isfinite(n) and n >= 2):
        raise BadInput("n", f"n must be at least 2 observations; got {n:g}.")
    pw = _power_at(one_sample, dd, n, alpha, sided, k)
    za = z_crit(alpha, sided)
    scale = 1 if one_sample else (1 + 1 / k)
    pz = float(norm.cdf(dd * math.sqrt(n / scale) - za))
    return StatResult(
        result={"power": q(pw, "probability")},
        method=MEAN_METHODS["one" if one_sample else "two"],
        summary=f"With n = {n:,.0f}, a t-test detects d = {dd:.3g} with {pw:.1%} power.",
        steps=(
            Step("standardised effect", "d = |effect| / sd", round(dd, 6)),
            Step("power", "P(|T| > t_crit), T ~ noncentral t", round(pw, 6)),
        ),
        alternatives=(Alternative("normal approximation (z-test)", {"power": q(pz, "probability")}),),
        inputs=_inputs(n=n, effect=effect, sd=sd, d=d, alpha=alpha, sided=sided, ratio=k, one_sample=one_sample),
        warnings=("Power is below 80 %.",) if pw < 0.8 else (),
    )


def means_mde(
    *,
    n: float,
    sd: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    sided: int = 2,
    ratio: float = 1.0,
    one_sample: bool = False,
) -> StatResult:
    """The smallest detectable difference in means (and Cohen's d) with ``n`` observations."""
    check_alpha_power(alpha, power)
    check_sided(sided)
    k = _check_ratio(ratio)
    if sd is not None:
        check_positive("sd", sd)
    if not (math.isfinite(n) and n >= 2):
        raise BadInput("n", f"n must be at least 2 observations; got {n:g}.")
    dd = _solve_d(n, alpha, power, sided, k, one_sample)
    za, zb = z_crit(alpha, sided), z_crit(1 - power, 1)
    dz = (za + zb) * math.sqrt((1 if one_sample else 1 + 1 / k) / n)

    def res_for(x: float) -> dict[str, Quantity]:
        out = {"mde_d": q(x, "sd units")}
        if sd is not None:
            out["mde"] = q(x * sd, "metric units")
        return out

    res = res_for(dd)
    words = f"d = {dd:.3g}" + (f" ({dd * sd:.4g} in metric units)" if sd is not None else "")
    return StatResult(
        result=res,
        method=MEAN_METHODS["one" if one_sample else "two"],
        summary=f"With n = {n:,.0f}, the smallest detectable effect at {power:.0%} power is {words}.",
        steps=(
            Step("normal approximation", "d = (z_a + z_b) sqrt((1 + 1/k) / n)", round(dz, 6)),
            Step("noncentral t", "solve power(d; n) = target", round(dd, 6)),
        ),
        alternatives=(Alternative("normal approximation (z-test)", res_for(dz)),),
        inputs=_inputs(n=n, sd=sd, alpha=alpha, power=power, sided=sided, ratio=k, one_sample=one_sample),
    )
