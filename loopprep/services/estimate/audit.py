"""Check the numbers: the knowledge chapter's estimation claims recomputed by the calculators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from loopprep.engines.estimate.audit import Claim, audit_chapter
from loopprep.services.estimate.catalog import _base_presets

if TYPE_CHECKING:  # kept out of import time: `loopprep --help` builds the estimate commands from this module
    from loopprep.services.context import AppContext


class ClaimView(BaseModel):
    id: str
    estimation: str
    quote: str
    claimed: str
    exact: str
    verdict: Literal["right", "rough", "wrong"]
    explanation: str
    calculator: str
    query: str


class CheckView(BaseModel):
    source: str
    claims: list[ClaimView]
    counts: dict[str, int]


def check_the_numbers(ctx: AppContext | None = None) -> CheckView:
    """The chapter's §129.5 worked example, claim by claim, with figures computed now."""
    p = _base_presets(ctx)
    claims: list[Claim] = audit_chapter(
        llama_70b=p.model("llama-3-70b"),
        llama_8b=p.model("llama-3-8b"),
        gemma_9b=p.model("gemma-2-9b"),
        h100=p.gpu("h100-sxm"),
        bf16=p.dtype("bf16"),
    )
    views = [ClaimView(**c.__dict__) for c in claims]
    counts = {v: sum(c.verdict == v for c in views) for v in ("right", "rough", "wrong")}
    return CheckView(
        source='The interview-day chapter, §129.5 "The art of back-of-envelope under pressure"',
        claims=views,
        counts=counts,
    )
