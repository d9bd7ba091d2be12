"""Stats lab calculators: parse a request (from a form, query string or CLI flags), run the
engine, return :class:`StatsAnswer` (the JSON contract shared by ``/api/stats/...`` and
``loopprep stats ... --json``).

``answer`` holds the contract, ``requests`` the request models and their bounds, ``calculators``
the calculators themselves; everything public is re-exported here.
"""

from __future__ import annotations

from loopprep.services.stats.answer import (
    AlternativeOut,
    QuantityOut,
    Scalar,
    StatsAnswer,
    StepOut,
    answer_from,
    run_engine,
)
from loopprep.services.stats.calculators import (
    CALCULATOR_PAGES,
    CALCULATORS,
    adjust,
    calculate,
    calculator_page,
    confidence_interval,
    cuped,
    did,
    mde,
    parse_request,
    peeking,
    power_of,
    sample_size,
    srm,
)
from loopprep.services.stats.requests import (
    MAX_ABS,
    MAX_ARMS,
    MAX_D,
    MAX_PVALUES,
    MAX_USERS,
    MIN_D,
    AdjustRequest,
    CiRequest,
    CupedRequest,
    DidRequest,
    MdeRequest,
    PeekingRequest,
    PowerRequest,
    ProportionsOrMeans,
    SampleSizeRequest,
    SrmRequest,
)

__all__ = [
    "CALCULATORS",
    "CALCULATOR_PAGES",
    "MAX_ABS",
    "MAX_ARMS",
    "MAX_D",
    "MAX_PVALUES",
    "MAX_USERS",
    "MIN_D",
    "AdjustRequest",
    "AlternativeOut",
    "CiRequest",
    "CupedRequest",
    "DidRequest",
    "MdeRequest",
    "PeekingRequest",
    "PowerRequest",
    "ProportionsOrMeans",
    "QuantityOut",
    "SampleSizeRequest",
    "Scalar",
    "SrmRequest",
    "StatsAnswer",
    "StepOut",
    "adjust",
    "answer_from",
    "calculate",
    "calculator_page",
    "confidence_interval",
    "cuped",
    "did",
    "mde",
    "parse_request",
    "peeking",
    "power_of",
    "run_engine",
    "sample_size",
    "srm",
]
