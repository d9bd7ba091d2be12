"""The stats calculators: each runs its engine on a parsed request; ``calculate`` parses raw input
(a form, a query string or CLI flags) and runs calculator ``name``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from loopprep.errors import InvalidInput, NotFound
from loopprep.services.stats.answer import StatsAnswer, run_engine
from loopprep.services.stats.requests import (
    AdjustRequest,
    CiRequest,
    CupedRequest,
    DidRequest,
    MdeRequest,
    PeekingRequest,
    PowerRequest,
    SampleSizeRequest,
    SrmRequest,
    _check_d,
    _floats,
    _need,
    _Req,
    _short,
)


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
