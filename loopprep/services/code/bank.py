"""The problem bank as the services see it: shipped problems plus the user's own, and the round pacing."""

from __future__ import annotations

import logging
from typing import Literal

from loopprep.content.loader import ProblemBank
from loopprep.engines.judge.problem import Problem
from loopprep.errors import NotFound
from loopprep.services.context import AppContext

log = logging.getLogger("loopprep.judge")
ROUND_MINUTES = 45
SLOW_RATIO = 10.0  # a vectorised problem's solution this many times slower than the reference is flagged
Status = Literal["solved", "attempted", "new"]


def problem_bank(ctx: AppContext) -> ProblemBank:
    """The shipped problems plus the user's own (``LOOPPREP_CONTENT_DIR/problems`` and
    ``LOOPPREP_PROBLEMS_DIR``), as loaded into the content bank when the context opened."""
    return ctx.bank.coding


def get_problem(ctx: AppContext, problem_id: str) -> Problem:
    bank = problem_bank(ctx)
    if problem_id not in bank.problems:
        raise NotFound(f"There is no coding problem '{problem_id}'.", "List them with `loopprep code list`.")
    return bank.problems[problem_id]


def problem_titles(ctx: AppContext) -> list[tuple[str, str, str]]:
    """(id, title, difficulty) of every problem, easy first: what the plan names."""
    order = {"easy": 0, "medium": 1, "hard": 2}
    probs = sorted(problem_bank(ctx).problems.values(), key=lambda p: (order[p.difficulty], p.id))
    return [(p.id, p.title, p.difficulty) for p in probs]
