"""Difference-in-differences: the 2x2 estimate from four cell means, and the regression
y = a + b treated + c post + d treated x post on panel data with standard errors clustered by
unit (statsmodels OLS), which accounts for repeated observations of the same unit."""

from __future__ import annotations

import math
from collections.abc import Sequence

from loopprep.engines.stats.result import Alternative, BadInput, StatResult, Step, q, z_crit


def _finite(name: str, x: float) -> float:
    if not math.isfinite(x):
        raise BadInput(name, f"{name} must be a finite number.")
    return x


def did_2x2(
    treat_pre: float,
    treat_post: float,
    control_pre: float,
    control_post: float,
    *,
    se_treat_pre: float | None = None,
    se_treat_post: float | None = None,
    se_control_pre: float | None = None,
    se_control_post: float | None = None,
    confidence: float = 0.95,
) -> StatResult:
    """(treat_post - treat_pre) - (control_post - control_pre); with the four cells' standard
    errors (treated as independent samples) also its SE and interval."""
    for n, v in (
        ("treat_pre", treat_pre),
        ("treat_post", treat_post),
        ("control_pre", control_pre),
        ("control_post", control_post),
    ):
        _finite(n, v)
    dt, dc = treat_post - treat_pre, control_post - control_pre
    est = dt - dc
    result = {
        "did": q(est, "metric units"),
        "treated_change": q(dt, "metric units"),
        "control_change": q(dc, "metric units"),
    }
    ses = [se_treat_pre, se_treat_post, se_control_pre, se_control_post]
    steps = [
        Step("treated change", "T_post - T_pre", round(dt, 8)),
        Step("control change (the counterfactual trend)", "C_post - C_pre", round(dc, 8)),
        Step("difference-in-differences", "(T_post - T_pre) - (C_post - C_pre)", round(est, 8)),
    ]
    warns = [
        "Valid only if both groups would have followed parallel trends without the treatment: "
        "check the pre-period trends."
    ]
    if any(s is not None for s in ses):
        if any(s is None for s in ses):
            raise BadInput("se_treat_pre", "Give all four cell standard errors, or none.")
        for name, s in zip(("se_treat_pre", "se_treat_post", "se_control_pre", "se_control_post"), ses, strict=True):
            if not (s is not None and math.isfinite(s) and s >= 0):
                raise BadInput(name, f"{name} must be a standard error of at least 0.")
        se = math.sqrt(sum(float(s) ** 2 for s in ses if s is not None))
        z = z_crit(1 - confidence, 2)
        result |= {
            "se": q(se, "metric units"),
            "lower": q(est - z * se, "metric units"),
            "upper": q(est + z * se, "metric units"),
        }
        steps.append(
            Step(
                "standard error (independent cells)",
                "sqrt(se_T,pre^2 + se_T,post^2 + se_C,pre^2 + se_C,post^2)",
                round(se, 8),
            )
        )
        warns.append(
            "The cells are treated as independent: with the same units before and after, use panel data "
            "so the SE accounts for their correlation."
        )
    return StatResult(
        result=result,
        method="difference-in-differences (2x2)",
        summary=f"The treated group changed by {dt:+.4g}, the control group by {dc:+.4g}: "
        f"the estimated effect is {est:+.4g}.",
        steps=tuple(steps),
        inputs={
            "treat_pre": treat_pre,
            "treat_post": treat_post,
            "control_pre": control_pre,
            "control_post": control_post,
        },
        warnings=tuple(warns),
    )


def did_panel(
    unit: Sequence[str] | Sequence[int],
    treated: Sequence[float],
    post: Sequence[float],
    y: Sequence[float],
    *,
    confidence: float = 0.95,
) -> StatResult:
    """DiD from panel rows (unit id or integer code, treated 0/1, post 0/1, y): OLS with
    unit-clustered SEs."""
    import numpy as np
    import statsmodels.api as sm

    n = len(y)
    if not (len(unit) == len(treated) == len(post) == n):
        raise BadInput("rows", "unit, treated, post and y must have the same length.")
    tr, po, ya = (np.asarray(v, dtype=float) for v in (treated, post, y))
    for name, arr in (("treated", tr), ("post", po)):
        if not np.isin(arr, (0.0, 1.0)).all():
            raise BadInput(name, f"{name} must be 0 or 1 in every row.")
    if not np.isfinite(ya).all():
        raise BadInput("y", "y must be a finite number in every row.")
    cells = {(a, b): int(((tr == a) & (po == b)).sum()) for a in (0, 1) for b in (0, 1)}
    if min(cells.values()) < 2:
        raise BadInput("rows", "Each of the four groups (treated/control x pre/post) needs at least 2 rows.")
    units = np.asarray(unit)
    _, groups = np.unique(units if units.dtype.kind in "iu" else units.astype(str), return_inverse=True)
    if int(groups.max()) + 1 < 4:
        raise BadInput("unit", "At least 4 distinct units are needed for clustered standard errors.")
    # Treatment is a property of the unit: one that is treated in some rows and not in others
    # leaks between the groups.
    mixed = int((np.bincount(groups, weights=tr) % np.bincount(groups)).astype(bool).sum())
    x = np.column_stack([np.ones(n), tr, po, tr * po])
    ols = sm.OLS(ya, x)
    fit = ols.fit(cov_type="cluster", cov_kwds={"groups": groups})
    plain = ols.fit()
    # An exact fit leaves a covariance of -1e-30: clip before the square root.
    est, se = float(fit.params[3]), math.sqrt(max(0.0, float(fit.cov_params()[3, 3])))
    z = z_crit(1 - confidence, 2)
    p = float(fit.pvalues[3]) if se > 0 else (1.0 if est == 0 else 0.0)
    means = {k: float(ya[(tr == k[0]) & (po == k[1])].mean()) for k in cells}
    return StatResult(
        result={
            "did": q(est, "metric units"),
            "se": q(se, "metric units"),
            "lower": q(est - z * se, "metric units"),
            "upper": q(est + z * se, "metric units"),
            "p_value": q(p, "probability"),
            "units": q(int(groups.max()) + 1, "units"),
            "rows": q(n, "rows"),
        },
        method="difference-in-differences regression, SEs clustered by unit",
        summary=f"Estimated effect {est:+.4g} (SE {se:.3g}, {confidence:.0%} CI {est - z * se:+.4g} to "
        f"{est + z * se:+.4g}, p = {p:.3g}).",
        steps=(
            Step(
                "cell means",
                "T_pre, T_post, C_pre, C_post",
                ", ".join(f"{means[k]:.4g}" for k in ((1, 0), (1, 1), (0, 0), (0, 1))),
            ),
            Step("model", "y = a + b treated + c post + d treated x post", ""),
            Step("estimate", "d", round(est, 8)),
            Step("clustered SE", "sandwich estimator, clusters = units", round(se, 8)),
        ),
        alternatives=(
            Alternative(
                "OLS with ordinary (non-clustered) SEs",
                {
                    "did": q(float(plain.params[3]), "metric units"),
                    "se": q(math.sqrt(max(0.0, float(plain.cov_params()[3, 3]))), "metric units"),
                },
            ),
        ),
        inputs={"rows": n, "confidence": confidence},
        warnings=("Valid only under parallel trends: plot the pre-period trends of both groups.",)
        + (
            (
                f"{mixed:,} unit(s) are treated in some rows and control in others: treatment should be fixed "
                "per unit, so check the treated column.",
            )
            if mixed
            else ()
        ),
    )
