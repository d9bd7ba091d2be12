"""The stats lab's answer contract: :class:`StatsAnswer`, built from an engine's result.

The contract: ``{"result": {NAME: {"value", "unit"}}, "method", "alternatives": [{"method",
"result"}], "steps": [{"label", "formula", "value"}], "inputs", "warnings", "summary"}``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from loopprep.engines.stats.result import BadInput, StatResult
from loopprep.errors import InvalidInput

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
