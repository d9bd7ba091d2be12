"""CUPED (Deng, Xu, Kohavi & Walker, WSDM 2013): adjust a metric Y by a pre-period covariate X,
Y' = Y - theta (X - mean X), theta = cov(X, Y) / var(X) pooled across arms.  The variance of the
mean falls by the factor 1 - rho^2, so the same power needs (1 - rho^2) of the users."""

from __future__ import annotations

import math
from dataclasses import dataclass

from loopprep.engines.stats.result import BadInput, StatResult, Step, check_count, q


def cuped_planning(rho: float, *, n: float | None = None) -> StatResult:
    """What a pre-period covariate with correlation ``rho`` saves (per arm ``n`` optional)."""
    if not (math.isfinite(rho) and -1 < rho < 1):
        raise BadInput(
            "rho",
            f"rho (the correlation of the metric with its pre-period value) must be strictly "
            f"between -1 and 1; got {rho:g}.",
        )
    factor = 1 - rho * rho
    result = {
        "variance_factor": q(factor, "ratio"),
        "sample_saving": q(rho * rho, "share"),
        "se_factor": q(math.sqrt(factor), "ratio"),
    }
    words = (
        f"rho = {rho:g} cuts the variance to {factor:.1%} of its value: {rho * rho:.1%} fewer users for the same power"
    )
    if n is not None:
        ni = check_count("n", n, minimum=2)
        result["n_needed"] = q(math.ceil(ni * factor), "users")
        words += f" ({ni:,} → {math.ceil(ni * factor):,} per arm)"
    return StatResult(
        result=result,
        method="CUPED (pre-period covariate adjustment)",
        summary=words + ".",
        steps=(
            Step("adjusted metric", "Y' = Y - theta (X - mean X), theta = cov(X, Y) / var(X)", ""),
            Step("variance factor", "var(Y') / var(Y) = 1 - rho^2", round(factor, 6)),
            Step("sample needed", "n' = n (1 - rho^2)", result["n_needed"].value if n is not None else ""),
        ),
        inputs={"rho": rho} | ({"n": n} if n is not None else {}),
        warnings=("A covariate measured after assignment can absorb the treatment effect: use pre-period data only.",),
    )


@dataclass(frozen=True)
class CupedFit:
    theta: float
    rho: float
    x_mean: float


def cuped_fit(y: object, x: object) -> CupedFit:
    """theta and rho from numpy arrays ``y``, ``x`` pooled across arms."""
    import numpy as np

    ya, xa = np.asarray(y, dtype=float), np.asarray(x, dtype=float)
    vx = float(np.var(xa))
    if len(ya) < 2 or vx == 0:
        return CupedFit(0.0, 0.0, float(np.mean(xa)) if len(xa) else 0.0)
    cov = float(np.mean((xa - xa.mean()) * (ya - ya.mean())))
    vy = float(np.var(ya))
    rho = cov / math.sqrt(vx * vy) if vy > 0 else 0.0
    return CupedFit(cov / vx, rho, float(xa.mean()))
