"""Stated requirements as verdicts: the side-by-side timing rule.

Where a statement *requires* a complexity or vectorised code, ``perf.require`` bounds the
submission's time on the larger input at ``require`` times the reference's.  The two are timed
alternately in the same judge call (reference, submission, reference, ...), and the ratio of their
medians decides: a machine that gets busier halfway slows both sides alike, so the verdict does not
flip between runs of the same file, as comparing a live timing with a cached one did.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

ROUNDS = 3

Timed = float | str  # milliseconds, or why there is no figure ("memory", "time", or an error)


@dataclass
class SideBySide:
    reference_ms: list[float] = field(default_factory=list)
    submission_ms: list[float] = field(default_factory=list)
    failure: str | None = None  # why the submission has no figure: "memory", "time" or an error
    reference_failure: str | None = None


def alternate(
    time_reference: Callable[[], Timed], time_submission: Callable[[float], Timed], *, rounds: int = ROUNDS
) -> SideBySide:
    """Call the two timers alternately, ``rounds`` times each, reference first.  The submission's
    timer gets the reference's median so far, to bound its own run.  Stops at the first failure."""
    out = SideBySide()
    for _ in range(rounds):
        ref = time_reference()
        if isinstance(ref, str):
            out.reference_failure = ref
            return out
        out.reference_ms.append(ref)
        mine = time_submission(statistics.median(out.reference_ms))
        if isinstance(mine, str):
            out.failure = mine
            return out
        out.submission_ms.append(mine)
    return out


@dataclass(frozen=True)
class RequireOutcome:
    verdict: str | None  # None: the requirement holds; "too-slow" | "memory-limit"; "unknown": no reference
    ratio: float | None
    message: str


def require_rule(timings: SideBySide, *, require: float) -> RequireOutcome:
    """The verdict of ``perf.require`` over recorded timings: too slow when the submission's median
    exceeds ``require`` x the reference's median; running out of memory or time there breaks it too."""
    if timings.reference_failure is not None or not timings.reference_ms:
        return RequireOutcome("unknown", None, f"the reference could not be timed ({timings.reference_failure})")
    ref = statistics.median(timings.reference_ms)
    if timings.failure == "memory":
        return RequireOutcome(
            "memory-limit", None, "Memory ran out on the larger input, where the statement requires an efficient method"
        )
    if timings.failure is not None:
        return RequireOutcome(
            "too-slow",
            None,
            f"On the larger input your code {'ran out of time' if timings.failure == 'time' else timings.failure}; "
            f"the statement requires it within {require:g}x the reference's time ({ref:.1f} ms)",
        )
    mine = statistics.median(timings.submission_ms)
    ratio = mine / ref if ref > 0 else (1.0 if mine <= 0 else float("inf"))
    if ratio > require:
        return RequireOutcome(
            "too-slow",
            ratio,
            f"{ratio:.0f}x slower than the reference on the larger input ({mine:.1f} ms against {ref:.1f} ms, "
            f"medians of {len(timings.submission_ms)} alternating runs); the statement requires within {require:g}x",
        )
    return RequireOutcome(None, ratio, f"within {require:g}x of the reference ({ratio:.1f}x)")
