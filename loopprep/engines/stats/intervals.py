"""Confidence intervals: difference of two proportions (Newcombe hybrid score, Wald,
Miettinen-Nurminen), Welch's t interval for a difference of means, the exact binomial test and
interval for one proportion, and the ratio of two means by the delta method.

Miettinen-Nurminen is written here rather than taken from statsmodels: statsmodels'
``score_test_proportions_2indep`` / ``confint_proportions_2indep(method="score")`` has a wrong
coefficient in the constrained maximum-likelihood step (statsmodels issue #10269), which skews
both bounds.  The constrained MLE below is the closed-form root of the likelihood cubic from
Miettinen & Nurminen (1985), as restated by Farrington & Manning (1990).
"""

from __future__ import annotations

import math

from loopprep.engines.stats.result import (
    Alternative,
    BadInput,
    Quantity,
    StatResult,
    Step,
    check_count,
    check_positive,
    check_successes,
    q,
    z_crit,
)

DIFF_METHODS = {
    "newcombe": "Newcombe hybrid score (Wilson) interval",
    "wald": "Wald interval (for teaching: poor near 0 and 1 and for small n)",
    "mn": "Miettinen-Nurminen score interval",
}


def _check_conf(conf: float) -> float:
    if not (math.isfinite(conf) and 0 < conf < 1):
        raise BadInput("confidence", f"confidence must be strictly between 0 and 1 (e.g. 0.95); got {conf:g}.")
    return conf


def wilson(x: int, n: int, z: float) -> tuple[float, float]:
    """Wilson's score interval for one proportion."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_diff(x1: int, n1: int, x2: int, n2: int, z: float) -> tuple[float, float]:
    """Newcombe (1998) method 10: the hybrid score interval for p1 - p2."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def wald_diff(x1: int, n1: int, x2: int, n2: int, z: float) -> tuple[float, float]:
    p1, p2 = x1 / n1, x2 / n2
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return p1 - p2 - z * se, p1 - p2 + z * se


def constrained_mle(x1: int, n1: int, x2: int, n2: int, delta: float) -> tuple[float, float]:
    """The MLE of (p1, p2) under p1 - p2 = delta (Miettinen & Nurminen 1985, eq. 27-28)."""
    p1h, p2h = x1 / n1, x2 / n2
    theta = n2 / n1
    a = 1 + theta
    b = -(1 + theta + p1h + theta * p2h + delta * (theta + 2))
    c = delta * delta + delta * (2 * p1h + theta + 1) + p1h + theta * p2h
    d = -p1h * delta * (1 + delta)
    v = b**3 / (27 * a**3) - b * c / (6 * a * a) + d / (2 * a)
    u2 = b * b / (9 * a * a) - c / (3 * a)
    u = math.copysign(math.sqrt(max(u2, 0.0)), v) if v != 0 else math.sqrt(max(u2, 0.0))
    if u == 0:
        p1t = -b / (3 * a)
    else:
        w = (math.pi + math.acos(max(-1.0, min(1.0, v / u**3)))) / 3
        p1t = 2 * u * math.cos(w) - b / (3 * a)
    p1t = min(1.0, max(0.0, p1t))
    p2t = min(1.0, max(0.0, p1t - delta))
    return p1t, p2t


def mn_statistic(x1: int, n1: int, x2: int, n2: int, delta: float) -> float:
    """Miettinen-Nurminen score statistic for H0: p1 - p2 = delta (with the N / (N - 1) factor)."""
    p1t, p2t = constrained_mle(x1, n1, x2, n2, delta)
    nn = n1 + n2
    var = (p1t * (1 - p1t) / n1 + p2t * (1 - p2t) / n2) * nn / (nn - 1)
    diff = x1 / n1 - x2 / n2 - delta
    if var <= 0:  # both constrained rates at a boundary: only delta = the estimate is plausible
        return 0.0 if abs(diff) < 1e-12 else math.copysign(math.inf, diff)
    return diff / math.sqrt(var)


