"""Multiple-testing corrections (statsmodels ``multipletests``): Bonferroni and Holm control the
family-wise error rate; Benjamini-Hochberg and Benjamini-Yekutieli control the false discovery
rate (BY under any dependence)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from loopprep.engines.stats.result import Alternative, BadInput, Quantity, StatResult, Step, q

ADJUST_METHODS = {
    "holm": ("holm", "Holm step-down (family-wise error rate)"),
    "bonferroni": ("bonferroni", "Bonferroni (family-wise error rate)"),
    "bh": ("fdr_bh", "Benjamini-Hochberg (false discovery rate)"),
    "by": ("fdr_by", "Benjamini-Yekutieli (false discovery rate, any dependence)"),
}


def _holm(pvalues: Sequence[float], alpha: float) -> tuple[list[float], list[bool]]:
    """Holm's step-down adjustment.  Written out because statsmodels' ``holm`` takes ~35 ms per
    call here (its general step-down loop), which alone breaks the 20 ms calculator budget; a
    test checks it equals statsmodels' output."""
    import numpy as np

    p = np.asarray(pvalues, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    stepped = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    adj = np.empty(m)
    adj[order] = stepped
    return [float(x) for x in adj], [bool(x <= alpha) for x in adj]


def adjusted(pvalues: Sequence[float], *, alpha: float, method: str) -> tuple[list[float], list[bool]]:
    """Adjusted p-values and rejections (``method`` one of ``ADJUST_METHODS``)."""
    if method == "holm":
        return _holm(pvalues, alpha)
    from statsmodels.stats.multitest import multipletests

    reject, padj, _, _ = multipletests(list(pvalues), alpha=alpha, method=ADJUST_METHODS[method][0])
    return [float(x) for x in padj], [bool(x) for x in reject]


def adjust_pvalues(
    pvalues: Sequence[float], *, alpha: float = 0.05, method: str = "holm", names: Sequence[str] | None = None
) -> StatResult:
    """Adjusted p-values and rejections for a family of tests."""
    if method not in ADJUST_METHODS:
        raise BadInput("method", f"method must be one of {', '.join(ADJUST_METHODS)}; got '{method}'.")
    if not pvalues:
        raise BadInput("pvalues", "pvalues needs at least one p-value (e.g. 0.01,0.04,0.03).")
    for p in pvalues:
        if not (math.isfinite(p) and 0 <= p <= 1):
            raise BadInput("pvalues", f"every p-value must be between 0 and 1; got {p:g}.")
    if not (math.isfinite(alpha) and 0 < alpha < 1):
        raise BadInput("alpha", f"alpha must be strictly between 0 and 1 (e.g. 0.05); got {alpha:g}.")
    labels = list(names) if names else [f"test_{i + 1}" for i in range(len(pvalues))]
    if len(labels) != len(pvalues):
        raise BadInput("names", f"names has {len(labels)} entries but there are {len(pvalues)} p-values.")

    def res(m: str) -> dict[str, Quantity]:
        padj, rej = adjusted(pvalues, alpha=alpha, method=m)
        out = {"rejected": q(sum(rej), "tests")}
        for lab, pa, r in zip(labels, padj, rej, strict=True):
            out[f"adjusted_{lab}"] = q(pa, "probability")
            out[f"reject_{lab}"] = q(r, "flag")
        return out

    main = res(method)
    raw = sum(p <= alpha for p in pvalues)
    m = len(pvalues)
    return StatResult(
        result=main,
        method=ADJUST_METHODS[method][1],
        summary=f"{main['rejected'].value} of {m} tests stay significant at {alpha:g} after {ADJUST_METHODS[method][1]}"
        f" ({raw} before correction).",
        steps=(
            Step("tests", "m", m),
            Step("Bonferroni", "p_adj = min(1, m p)", ""),
            Step("Holm", "sort p ascending; p_adj(i) = max_{j<=i} min(1, (m - j + 1) p(j))", ""),
            Step("Benjamini-Hochberg", "p_adj(i) = min_{j>=i} min(1, m p(j) / j)", ""),
            Step(
                "Benjamini-Yekutieli",
                "BH x c(m), c(m) = sum_{i=1..m} 1/i",
                round(sum(1 / i for i in range(1, m + 1)), 6),
            ),
        ),
        alternatives=tuple(Alternative(ADJUST_METHODS[k][1], res(k)) for k in ADJUST_METHODS if k != method),
        inputs={"pvalues": list(pvalues), "alpha": alpha, "method": method, "names": labels},
    )
