"""The Clock's plain values: task kinds, availability, the loop's rounds, plan tasks.

The phases, item kinds and task statuses are shared vocabulary and live in :mod:`loopprep.domain`;
they are re-exported here so ``loopprep.engines.clock`` keeps offering them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from loopprep.domain import PHASE_LABELS as PHASE_LABELS
from loopprep.domain import ItemKind as ItemKind
from loopprep.domain import Phase as Phase
from loopprep.domain import RoundId
from loopprep.domain import Status as Status


@dataclass(frozen=True)
class TaskKind:
    """One kind of task, from the plan content: how long it takes and where it may go.

    ``item_kind``/``items``: what the task names (``items`` empty with ``item_kind == topic``
    means "the round's focus areas, in order").  ``teaches``: studying the item for the first
    time (such tasks are never scheduled in the last seven days).  ``reuses``: the item must be a
    topic already scheduled earlier (mocks, drills, quick reference).  ``cases``: an activity
    kind whose items are the stats lab's case studies (``PlanRules.cases``, in bank order), each
    named at most once in the plan.  ``problems``: the same for the ML coding problem bank
    (``PlanRules.problems``, easiest first, so earlier days get the easier problems).
    """

    id: str
    title: str
    minutes: int
    phases: tuple[Phase, ...]
    item_kind: ItemKind
    rounds: tuple[RoundId, ...] = ()
    items: tuple[str, ...] = ()
    max_per_day: int = 1
    max_per_phase: int | None = None
    teaches: bool = False
    reuses: bool = False
    ai_only: bool = False
    last_day: bool = False  # only on the last day of its phase (e.g. the night-before checklist)
    label: Mapping[str, str] = field(default_factory=dict)  # optional title per stage, e.g. "early"
    cases: bool = False
    problems: bool = False

    @property
    def banked(self) -> bool:
        """Does the kind draw its items from a bank (cases or problems), each at most once?"""
        return self.cases or self.problems


@dataclass(frozen=True)
class PhaseRule:
    """Standard phase lengths (days) and the share of available hours a phase uses."""

    deep_study_days: int = 14
    mock_days: int = 7
    review_days: int = 5
    light_touch_days: int = 2
    ramp_up_load: float = 0.5


@dataclass(frozen=True)
class TimelineRule:
    """The timeline matrix for a loop of several rounds (minutes): prep before each round, a short
    note after each round that has another one after it the same day, a review at the end of
    each day of rounds."""

    prep_minutes: int = 60
    review_minutes: int = 30
    note_minutes: int = 2


@dataclass(frozen=True)
class PlanRules:
    kinds: Mapping[str, TaskKind]
    topics: Mapping[RoundId, tuple[str, ...]]  # each round's focus areas, fundamentals first
    frameworks: frozenset[str]
    activities: frozenset[str]
    phases: PhaseRule = PhaseRule()
    cases: tuple[str, ...] = ()  # the stats lab's case ids, in a stable (bank) order
    problems: tuple[str, ...] = ()  # the ML coding problem ids: easy, medium, hard, then by id
    timeline: TimelineRule = TimelineRule()
    # the kinds the timeline matrix uses
    prep_kind: str = "round-prep"
    review_kind: str = "round-review"
    reset_kind: str = "reset"  # the between-rounds note (the id predates it; kept for stored plans)

    def pool(self, kind: TaskKind) -> tuple[str, ...]:
        """The bank a cases or problems kind draws from, in the order it is worked through."""
        if kind.cases:
            return self.cases
        return self.problems if kind.problems else ()


@dataclass(frozen=True)
class Availability:
    """Minutes available per weekday (Mon-Fri) and weekend day, and whole days off."""

    weekday_minutes: int
    weekend_minutes: int
    days_off: frozenset[dt.date] = frozenset()

    def minutes_on(self, day: dt.date) -> int:
        if day in self.days_off:
            return 0
        return self.weekend_minutes if day.weekday() >= 5 else self.weekday_minutes


@dataclass(frozen=True)
class LoopRound:
    """One interview of the loop: its round type, local start time and length."""

    round: RoundId
    start: dt.datetime  # naive, the user's local time
    minutes: int

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class PlanRequest:
    """Everything a plan is made from.  ``loop_rounds`` empty: a one-day loop on ``loop_date``."""

    start: dt.date
    loop_date: dt.date
    availability: Availability
    weights: Mapping[RoundId, float]
    ai_role: bool = False
    loop_rounds: tuple[LoopRound, ...] = ()

    @property
    def first_day(self) -> dt.date:
        return min([r.start.date() for r in self.loop_rounds], default=self.loop_date)

    @property
    def last_day(self) -> dt.date:
        return max([r.start.date() for r in self.loop_rounds], default=self.loop_date)


@dataclass(frozen=True)
class PlanTask:
    """One task on one day.  ``key`` is stable across re-plans (the calendar UID is built on it).
    ``at`` is a fixed local start time for timeline tasks (None: a study block of the day).
    ``counts`` is False for timeline blocks pinned to the interviews (review, reset), which are
    part of the loop day and not of the study hours."""

    key: str
    day: dt.date
    kind: str
    title: str
    minutes: int
    phase: Phase
    item_kind: ItemKind
    item: str
    round: RoundId | None = None
    new_material: bool = False
    at: dt.datetime | None = None
    counts: bool = True
    status: Status = Status.PENDING
    reason: str = ""


@dataclass(frozen=True)
class PhaseSpan:
    phase: Phase
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class StudyPlan:
    """A plan: its phases (in order, the last ending on the loop's last day), its tasks ordered
    by day, and notices for the user (e.g. "your loop is tomorrow")."""

    start: dt.date
    end: dt.date
    phases: tuple[PhaseSpan, ...]
    tasks: tuple[PlanTask, ...]
    notices: tuple[str, ...] = ()
    dropped: tuple[PlanTask, ...] = ()

    def phase_on(self, day: dt.date) -> Phase | None:
        for span in self.phases:
            if span.first <= day <= span.last:
                return span.phase
        return None
