"""The experiment analyser: stream rows in, keep only sufficient statistics per (variant,
metric) and per (segment, value, variant, metric), then report SRM first, the effects with
intervals and p-values, CUPED-adjusted effects, segment effects with a Simpson's-paradox check,
and p-values corrected across the metrics tested.

Memory is O(variants x metrics x segment values), not O(rows): a million-row file is fed in
chunks.  Metrics whose values are all 0 or 1 are proportions (difference with Newcombe's
interval, pooled two-proportion z-test); others are means (Welch's t).  CUPED uses a pre-period
column ``pre_<metric>`` with theta pooled across arms (Deng et al. 2013).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from loopprep.engines.stats.result import BadInput

# per group: n, sum y, sum y^2; CUPED: m (rows with x), sum x, sum x^2, sum xy, sum y, sum y^2
_N, _SY, _SYY = 0, 1, 2
_M, _SX, _SXX, _SXY, _SY2, _SYY2 = 3, 4, 5, 6, 7, 8
WIDTH = 9


@dataclass
class Accumulator:
    """Sufficient statistics, fed chunk by chunk with :meth:`add`."""

    metrics: tuple[str, ...]
    segments: tuple[str, ...] = ()
    cuped: tuple[str, ...] = ()
    rows: int = 0
    stats: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # (variant, metric)
    seg_stats: dict[tuple[str, str, str, str], list[float]] = field(default_factory=dict)  # (seg, value, variant, m)
    binary: dict[str, bool] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        variant: Any,
        metrics: Mapping[str, Any],
        *,
        pre: Mapping[str, Any] | None = None,
        segments: Mapping[str, Any] | None = None,
    ) -> None:
        """Add one chunk: ``variant`` an array of labels, ``metrics`` arrays of floats (NaN =
        missing), ``pre`` the ``pre_<metric>`` arrays, ``segments`` arrays of labels.  Sums that
        overflow become inf and are refused by :func:`analyse`."""
        import numpy as np

        with np.errstate(over="ignore", invalid="ignore"):
            self._add(variant, metrics, pre=pre, segments=segments)

    def drop_segment(self, name: str) -> None:
        """Stop breaking down by segment ``name`` and forget its sums (a column with too many
        levels would make memory grow with its distinct values)."""
        self.segments = tuple(s for s in self.segments if s != name)
        self.seg_stats = {k: v for k, v in self.seg_stats.items() if k[0] != name}

    def _add(
        self,
        variant: Any,
        metrics: Mapping[str, Any],
        *,
        pre: Mapping[str, Any] | None = None,
        segments: Mapping[str, Any] | None = None,
    ) -> None:
        import numpy as np

        var = np.asarray(variant).astype(str)
        labels, inv = np.unique(var, return_inverse=True)
        k = len(labels)
        self.rows += len(var)
        for lab, c in zip(labels, np.bincount(inv, minlength=k), strict=True):
            self.units[str(lab)] = self.units.get(str(lab), 0) + int(c)
        for m in self.metrics:
            y = np.asarray(metrics[m], dtype=float)
            ok = np.isfinite(y)
            self.missing[m] = self.missing.get(m, 0) + int((~ok).sum())
            yv = np.where(ok, y, 0.0)
            self.binary[m] = self.binary.get(m, True) and bool(np.isin(y[ok], (0.0, 1.0)).all())
            cols: list[np.ndarray] = [
                np.bincount(inv, weights=ok.astype(float), minlength=k),
                np.bincount(inv, weights=yv, minlength=k),
                np.bincount(inv, weights=yv * yv, minlength=k),
            ]
            if pre is not None and m in self.cuped:
                x = np.asarray(pre[m], dtype=float)
                both = ok & np.isfinite(x)
                xv, yb = np.where(both, x, 0.0), np.where(both, y, 0.0)
                cols += [
                    np.bincount(inv, weights=both.astype(float), minlength=k),
                    np.bincount(inv, weights=xv, minlength=k),
                    np.bincount(inv, weights=xv * xv, minlength=k),
                    np.bincount(inv, weights=xv * yb, minlength=k),
                    np.bincount(inv, weights=yb, minlength=k),
                    np.bincount(inv, weights=yb * yb, minlength=k),
                ]
            else:
                cols += [np.zeros(k)] * 6
            block = np.column_stack(cols)
            for i, lab in enumerate(labels):
                acc = self.stats.setdefault((str(lab), m), [0.0] * WIDTH)
                for j in range(WIDTH):
                    acc[j] += float(block[i, j])
            for s in self.segments:
                assert segments is not None
                sv = np.asarray(segments[s]).astype(str)
                keys = np.char.add(np.char.add(sv, "\x1f"), var)
                ukeys, kinv = np.unique(keys, return_inverse=True)
                kk = len(ukeys)
                n = np.bincount(kinv, weights=ok.astype(float), minlength=kk)
                sy = np.bincount(kinv, weights=yv, minlength=kk)
                syy = np.bincount(kinv, weights=yv * yv, minlength=kk)
                for i, key in enumerate(ukeys):
                    value, lab = str(key).split("\x1f", 1)
                    acc = self.seg_stats.setdefault((s, value, lab, m), [0.0, 0.0, 0.0])
                    acc[0] += float(n[i])
                    acc[1] += float(sy[i])
                    acc[2] += float(syy[i])


@dataclass(frozen=True)
class Effect:
    metric: str
    variant: str
    kind: str  # "proportion" or "mean"
    n_control: int
    n_treatment: int
    mean_control: float
    mean_treatment: float
    effect: float
    lower: float
    upper: float
    p_value: float
    relative: float | None
    p_adjusted: float | None = None
    cuped_effect: float | None = None
    cuped_lower: float | None = None
    cuped_upper: float | None = None
    cuped_p_value: float | None = None
    cuped_rho: float | None = None
    segment: str | None = None
    segment_value: str | None = None


@dataclass(frozen=True)
class Analysis:
    rows: int
    control: str
    variants: tuple[str, ...]
    counts: Mapping[str, int]
    srm_p_value: float
    srm: bool
    srm_verdict: str
    effects: tuple[Effect, ...]
    segment_effects: tuple[Effect, ...]
    warnings: tuple[str, ...]
    verdict: str
    missing: Mapping[str, int]
    adjust_method: str


def _var(n: float, s: float, ss: float) -> float:
    return max(0.0, (ss - s * s / n) / (n - 1)) if n > 1 else 0.0


def _check_finite(metric: str, *arms: Sequence[float]) -> None:
    """Sums of squares overflow for |values| above ~1e154: refuse rather than report a nan effect."""
    if not all(math.isfinite(x) for a in arms for x in a):
        raise BadInput(
            metric,
            f"metric '{metric}' has values too large to add up (a sum or a sum of squares overflows); "
            "rescale the column (e.g. to thousands) and analyse again.",
        )


def _compare(metric: str, kind: str, c: Sequence[float], t: Sequence[float], variant: str, z: float) -> Effect:
    from scipy.stats import norm
    from scipy.stats import t as tdist

    from loopprep.engines.stats.intervals import newcombe_diff

    nc, nt = c[_N], t[_N]
    mc, mt = c[_SY] / nc, t[_SY] / nt
    d = mt - mc
    if kind == "proportion":
        xt, xc = round(t[_SY]), round(c[_SY])
        lo, hi = newcombe_diff(xt, int(nt), xc, int(nc), z)
        pool = (xt + xc) / (nt + nc)
        se0 = math.sqrt(pool * (1 - pool) * (1 / nt + 1 / nc))
        p = float(2 * norm.sf(abs(d) / se0)) if se0 > 0 else 1.0
    else:
        vc, vt = _var(nc, c[_SY], c[_SYY]) / nc, _var(nt, t[_SY], t[_SYY]) / nt
        se = math.sqrt(vc + vt)
        if se == 0:
            lo = hi = d
            p = 1.0 if d == 0 else 0.0
        else:
            df = (vc + vt) ** 2 / ((vc * vc / (nc - 1) if nc > 1 else 0) + (vt * vt / (nt - 1) if nt > 1 else 0) or 1)
            tc = float(tdist.ppf(norm.cdf(z), df))
            lo, hi, p = d - tc * se, d + tc * se, float(2 * tdist.sf(abs(d) / se, df))
    return Effect(metric, variant, kind, int(nc), int(nt), mc, mt, d, lo, hi, p, d / mc if mc != 0 else None)


def _cuped(e: Effect, c: Sequence[float], t: Sequence[float], z: float) -> Effect:

    from scipy.stats import norm

    m = c[_M] + t[_M]
    if c[_M] < 2 or t[_M] < 2:
        return e
    sx, sxx, sxy = c[_SX] + t[_SX], c[_SXX] + t[_SXX], c[_SXY] + t[_SXY]
    sy, syy = c[_SY2] + t[_SY2], c[_SYY2] + t[_SYY2]
    vx = sxx / m - (sx / m) ** 2
    vy = syy / m - (sy / m) ** 2
    cxy = sxy / m - (sx / m) * (sy / m)
    if vx <= 0 or vy <= 0:
        return e
    theta = cxy / vx
    rho = cxy / math.sqrt(vx * vy)

    def arm(a: Sequence[float]) -> tuple[float, float]:
        n = a[_M]
        my, mx = a[_SY2] / n, a[_SX] / n
        vyy = _var(n, a[_SY2], a[_SYY2])
        vxx = _var(n, a[_SX], a[_SXX])
        cov = (a[_SXY] - a[_SX] * a[_SY2] / n) / (n - 1)
        return my - theta * mx, max(0.0, vyy - 2 * theta * cov + theta * theta * vxx) / n

    ac, vc = arm(c)
    at, vt = arm(t)
    d = at - ac
    se = math.sqrt(vc + vt)
    p = float(2 * norm.sf(abs(d) / se)) if se > 0 else 1.0
    return replace(e, cuped_effect=d, cuped_lower=d - z * se, cuped_upper=d + z * se, cuped_p_value=p, cuped_rho=rho)


def analyse(
    acc: Accumulator,
    *,
    control: str,
    split: Sequence[float] | None = None,
    threshold: float = 0.001,
    confidence: float = 0.95,
    adjust_method: str = "holm",
) -> Analysis:
    """The report for the accumulated rows.  Raises ``BadInput`` for a missing control, a
    single variant or an arm without data."""
    from loopprep.engines.stats.adjust import adjusted
    from loopprep.engines.stats.result import z_crit
    from loopprep.engines.stats.srm import srm_check

    variants = tuple(sorted(acc.units))
    if len(variants) < 2:
        raise BadInput(
            "variant",
            f"The file has only one variant ({', '.join(variants) or 'none'}); "
            "an experiment needs a control and at least one treatment.",
        )
    if control not in acc.units:
        raise BadInput(
            "control", f"control '{control}' is not a variant in the file; the variants are {', '.join(variants)}."
        )
    order = (control, *[v for v in variants if v != control])
    counts = {v: acc.units[v] for v in order}
    srm = srm_check([counts[v] for v in order], split=split, threshold=threshold, names=list(order))
    srm_p = float(srm.result["p_value"].value or 0.0)
    srm_flag = bool(srm.result["srm"].value)
    z = z_crit(1 - confidence, 2)
    warns: list[str] = []
    effects: list[Effect] = []
    for m in acc.metrics:
        kind = "proportion" if acc.binary.get(m, False) else "mean"
        c = acc.stats[(control, m)]
        for v in order[1:]:
            t = acc.stats[(v, m)]
            if c[_N] < 2 or t[_N] < 2:
                raise BadInput(m, f"metric '{m}' has fewer than two values in variant '{v if t[_N] < 2 else control}'.")
            _check_finite(m, c, t)
            e = _compare(m, kind, c, t, v, z)
            if not all(math.isfinite(x) for x in (e.effect, e.lower, e.upper, e.p_value)):
                raise BadInput(m, f"metric '{m}' gives no finite effect: its values are too extreme to compare.")
            if m in acc.cuped:
                e = _cuped(e, c, t, z)
            effects.append(e)

    if len(effects) > 1:
        padj, _ = adjusted([e.p_value for e in effects], alpha=1 - confidence, method=adjust_method)
        effects = [replace(e, p_adjusted=p) for e, p in zip(effects, padj, strict=True)]
    else:
        effects = [replace(e, p_adjusted=e.p_value) for e in effects]
    seg_effects: list[Effect] = []
    for s in acc.segments:
        values = sorted({k[1] for k in acc.seg_stats if k[0] == s})
        for m in acc.metrics:
            kind = "proportion" if acc.binary.get(m, False) else "mean"
            for v in order[1:]:
                per = []
                for val in values:
                    c = acc.seg_stats.get((s, val, control, m), [0.0, 0.0, 0.0])
                    t = acc.seg_stats.get((s, val, v, m), [0.0, 0.0, 0.0])
                    if c[0] < 2 or t[0] < 2 or not all(math.isfinite(x) for x in (*c, *t)):
                        continue
                    e = replace(_compare(m, kind, c, t, v, z), segment=s, segment_value=val)
                    per.append(e)
                seg_effects += per
                agg = next(e for e in effects if e.metric == m and e.variant == v)
                signs = {math.copysign(1, e.effect) for e in per if e.effect != 0}
                if len(per) >= 2 and len(signs) == 1 and agg.effect != 0 and math.copysign(1, agg.effect) not in signs:
                    warns.append(
                        f"Simpson's paradox on '{m}' ({v} vs {control}) by '{s}': every segment moves "
                        f"{'up' if signs == {1.0} else 'down'} but the aggregate moves "
                        f"{'up' if agg.effect > 0 else 'down'}. The arms' mix of '{s}' differs: "
                        "compare within segments (or stratify) before deciding."
                    )
    for m, k in acc.missing.items():
        if k:
            warns.append(f"Metric '{m}' has {k:,} missing values; those rows are left out of its analysis.")
    if srm_flag:
        verdict = (
            f"Sample ratio mismatch (p = {srm_p:.2g}): the arms are not the planned sizes, so the effects "
            "below cannot be trusted. Find the cause (assignment, logging, filtering) first."
        )
    else:
        sig = [e for e in effects if (e.p_adjusted if e.p_adjusted is not None else e.p_value) < 1 - confidence]
        if sig:
            verdict = (
                "No sample ratio mismatch. Significant after correction: "
                + "; ".join(f"{e.metric} ({e.variant}) {e.effect:+.4g}" for e in sig)
                + "."
            )
        else:
            verdict = "No sample ratio mismatch. No metric moved significantly after correction."
    return Analysis(
        rows=acc.rows,
        control=control,
        variants=order,
        counts=counts,
        srm_p_value=srm_p,
        srm=srm_flag,
        srm_verdict=srm.summary,
        effects=tuple(effects),
        segment_effects=tuple(seg_effects),
        warnings=tuple(warns),
        verdict=verdict,
        missing=dict(acc.missing),
        adjust_method=adjust_method,
    )