def mn_diff(x1: int, n1: int, x2: int, n2: int, z: float) -> tuple[float, float]:
    """Invert the MN score test: all delta with |T(delta)| <= z."""
    from scipy.optimize import brentq

    d = x1 / n1 - x2 / n2
    eps = 1e-10

    def f(delta: float) -> float:
        return mn_statistic(x1, n1, x2, n2, delta) ** 2 - z * z

    lo_edge, hi_edge = -1 + eps, 1 - eps
    lower = -1.0 if f(lo_edge) <= 0 else float(brentq(f, lo_edge, min(d, hi_edge), xtol=1e-12))
    upper = 1.0 if f(hi_edge) <= 0 else float(brentq(f, max(d, lo_edge), hi_edge, xtol=1e-12))
    return lower, upper


_DIFF_FNS = {"newcombe": newcombe_diff, "wald": wald_diff, "mn": mn_diff}


def diff_proportions_ci(
    x1: float, n1: float, x2: float, n2: float, *, confidence: float = 0.95, method: str = "newcombe"
) -> StatResult:
    """Interval for p1 - p2 (arm 1 = treatment, arm 2 = control) from successes and totals."""
    if method not in DIFF_METHODS:
        raise BadInput("method", f"method must be one of {', '.join(DIFF_METHODS)}; got '{method}'.")
    n1i, n2i = check_count("n1", n1), check_count("n2", n2)
    x1i, x2i = check_successes("x1", x1, "n1", n1i), check_successes("x2", x2, "n2", n2i)
    _check_conf(confidence)
    z = z_crit(1 - confidence, 2)
    p1, p2 = x1i / n1i, x2i / n2i

    def res(m: str) -> dict[str, Quantity]:
        lo, hi = _DIFF_FNS[m](x1i, n1i, x2i, n2i, z)
        return {"difference": q(p1 - p2, "rate"), "lower": q(lo, "rate"), "upper": q(hi, "rate")}

    main = res(method)
    lo, hi = main["lower"].value, main["upper"].value
    steps = [
        Step("rates", "p1 = x1/n1, p2 = x2/n2", f"{p1:.6g}, {p2:.6g}"),
        Step("critical value", "z = z(1 - (1 - confidence)/2)", round(z, 6)),
    ]
    if method == "newcombe":
        l1, u1 = wilson(x1i, n1i, z)
        l2, u2 = wilson(x2i, n2i, z)
        steps += [
            Step("Wilson interval, arm 1", "(l1, u1)", f"{l1:.6f}, {u1:.6f}"),
            Step("Wilson interval, arm 2", "(l2, u2)", f"{l2:.6f}, {u2:.6f}"),
            Step("lower", "d - sqrt((p1 - l1)^2 + (u2 - p2)^2)", lo),
            Step("upper", "d + sqrt((u1 - p1)^2 + (p2 - l2)^2)", hi),
        ]
    elif method == "wald":
        steps.append(Step("interval", "d +/- z sqrt(p1 q1/n1 + p2 q2/n2)", f"{lo:.6f}, {hi:.6f}"))
    else:
        steps += [
            Step("score statistic", "T(delta) = (p1 - p2 - delta) / sqrt((p1~q1~/n1 + p2~q2~/n2) N/(N-1))", ""),
            Step("interval", "all delta with |T(delta)| <= z (Brent's method)", f"{lo:.6f}, {hi:.6f}"),
        ]
    warns = []
    if method == "wald" and min(x1i, n1i - x1i, x2i, n2i - x2i) < 10:
        warns.append("Fewer than 10 successes or failures in an arm: the Wald interval is unreliable here.")
    lo_v = float(lo) if lo is not None else 0.0
    hi_v = float(hi) if hi is not None else 0.0
    excludes = lo_v > 0 or hi_v < 0
    return StatResult(
        result=main,
        method=DIFF_METHODS[method],
        summary=(
            f"The difference is {p1 - p2:+.4f}; the {confidence:.0%} interval is [{lo_v:+.4f}, {hi_v:+.4f}], "
            + ("which excludes 0." if excludes else "which includes 0: no significant difference.")
        ),
        steps=tuple(steps),
        alternatives=tuple(Alternative(DIFF_METHODS[m], res(m)) for m in DIFF_METHODS if m != method),
        inputs={"x1": x1i, "n1": n1i, "x2": x2i, "n2": n2i, "confidence": confidence, "method": method},
        warnings=tuple(warns),
    )


