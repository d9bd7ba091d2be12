"""ML coding practice: the problem bank, running and submitting code through the judge, attempts,
performance beside the verdict, and problem CI.

Every function takes the :class:`Judge` it should use; the web app keeps one per worker, the CLI
one per command.  The sandbox never sees an expected value: grading happens here.
"""

from __future__ import annotations

from loopprep.judge.client import JudgeBusy, JudgeUnavailable  # what a caller catches
from loopprep.services.code.bank import (
    ROUND_MINUTES,
    SLOW_RATIO,
    Status,
    get_problem,
    log,
    problem_bank,
    problem_titles,
)
from loopprep.services.code.checks import CheckedProblem, CheckReport, check_problems
from loopprep.services.code.drafts import DRAFT_REASONS, DraftView, describe_draft, get_draft
from loopprep.services.code.perf import measure_attempt, reference_figure
from loopprep.services.code.reading import get_attempt, history, list_problems, protections, show_problem
from loopprep.services.code.running import keep_as_draft, run_code, submit_code
from loopprep.services.code.views import (
    AttemptDetail,
    AttemptResult,
    AttemptSummary,
    CaseView,
    Example,
    Pacing,
    PerfView,
    ProblemHead,
    ProblemList,
    ProblemSummary,
    ProblemView,
    Protections,
)

__all__ = [
    "JudgeBusy",
    "JudgeUnavailable",
    "AttemptDetail",
    "AttemptResult",
    "AttemptSummary",
    "CaseView",
    "DRAFT_REASONS",
    "DraftView",
    "CheckReport",
    "CheckedProblem",
    "Example",
    "Pacing",
    "PerfView",
    "ProblemHead",
    "ProblemList",
    "ProblemSummary",
    "ProblemView",
    "Protections",
    "ROUND_MINUTES",
    "SLOW_RATIO",
    "Status",
    "check_problems",
    "describe_draft",
    "get_attempt",
    "get_draft",
    "get_problem",
    "history",
    "keep_as_draft",
    "list_problems",
    "log",
    "measure_attempt",
    "problem_bank",
    "problem_titles",
    "protections",
    "reference_figure",
    "run_code",
    "show_problem",
    "submit_code",
]
