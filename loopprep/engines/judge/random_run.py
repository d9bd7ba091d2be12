"""How a run's random cases are reported: one row for the seed set, plus the first failing case.

Two hundred rows that all say "passed" tell a candidate nothing; the first failing case, with its
category note ("random case 43") and its seed, tells them what to replay.
"""

from __future__ import annotations

from dataclasses import dataclass

from loopprep.engines.judge.grade import CaseSpec, Graded, Verdict


@dataclass(frozen=True)
class RandomRun:
    """The random cases a run included: seeds ``first_seed .. first_seed + count - 1`` (those the
    problem's own checks did not drop), and the first failing one, if any."""

    first_seed: int
    count: int
    ran: int
    digest: str
    failed_seed: int | None = None
    failed_case: int | None = None  # 1-based, as in "random case 43"


def fold_random(g: Graded, random_cases: list[CaseSpec], *, first_seed: int, count: int, digest: str) -> Graded:
    """``g`` with its random cases folded: the first non-passing one stays (with its seed), the rest
    go; ``g.random`` says which seeds ran.  ``random_cases`` are the specs sent, by index."""
    if not random_cases:
        return g
    seeds = {c.index: c.seed for c in random_cases}
    failing = None
    kept = []
    for c in g.cases:
        if c.index not in seeds:
            kept.append(c)
        elif c.status not in ("passed", "not-run") and failing is None:
            c.seed = seeds[c.index]
            failing = c
            kept.append(c)
    g.cases = kept
    g.random = RandomRun(
        first_seed=first_seed,
        count=count,
        ran=len(random_cases),
        digest=digest,
        failed_seed=failing.seed if failing else None,
        failed_case=(failing.seed - first_seed + 1) if failing and failing.seed is not None else None,
    )
    if g.verdict is Verdict.ACCEPTED:
        fixed = g.total - len(random_cases)
        g.message = f"All {fixed} tests and {len(random_cases)} random cases passed."
    return g