def welch_ci(
    mean1: float,
    sd1: float,
    n1: float,
    mean2: float,
    sd2: float,
    n2: float,
    *,
    confidence: float = 0.95,
) -> StatResult:
    """Welch's t interval and test for mean1 - mean2 from summary statistics."""
    from scipy.stats import norm, t

    n1i, n2i = check_count("n1", n1, minimum=2), check_count("n2", n2, minimum=2)
    for name, s in (("sd1", sd1), ("sd2", sd2)):
        if not (math.isfinite(s) and s >= 0):
            raise BadInput(name, f"{name} must be a standard deviation of at least 0; got {s:g}.")
    if sd1 == 0 and sd2 == 0:
        raise BadInput("sd1", "At least one standard deviation must be above 0.")
    for name, m in (("mean1", mean1), ("mean2", mean2)):
        if not math.isfinite(m):
            raise BadInput(name, f"{name} must be a finite number.")
    _check_conf(confidence)
    v1, v2 = sd1**2 / n1i, sd2**2 / n2i
    se = math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (n1i - 1) + v2**2 / (n2i - 1))
    tc = float(t.ppf(1 - (1 - confidence) / 2, df))
    d = mean1 - mean2
    tstat = d / se
    p = float(2 * t.sf(abs(tstat), df))
    zc = float(norm.ppf(1 - (1 - confidence) / 2))
    return StatResult(
        result={
            "difference": q(d, "metric units"),
            "lower": q(d - tc * se, "metric units"),
            "upper": q(d + tc * se, "metric units"),
            "t": q(tstat, ""),
            "df": q(df, "degrees of freedom"),
            "p_value": q(p, "probability"),
        },
        method="Welch's t interval (unequal variances, Welch-Satterthwaite df)",
        summary=f"The difference in means is {d:.4g} ({confidence:.0%} CI {d - tc * se:.4g} to {d + tc * se:.4g}), "
        f"t = {tstat:.3f} on {df:.1f} df, p = {p:.3g}.",
        steps=(
            Step("standard error", "se = sqrt(s1^2/n1 + s2^2/n2)", round(se, 8)),
            Step("degrees of freedom", "df = (v1 + v2)^2 / (v1^2/(n1-1) + v2^2/(n2-1))", round(df, 4)),
            Step("critical value", "t(1 - (1 - confidence)/2, df)", round(tc, 6)),
            Step("interval", "d +/- t se", f"{d - tc * se:.6g}, {d + tc * se:.6g}"),
        ),
        alternatives=(
            Alternative(
                "normal approximation (z interval)",
                {"lower": q(d - zc * se, "metric units"), "upper": q(d + zc * se, "metric units")},
            ),
        ),
        inputs={"mean1": mean1, "sd1": sd1, "n1": n1i, "mean2": mean2, "sd2": sd2, "n2": n2i, "confidence": confidence},
        warnings=("Small samples: the t interval assumes roughly normal means.",) if min(n1i, n2i) < 30 else (),
    )


def binomial_exact(x: float, n: float, *, p0: float = 0.5, confidence: float = 0.95) -> StatResult:
    """Exact binomial test of H0: p = p0 and the Clopper-Pearson interval (scipy ``binomtest``).

    The two-sided p-value uses the minimum-likelihood convention (scipy's and R's ``binom.test``):
    the sum of P(X = k) over every k no more likely than x.  Doubling the smaller tail, the other
    common convention, is given as an alternative; the two differ when the null distribution is
    skewed (18 of 20 against 0.6: 0.00522 against 0.00722)."""
    from scipy.stats import binom, binomtest

    ni = check_count("n", n)
    xi = check_successes("x", x, "n", ni)
    if not (math.isfinite(p0) and 0 < p0 < 1):
        raise BadInput("p0", f"p0 (the hypothesised rate) must be strictly between 0 and 1; got {p0:g}.")
    _check_conf(confidence)
    bt = binomtest(xi, ni, p0)
    ci = bt.proportion_ci(confidence_level=confidence, method="exact")
    z = z_crit(1 - confidence, 2)
    wl, wu = wilson(xi, ni, z)
    doubled = min(1.0, 2 * float(min(binom.cdf(xi, ni, p0), binom.sf(xi - 1, ni, p0))))
    return StatResult(
        result={
            "estimate": q(xi / ni, "rate"),
            "lower": q(float(ci.low), "rate"),
            "upper": q(float(ci.high), "rate"),
            "p_value": q(float(bt.pvalue), "probability"),
        },
        method="exact binomial test (two-sided p by minimum likelihood), Clopper-Pearson interval",
        summary=f"{xi} of {ni} is {xi / ni:.4f}; the exact {confidence:.0%} interval is "
        f"[{ci.low:.4f}, {ci.high:.4f}] and the test of p = {p0:g} gives a two-sided p = {bt.pvalue:.4g} "
        f"(minimum likelihood; doubling the smaller tail gives {doubled:.4g}).",
        steps=(
            Step("estimate", "p = x / n", round(xi / ni, 8)),
            Step("interval", "Beta quantiles: B(a/2; x, n-x+1), B(1-a/2; x+1, n-x)", f"{ci.low:.7f}, {ci.high:.7f}"),
            Step(
                "p-value (two-sided, minimum likelihood)",
                "sum of P(X = k) over every k with P(X = k) <= P(X = x)",
                float(bt.pvalue),
            ),
        ),
        alternatives=(
            Alternative("Wilson score interval", {"lower": q(wl, "rate"), "upper": q(wu, "rate")}),
            Alternative("two-sided p-value by doubling the smaller tail", {"p_value": q(doubled, "probability")}),
        ),
        inputs={"x": xi, "n": ni, "p0": p0, "confidence": confidence},
    )


