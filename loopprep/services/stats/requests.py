"""The stats calculators' requests: one model per calculator, with the bounds on every input."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from loopprep.domain import WholeNumber
from loopprep.errors import InvalidInput


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
    sided: WholeNumber = _sided()
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
    sided: WholeNumber = _sided()
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
    users_per_day: WholeNumber = Field(1000, ge=10, le=1_000_000_000, description="Users per arm per day, 10 to 10^9")
    days: WholeNumber = Field(14, ge=2, le=365, description="Days, 2 to 365")
    alpha: float = _alpha()
    simulations: WholeNumber = Field(2000, ge=100, le=20_000, description="Simulated tests, 100 to 20,000")
    seed: WholeNumber = Field(7, ge=0, le=2**32 - 1, description="Random seed, 0 to 2^32 - 1")


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
