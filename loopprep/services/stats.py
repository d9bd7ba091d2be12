"""Stats lab calculators: parse a request (from a form, query string or CLI flags), run the
engine, return :class:`StatsAnswer` (the JSON contract shared by ``/api/stats/...`` and
``loopprep stats ... --json``).

The contract: ``{"result": {NAME: {"value", "unit"}}, "method", "alternatives": [{"method",
"result"}], "steps": [{"label", "formula", "value"}], "inputs", "warnings", "summary"}``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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
    """Call an engine; its ``BadInput`` becomes ``InvalidInput`` naming the same field.

    The request models bound every input, so an engine should always answer with finite
    numbers; if a combination still overflows or gives no finite figure, the user gets a clear
    error instead of a 500 or a silent ``nan``."""
    import numpy as np

    try:
        with np.errstate(all="ignore"):
            r = fn(*args, **kwargs)
    except BadInput as exc:
        raise InvalidInput(exc.message, "Fix the value and try again.", field=exc.field) from None
    except (ArithmeticError, ValueError) as exc:
        raise InvalidInput(
            f"These inputs are outside what the calculator can compute ({exc}).",
            "Use values closer to a real experiment: smaller counts, or a larger effect.",
        ) from None
    answer = answer_from(r)
    for name, quantity in answer.result.items():
        if isinstance(quantity.value, float) and not math.isfinite(quantity.value):
            raise InvalidInput(
                f"These inputs give no finite {name.replace('_', ' ')}: the numbers are too extreme to compute.",
                "Use values closer to a real experiment: smaller counts, or a larger effect.",
            )
    return answer


# ---- requests ---------------------------------------------------------------------------------


class _Req(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Bounds on every input: wide enough that no real experiment meets them, tight enough that the
# engines' floats and integers stay finite and every request stays cheap (issue 13, items 8 and 9).
MAX_USERS = 1e12  # users, trials or observations in one arm: more than the world's population
MAX_ABS = 1e12  # means, effects and standard deviations, in metric units
MAX_ARMS = 100  # counts (and split shares) in one SRM check
MAX_PVALUES = 1000  # p-values in one multiple-testing correction
MIN_D = 1e-6  # the smallest standardised effect |effect| / sd (n would pass 10^13 per arm)
MAX_D = 100.0  # the largest: no metric moves by a hundred standard deviations
_LIST_CHARS = 40  # characters per list item allowed in the raw text (a long decimal and a comma)


def _between(lo: float, hi: float, what: str, default: Any = None, *, strict_low: bool = False) -> Any:
    """A field bounded to [lo, hi] (or (lo, hi] with ``strict_low``), saying so in the schema."""
    description = f"{what}, {'above' if strict_low else 'from'} {lo:g} to {hi:g}"
    if strict_low:
        return Field(default, gt=lo, le=hi, description=description)
    return Field(default, ge=lo, le=hi, description=description)


def _alpha() -> Any:
    return _between(1e-10, 0.5, "Significance level", 0.05)


def _power() -> Any:
    return _between(0.01, 0.999999, "Power", 0.8)


def _confidence() -> Any:
    return _between(0.01, 0.999999, "Confidence level", 0.95)


def _rate(default: Any = None) -> Any:
    return _between(0, 1, "A rate", default)


def _users(what: str, low: float = 0) -> Any:
    return _between(low, MAX_USERS, what)


def _amount(what: str, default: Any = None) -> Any:
    return _between(-MAX_ABS, MAX_ABS, what, default)


def _spread(what: str, *, strict: bool = False) -> Any:
    return _between(0, MAX_ABS, what, strict_low=strict)


def _sided() -> Any:
    return _between(1, 2, "1 (one-sided) or 2 (two-sided)", 2)


def _ratio() -> Any:
    return _between(0.01, 100, "Treatment size / control size", 1.0)


def _check_d(effect: float | None, sd: float | None, d: float | None) -> None:
    """The standardised effect must be one a test can detect with a finite sample."""
    if d is None and effect is not None and sd:
        d = effect / sd
        name = "effect"
    else:
        name = "d"
    if d is not None and d != 0 and not MIN_D <= abs(d) <= MAX_D:
        raise InvalidInput(
            f"{name}: the standardised effect |effect| / sd is {abs(d):.3g}; it must be between {MIN_D:g} and "
            f"{MAX_D:g} (a smaller one needs more than 10^13 users per arm).",
            "Check the units of the effect and the standard deviation.",
            field=name,
        )


class ProportionsOrMeans(_Req):
    metric: Literal["proportion", "mean"] = "proportion"
    baseline: float | None = _rate()
    target: float | None = _rate()
    relative: float | None = _between(-1, 1000, "Relative lift")
    effect: float | None = _amount("Difference in means")
    sd: float | None = _spread("Standard deviation", strict=True)
    d: float | None = _between(-MAX_D, MAX_D, "Cohen's d")
    one_sample: bool = False
    alpha: float = _alpha()
    sided: int = _sided()
    ratio: float = _ratio()
    method: Literal["pooled", "arcsine", "baseline"] = "pooled"


class SampleSizeRequest(ProportionsOrMeans):
    power: float = _power()


class PowerRequest(ProportionsOrMeans):
    n: float | None = _users("Users in the control arm", low=2)


class MdeRequest(_Req):
    metric: Literal["proportion", "mean"] = "proportion"
    baseline: float | None = _rate()
    n: float | None = _users("Users in the control arm", low=2)
    sd: float | None = _spread("Standard deviation", strict=True)
    one_sample: bool = False
    alpha: float = _alpha()
    power: float = _power()
    sided: int = _sided()
    ratio: float = _ratio()
    method: Literal["pooled", "arcsine", "baseline"] = "pooled"


class CiRequest(_Req):
    kind: Literal["diff-proportions", "welch", "binomial", "ratio"] = "diff-proportions"
    method: Literal["newcombe", "wald", "mn"] = "newcombe"
    x1: float | None = _users("A count")
    n1: float | None = _users("A count")
    x2: float | None = _users("A count")
    n2: float | None = _users("A count")
    x: float | None = _users("A count")
    n: float | None = _users("A count")
    p0: float = _rate(0.5)
    mean1: float | None = _amount("A mean")
    sd1: float | None = _spread("A standard deviation")
    mean2: float | None = _amount("A mean")
    sd2: float | None = _spread("A standard deviation")
    confidence: float = _confidence()


def _number_list(text: str, *, limit: int, low: float, high: float, example: str) -> str:
    """Validate a comma-separated list of numbers: at most ``limit`` of them, each in [low, high]."""
    items = [t for t in text.replace(";", ",").split(",") if t.strip()]
    if len(items) > limit:
        raise ValueError(f"takes at most {limit:,} numbers; got {len(items):,}")
    for t in items:
        try:
            v = float(t)
        except ValueError:
            raise ValueError(
                f"must be numbers separated by commas (e.g. {example}); '{_short(t.strip())}' is not a number"
            ) from None
        if not low <= v <= high:  # also refuses nan
            raise ValueError(f"must all be between {low:g} and {high:g}; got {_short(t.strip())}")
    return text


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


class SrmRequest(_Req):
    counts: str = Field(
        max_length=MAX_ARMS * _LIST_CHARS,
        description=f"units per arm, comma-separated: at most {MAX_ARMS} arms, each from 0 to 10^12",
    )
    split: str | None = Field(
        None,
        max_length=MAX_ARMS * _LIST_CHARS,
        description=f"planned shares, comma-separated: at most {MAX_ARMS}, each from 10^-6 to 10^12",
    )
    threshold: float = Field(0.001, ge=1e-12, le=0.5, description="Flag SRM when p is below this, 1e-12 to 0.5")

    @field_validator("counts")
    @classmethod
    def _counts(cls, v: str) -> str:
        return _number_list(v, limit=MAX_ARMS, low=0, high=MAX_USERS, example="5000,5100")

    @field_validator("split")
    @classmethod
    def _split(cls, v: str | None) -> str | None:
        return v and _number_list(v, limit=MAX_ARMS, low=1e-6, high=MAX_USERS, example="50,50")


class AdjustRequest(_Req):
    pvalues: str = Field(
        max_length=MAX_PVALUES * _LIST_CHARS,
        description=f"p-values, comma-separated: at most {MAX_PVALUES:,}, each from 0 to 1",
    )
    alpha: float = _alpha()
    method: Literal["holm", "bonferroni", "bh", "by"] = "holm"

    @field_validator("pvalues")
    @classmethod
    def _pvalues(cls, v: str) -> str:
        return _number_list(v, limit=MAX_PVALUES, low=0, high=1, example="0.01,0.04")


class CupedRequest(_Req):
    rho: float = Field(ge=-1, le=1, description="Correlation with the pre-period metric, -1 to 1")
    n: float | None = _users("Users per arm without CUPED", low=1)


class DidRequest(_Req):
    treat_pre: float = _amount("A group mean", ...)
    treat_post: float = _amount("A group mean", ...)
    control_pre: float = _amount("A group mean", ...)
    control_post: float = _amount("A group mean", ...)
    se_treat_pre: float | None = _spread("A standard error")
    se_treat_post: float | None = _spread("A standard error")
    se_control_pre: float | None = _spread("A standard error")
    se_control_post: float | None = _spread("A standard error")
    confidence: float = _confidence()


class PeekingRequest(_Req):
    baseline: float = Field(0.1, ge=0.0001, le=0.9999, description="Conversion rate, 0.0001 to 0.9999")
    users_per_day: int = Field(1000, ge=10, le=1_000_000_000, description="Users per arm per day, 10 to 10^9")
    days: int = Field(14, ge=2, le=365, description="Days, 2 to 365")
    alpha: float = _alpha()
    simulations: int = Field(2000, ge=100, le=20_000, description="Simulated tests, 100 to 20,000")
    seed: int = Field(7, ge=0, le=2**32 - 1, description="Random seed, 0 to 2^32 - 1")


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
    _check_d(req.effect, req.sd, req.d)
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
    _check_d(req.effect, req.sd, req.d)
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


_BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "finite_number"}


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() and abs(x) >= 1000 else f"{x:g}"


def _range_words(info: Any) -> str:
    """'between 0 and 1' (or 'above 0 and at most 1,000') from a field's constraints."""
    attrs = {"Ge": "ge", "Gt": "gt", "Le": "le", "Lt": "lt"}
    bounds = {type(m).__name__: getattr(m, attrs[type(m).__name__]) for m in info.metadata if type(m).__name__ in attrs}
    hi = _num(bounds.get("Le", bounds.get("Lt", float("inf"))))
    if "Gt" in bounds:
        return f"above {_num(bounds['Gt'])} and at most {hi}"
    return f"between {_num(bounds.get('Ge', float('-inf')))} and {hi}"


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
            elif err["type"] in _BOUND_ERRORS and field in model.model_fields:
                msg = f"{field} must be {_range_words(model.model_fields[field])}; got {_short(str(err.get('input')))}."
            elif err["type"] == "string_too_long":
                msg = f"{field} is too long: {model.model_fields[field].description}."
            elif err["type"] == "value_error":
                msg = f"{field} {str(err['ctx']['error'])}."
            else:
                msg = f"{field}: {err['msg']} (got {_short(repr(err.get('input')))})."
            fields.setdefault(field, msg)
        raise InvalidInput(" ".join(fields.values()), "Fix the fields named and try again.", fields=fields) from None


def calculate(name: str, raw: Mapping[str, Any]) -> StatsAnswer:
    """Parse and run calculator ``name`` (one of ``CALCULATORS``)."""
    req = parse_request(name, raw)
    return CALCULATORS[name][1](req)
