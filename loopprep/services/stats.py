"""Stats lab calculators: parse a request (from a form, query string or CLI flags), run the
engine, return :class:`StatsAnswer` (the JSON contract shared by ``/api/stats/...`` and
``loopprep stats ... --json``).

The contract: ``{"result": {NAME: {"value", "unit"}}, "method", "alternatives": [{"method",
"result"}], "steps": [{"label", "formula", "value"}], "inputs", "warnings", "summary"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from loopprep.engines.stats.result import BadInput, StatResult
from loopprep.errors import InvalidInput, NotFound

Scalar = float | int | str | bool | None


class QuantityOut(BaseModel):
    value: Scalar
    unit: str


class StepOut(BaseModel):
    label: str
    formula: str
    value: Scalar


class AlternativeOut(BaseModel):
    method: str
    result: dict[str, QuantityOut]


class StatsAnswer(BaseModel):
    result: dict[str, QuantityOut]
    method: str
    alternatives: list[AlternativeOut]
    steps: list[StepOut]
    inputs: dict[str, Any]
    warnings: list[str]
    summary: str


def answer_from(r: StatResult) -> StatsAnswer:
    def res(m: Mapping[str, Any]) -> dict[str, QuantityOut]:
        return {k: QuantityOut(value=v.value, unit=v.unit) for k, v in m.items()}

    return StatsAnswer(
        result=res(r.result),
        method=r.method,
        alternatives=[AlternativeOut(method=a.method, result=res(a.result)) for a in r.alternatives],
        steps=[StepOut(label=s.label, formula=s.formula, value=s.value) for s in r.steps],
        inputs=dict(r.inputs),
        warnings=list(r.warnings),
        summary=r.summary,
    )


def run_engine(fn: Callable[..., StatResult], *args: Any, **kwargs: Any) -> StatsAnswer:
    """Call an engine; its ``BadInput`` becomes ``InvalidInput`` naming the same field."""
    try:
        return answer_from(fn(*args, **kwargs))
    except BadInput as exc:
        raise InvalidInput(exc.message, "Fix the value and try again.", field=exc.field) from None


# ---- requests ---------------------------------------------------------------------------------


class _Req(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProportionsOrMeans(_Req):
    metric: Literal["proportion", "mean"] = "proportion"
    baseline: float | None = None
    target: float | None = None
    relative: float | None = None
    effect: float | None = None
    sd: float | None = None
    d: float | None = None
    one_sample: bool = False
    alpha: float = 0.05
    sided: int = 2
    ratio: float = 1.0
    method: Literal["pooled", "arcsine", "baseline"] = "pooled"


class SampleSizeRequest(ProportionsOrMeans):
    power: float = 0.8


class PowerRequest(ProportionsOrMeans):
    n: float | None = None


class MdeRequest(_Req):
    metric: Literal["proportion", "mean"] = "proportion"
    baseline: float | None = None
    n: float | None = None
    sd: float | None = None
    one_sample: bool = False
    alpha: float = 0.05
    power: float = 0.8
    sided: int = 2
    ratio: float = 1.0
    method: Literal["pooled", "arcsine", "baseline"] = "pooled"


class CiRequest(_Req):
    kind: Literal["diff-proportions", "welch", "binomial", "ratio"] = "diff-proportions"
    method: Literal["newcombe", "wald", "mn"] = "newcombe"
    x1: float | None = None
    n1: float | None = None
    x2: float | None = None
    n2: float | None = None
    x: float | None = None
    n: float | None = None
    p0: float = 0.5
    mean1: float | None = None
    sd1: float | None = None
    mean2: float | None = None
    sd2: float | None = None
    confidence: float = 0.95


class SrmRequest(_Req):
    counts: str
    split: str | None = None
    threshold: float = 0.001


class AdjustRequest(_Req):
    pvalues: str
    alpha: float = 0.05
    method: Literal["holm", "bonferroni", "bh", "by"] = "holm"


class CupedRequest(_Req):
    rho: float
    n: float | None = None


class DidRequest(_Req):
    treat_pre: float
    treat_post: float
    control_pre: float
    control_post: float
    se_treat_pre: float | None = None
    se_treat_post: float | None = None
    se_control_pre: float | None = None
    se_control_post: float | None = None
    confidence: float = 0.95


class PeekingRequest(_Req):
    baseline: float = 0.1
    users_per_day: int = 1000
    days: int = 14
    alpha: float = 0.05
    simulations: int = 2000
    seed: int = 7


def _need(name: str, v: float | None, what: str) -> float:
    if v is None:
        raise InvalidInput(f"{name} is required: {what}.", field=name)
    return v


def _floats(name: str, text: str) -> list[float]:
    try:
        out = [float(t) for t in text.replace(";", ",").split(",") if t.strip()]
    except ValueError:
        raise InvalidInput(
            f"{name} must be numbers separated by commas (e.g. 5000,5100); got '{text}'.", field=name
        ) from None
    if not out:
        raise InvalidInput(f"{name} needs at least one number (e.g. 5000,5100).", field=name)
    return out


def sample_size(req: SampleSizeRequest) -> StatsAnswer:
    from loopprep.engines.stats import means, power

    if req.metric == "proportion":
        base = _need("baseline", req.baseline, "the control conversion rate, between 0 and 1")
        return run_engine(
            power.proportions_sample_size,
            base,
            target=req.target,
            relative=req.relative,
            alpha=req.alpha,
            power=req.power,
            sided=req.sided,
            ratio=req.ratio,
            method=req.method,
        )
    return run_engine(
        means.means_sample_size,
        effect=req.effect,
        sd=req.sd,
        d=req.d,
        alpha=req.alpha,
        power=req.power,
        sided=req.sided,
        ratio=req.ratio,
        one_sample=req.one_sample,
    )


def power_of(req: PowerRequest) -> StatsAnswer:
    from loopprep.engines.stats import means, power

    n = _need("n", req.n, "users in the control arm (or the one sample), at least 2")
    if req.metric == "proportion":
        base = _need("baseline", req.baseline, "the control conversion rate, between 0 and 1")
        return run_engine(
            power.proportions_power,
            base,
            n=n,
            target=req.target,
            relative=req.relative,
            alpha=req.alpha,
            sided=req.sided,
            ratio=req.ratio,
            method=req.method,
        )
    return run_engine(
        means.means_power,
        n=n,
        effect=req.effect,
        sd=req.sd,
        d=req.d,
        alpha=req.alpha,
        sided=req.sided,
        ratio=req.ratio,
        one_sample=req.one_sample,
    )


def mde(req: MdeRequest) -> StatsAnswer:
    from loopprep.engines.stats import means, power

    n = _need("n", req.n, "users in the control arm (or the one sample), at least 2")
    if req.metric == "proportion":
        base = _need("baseline", req.baseline, "the control conversion rate, between 0 and 1")
        return run_engine(
            power.proportions_mde,
            base,
            n=n,
            alpha=req.alpha,
            power=req.power,
            sided=req.sided,
            ratio=req.ratio,
            method=req.method,
        )
    return run_engine(
        means.means_mde,
        n=n,
        sd=req.sd,
        alpha=req.alpha,
        power=req.power,
        sided=req.sided,
        ratio=req.ratio,
        one_sample=req.one_sample,
    )


def confidence_interval(req: CiRequest) -> StatsAnswer:
    from loopprep.engines.stats import intervals

    if req.kind == "diff-proportions":
        return run_engine(
            intervals.diff_proportions_ci,
            _need("x1", req.x1, "successes in arm 1 (treatment)"),
            _need("n1", req.n1, "users in arm 1"),
            _need("x2", req.x2, "successes in arm 2 (control)"),
            _need("n2", req.n2, "users in arm 2"),
            confidence=req.confidence,
            method=req.method,
        )
    if req.kind == "binomial":
        return run_engine(
            intervals.binomial_exact,
            _need("x", req.x, "successes"),
            _need("n", req.n, "trials"),
            p0=req.p0,
            confidence=req.confidence,
        )
    args = (
        _need("mean1", req.mean1, "the mean of arm 1 (treatment)"),
        _need("sd1", req.sd1, "its standard deviation"),
        _need("n1", req.n1, "its size, at least 2"),
        _need("mean2", req.mean2, "the mean of arm 2 (control)"),
        _need("sd2", req.sd2, "its standard deviation"),
        _need("n2", req.n2, "its size, at least 2"),
    )
    fn = intervals.welch_ci if req.kind == "welch" else intervals.ratio_of_means_ci
    return run_engine(fn, *args, confidence=req.confidence)


def srm(req: SrmRequest) -> StatsAnswer:
    from loopprep.engines.stats.srm import srm_check

    counts = _floats("counts", req.counts)
    split = _floats("split", req.split) if req.split else None
    return run_engine(srm_check, counts, split=split, threshold=req.threshold)


def adjust(req: AdjustRequest) -> StatsAnswer:
    from loopprep.engines.stats.adjust import adjust_pvalues

    return run_engine(adjust_pvalues, _floats("pvalues", req.pvalues), alpha=req.alpha, method=req.method)


def cuped(req: CupedRequest) -> StatsAnswer:
    from loopprep.engines.stats.cuped import cuped_planning

    return run_engine(cuped_planning, req.rho, n=req.n)


def did(req: DidRequest) -> StatsAnswer:
    from loopprep.engines.stats.did import did_2x2

    return run_engine(
        did_2x2,
        req.treat_pre,
        req.treat_post,
        req.control_pre,
        req.control_post,
        se_treat_pre=req.se_treat_pre,
        se_treat_post=req.se_treat_post,
        se_control_pre=req.se_control_pre,
        se_control_post=req.se_control_post,
        confidence=req.confidence,
    )


def peeking(req: PeekingRequest) -> StatsAnswer:
    from loopprep.engines.stats.peeking import peeking_simulation

    return run_engine(
        peeking_simulation,
        baseline=req.baseline,
        users_per_day=req.users_per_day,
        days=req.days,
        alpha=req.alpha,
        simulations=req.simulations,
        seed=req.seed,
    )


# Each calculator page's title and one-line intro: the page shows them and search indexes them.
CALCULATOR_PAGES: dict[str, tuple[str, str]] = {
    "sample-size": (
        "Sample size",
        ("Users per arm to detect an effect, with the figure from each common method beside the chosen one."),
    ),
    "power": (
        "Power",
        "The chance that a test with n users per arm detects the effect, if it is real.",
    ),
    "mde": (
        "Minimum detectable effect",
        "The smallest change a test of this size can detect with the chosen power, absolute and relative.",
    ),
    "ci": (
        "Confidence intervals",
        (
            "Difference of two proportions (Newcombe's hybrid score by default; Wald and Miettinen–Nurminen "
            "beside it), Welch's interval for means, the exact binomial interval, a ratio of means (delta "
            "method)."
        ),
    ),
    "srm": (
        "Sample ratio mismatch",
        "Are the arms the size you planned? Check this before reading any effect.",
    ),
    "adjust": (
        "Multiple testing",
        "Adjusted p-values and rejections when several metrics or variants are tested at once.",
    ),
    "cuped": (
        "CUPED variance reduction",
        "How much a pre-period covariate saves: the variance falls by 1 − ρ².",
    ),
    "did": (
        "Difference-in-differences",
        (
            "When you cannot randomise: compare the treated group's change with the control group's change. "
            "Upload panel data below for a clustered standard error."
        ),
    ),
    "peeking": (
        "Peeking",
        (
            "Simulate A/A tests checked every day: how often does a 'significant' result appear with no real "
            "effect? Beside it, the always-valid mSPRT checked just as often."
        ),
    ),
}


def calculator_page(name: str) -> dict[str, str]:
    """The title and intro of calculator ``name``'s page."""
    title, intro = CALCULATOR_PAGES[name]
    return {"title": title, "intro": intro}