def ratio_of_means_ci(
    mean_t: float,
    sd_t: float,
    n_t: float,
    mean_c: float,
    sd_c: float,
    n_c: float,
    *,
    confidence: float = 0.95,
) -> StatResult:
    """Interval for the ratio mean_t / mean_c (and the relative lift = ratio - 1) of two
    independent samples by the delta method: var(R) ~ R^2 (s_t^2 / (n_t m_t^2) + s_c^2 / (n_c m_c^2))."""
    nt, nc = check_count("n_t", n_t, minimum=2), check_count("n_c", n_c, minimum=2)
    check_positive("sd_t", sd_t)
    check_positive("sd_c", sd_c)
    if not (math.isfinite(mean_c) and mean_c != 0):
        raise BadInput("mean_c", "mean_c (the control mean) must be a non-zero number: it is the denominator.")
    if not math.isfinite(mean_t):
        raise BadInput("mean_t", "mean_t must be a finite number.")
    _check_conf(confidence)
    z = z_crit(1 - confidence, 2)
    r = mean_t / mean_c
    cv_t2 = (sd_t**2 / nt) / mean_t**2 if mean_t != 0 else math.inf
    cv_c2 = (sd_c**2 / nc) / mean_c**2
    se = abs(r) * math.sqrt(cv_t2 + cv_c2) if mean_t != 0 else math.sqrt(sd_t**2 / nt) / abs(mean_c)
    lo, hi = r - z * se, r + z * se
    # Fieller-free alternative: the log-ratio interval (symmetric on the log scale).
    alts: tuple[Alternative, ...] = ()
    if r > 0:
        sl = math.sqrt(cv_t2 + cv_c2)
        alts = (
            Alternative(
                "log-ratio delta method",
                {"lower": q(r * math.exp(-z * sl), "ratio"), "upper": q(r * math.exp(z * sl), "ratio")},
            ),
        )
    warns = []
    if cv_c2 > 0.01:
        warns.append("The control mean is imprecise (CV of the mean above 10 %): the delta method is unreliable.")
    return StatResult(
        result={
            "ratio": q(r, "ratio"),
            "lower": q(lo, "ratio"),
            "upper": q(hi, "ratio"),
            "lift": q(r - 1, "ratio"),
            "lift_lower": q(lo - 1, "ratio"),
            "lift_upper": q(hi - 1, "ratio"),
        },
        method="delta method for a ratio of independent means",
        summary=f"Treatment / control = {r:.4f} (lift {r - 1:+.2%}); {confidence:.0%} CI for the lift "
        f"{lo - 1:+.2%} to {hi - 1:+.2%}.",
        steps=(
            Step("ratio", "R = m_t / m_c", round(r, 8)),
            Step("standard error", "se = |R| sqrt(s_t^2/(n_t m_t^2) + s_c^2/(n_c m_c^2))", round(se, 8)),
            Step("interval", "R +/- z se", f"{lo:.6g}, {hi:.6g}"),
        ),
        alternatives=alts,
        inputs={
            "mean_t": mean_t,
            "sd_t": sd_t,
            "n_t": nt,
            "mean_c": mean_c,
            "sd_c": sd_c,
            "n_c": nc,
            "confidence": confidence,
        },
        warnings=tuple(warns),
    )
