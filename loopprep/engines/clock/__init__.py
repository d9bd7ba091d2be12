"""The Clock: a day-by-day study plan to the loop date, re-planning, and its calendar."""

from loopprep.engines.clock.model import (
    Availability,
    ItemKind,
    LoopRound,
    Phase,
    PhaseRule,
    PhaseSpan,
    PlanRequest,
    PlanRules,
    PlanTask,
    Status,
    StudyPlan,
    TaskKind,
    TimelineRule,
)
from loopprep.engines.clock.phases import PlanInputError, phase_spans
from loopprep.engines.clock.plan import day_minutes, make_plan, replan, task_refs_ok

__all__ = [
    "Availability",
    "ItemKind",
    "LoopRound",
    "Phase",
    "PhaseRule",
    "PhaseSpan",
    "PlanInputError",
    "PlanRequest",
    "PlanRules",
    "PlanTask",
    "Status",
    "StudyPlan",
    "TaskKind",
    "TimelineRule",
    "day_minutes",
    "make_plan",
    "phase_spans",
    "replan",
    "task_refs_ok",
]