CALCULATORS: dict[str, tuple[type[_Req], Callable[[Any], StatsAnswer]]] = {
    "sample-size": (SampleSizeRequest, sample_size),
    "power": (PowerRequest, power_of),
    "mde": (MdeRequest, mde),
    "ci": (CiRequest, confidence_interval),
    "srm": (SrmRequest, srm),
    "adjust": (AdjustRequest, adjust),
    "cuped": (CupedRequest, cuped),
    "did": (DidRequest, did),
    "peeking": (PeekingRequest, peeking),
}


def parse_request(name: str, raw: Mapping[str, Any]) -> _Req:
    """Build calculator ``name``'s request from raw strings (form fields, query parameters);
    blank values mean "not given".  Raises ``InvalidInput`` naming every bad field."""
    if name not in CALCULATORS:
        raise NotFound(f"There is no calculator '{name}'.", f"Try one of: {', '.join(CALCULATORS)}.")
    model = CALCULATORS[name][0]
    data = {k: v for k, v in raw.items() if not (isinstance(v, str) and v.strip() == "")}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for err in exc.errors(include_url=False):
            field = ".".join(str(p) for p in err["loc"]) or "request"
            if err["type"] == "extra_forbidden":
                msg = f"'{field}' is not an input of this calculator."
            elif err["type"] == "missing":
                msg = f"{field} is required."
            else:
                msg = f"{field}: {err['msg']} (got {err.get('input')!r})."
            fields.setdefault(field, msg)
        raise InvalidInput(" ".join(fields.values()), "Fix the fields named and try again.", fields=fields) from None


def calculate(name: str, raw: Mapping[str, Any]) -> StatsAnswer:
    """Parse and run calculator ``name`` (one of ``CALCULATORS``)."""
    req = parse_request(name, raw)
    return CALCULATORS[name][1](req)
