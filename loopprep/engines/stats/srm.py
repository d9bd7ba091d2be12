"""Sample ratio mismatch: a chi-square goodness-of-fit test of the observed arm sizes against
the planned split (Fabijan et al., "Diagnosing Sample Ratio Mismatch in Online Controlled
Experiments", KDD 2019, recommend a strict threshold such as p < 0.0005-0.001)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from loopprep.engines.stats.result import BadInput, StatResult, Step, q


def srm_check(
    counts: Sequence[float],
    *,
    split: Sequence[float] | None = None,
    threshold: float = 0.001,
    names: Sequence[str] | None = None,
) -> StatResult:
    """Chi-square test of ``counts`` (units per arm) against ``split`` (planned shares or
    weights, default equal).  SRM is flagged when p < ``threshold``."""
    from scipy.stats import chisquare

    if len(counts) < 2:
        raise BadInput("counts", "counts needs at least two arms (e.g. 5000,5100).")
    for c in counts:
        if not (math.isfinite(c) and c == int(c) and c >= 0):
            raise BadInput("counts", f"counts must be whole numbers of at least 0; got {c:g}.")
    total = int(sum(counts))
    if total == 0:
        raise BadInput("counts", "counts add up to 0: there is nothing to test.")
    weights = list(split) if split is not None else [1.0] * len(counts)
    if len(weights) != len(counts):
        raise BadInput("split", f"split has {len(weights)} shares but counts has {len(counts)} arms.")
    if any(not (math.isfinite(w) and w > 0) for w in weights):
        raise BadInput("split", "split shares must all be positive (e.g. 50,50 or 0.9,0.1).")
    if not (math.isfinite(threshold) and 0 < threshold < 1):
        raise BadInput("threshold", f"threshold must be strictly between 0 and 1 (e.g. 0.001); got {threshold:g}.")
    shares = [w / sum(weights) for w in weights]
    expected = [total * s for s in shares]
    res = chisquare([float(c) for c in counts], expected)
    stat, p = float(res.statistic), float(res.pvalue)
    labels = list(names) if names else [f"arm_{i + 1}" for i in range(len(counts))]
    srm = p < threshold
    result = {
        "chi_square": q(stat, ""),
        "df": q(len(counts) - 1, "degrees of freedom"),
        "p_value": q(p, "probability"),
        "srm": q(srm, "flag"),
    }
    for lab, c, s in zip(labels, counts, shares, strict=True):
        result[f"share_{lab}"] = q(c / total, "share")
        result[f"expected_share_{lab}"] = q(s, "share")
    verdict = (
        f"Sample ratio mismatch: p = {p:.3g} < {threshold:g}. The split is not what was planned; do not trust "
        "the effects until the cause (assignment, logging, bot filtering, redirects) is found."
        if srm
        else f"No sample ratio mismatch: p = {p:.3g} >= {threshold:g}; the observed split is consistent with the plan."
    )
    warns = [] if total >= 100 else ["Fewer than 100 units: the chi-square approximation is rough."]
    return StatResult(
        result=result,
        method="chi-square goodness-of-fit test",
        summary=verdict,
        steps=(
            Step("expected counts", "E_i = N x share_i", ", ".join(f"{e:.1f}" for e in expected)),
            Step("statistic", "chi2 = sum (O_i - E_i)^2 / E_i", round(stat, 6)),
            Step("p-value", f"P(chi2 with {len(counts) - 1} df > statistic)", p),
        ),
        inputs={"counts": [int(c) for c in counts], "split": shares, "threshold": threshold},
        warnings=tuple(warns),
    )
