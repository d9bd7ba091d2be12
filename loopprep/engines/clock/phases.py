"""Phase spans and the checks on a plan request: the bounds, the notices, the errors that name a field."""

from __future__ import annotations

import datetime as dt
import math

from loopprep.domain import MAX_MINUTES_PER_DAY, MIN_MINUTES_PER_DAY
from loopprep.engines.clock.model import Phase, PhaseSpan, PlanRequest, PlanRules

LAST_WEEK_DAYS = 7
MAX_DAY_MINUTES = MAX_MINUTES_PER_DAY  # the one bound, in loopprep.domain
# A plan covers at most a year of preparation (the profile refuses loop dates further out) and a
# loop of at most a month: every day is walked once, so this bounds the work and the calendar.
MAX_PREP_DAYS = 366
MAX_LOOP_DAYS = 31


class PlanInputError(ValueError):
    """A request that cannot make a plan; ``field`` names the input to fix, ``hint`` how."""

    def __init__(self, message: str, *, field: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.hint = hint


def _past(first_day: dt.date, start: dt.date) -> PlanInputError:
    return PlanInputError(
        f"The loop date {first_day.isoformat()} is in the past (the plan starts {start.isoformat()}).",
        field="loop_date",
        hint="Set the loop date to today or later (loopprep profile set --loop-date YYYY-MM-DD).",
    )


def phase_spans(start: dt.date, first_day: dt.date, last_day: dt.date, *, rules: PlanRules) -> tuple[PhaseSpan, ...]:
    """The phases from ``start`` to ``last_day`` (see the module docstring for the rule).

    Phases are returned in order, contiguous, without empty ones; the last is the day of.
    Raises ``PlanInputError`` when ``first_day`` is before ``start``."""
    n = (first_day - start).days
    if n < 0:
        raise _past(first_day, start)
    pr = rules.phases
    light = min(pr.light_touch_days, n)
    review = min(pr.review_days, n - light)
    rest = n - light - review
    standard = pr.deep_study_days + pr.mock_days
    if rest >= standard:
        deep, mock, ramp = pr.deep_study_days, pr.mock_days, rest - standard
    else:
        deep = math.ceil(rest * pr.deep_study_days / standard)
        mock, ramp = rest - deep, 0
    spans = []
    day = start
    for phase, days in (
        (Phase.RAMP_UP, ramp),
        (Phase.DEEP_STUDY, deep),
        (Phase.MOCK_SHARPEN, mock),
        (Phase.REVIEW, review),
        (Phase.LIGHT_TOUCH, light),
    ):
        if days > 0:
            spans.append(PhaseSpan(phase, day, day + dt.timedelta(days=days - 1)))
            day += dt.timedelta(days=days)
    spans.append(PhaseSpan(Phase.DAY_OF, first_day, last_day))
    return tuple(spans)


def _notices(request: PlanRequest, n: int, rules: PlanRules) -> list[str]:
    first = request.first_day.isoformat()
    if n == 0:
        return [f"Your loop starts today ({first}): this is the day-of plan. No new material; execute."]
    if n == 1:
        return [
            f"Your loop is tomorrow ({first}): this is the day-before plan (light touch). "
            "Review, prepare your questions, no new material; sleep matters more than cramming."
        ]
    standard = rules.phases.deep_study_days + rules.phases.mock_days + rules.phases.review_days
    standard += rules.phases.light_touch_days
    if n <= LAST_WEEK_DAYS:
        return [f"Your loop is {n} days away: the whole plan is inside the last week, so it is review only."]
    if n < standard:
        return [
            f"Your loop is {n} days away, closer than {standard // 7} weeks: the phases are compressed "
            "(deep study and mocks shrink first, the last week stays review and light touch)."
        ]
    return []


def _validate(request: PlanRequest) -> int:
    a = request.availability
    for name, value in (("weekday_minutes", a.weekday_minutes), ("weekend_minutes", a.weekend_minutes)):
        if not MIN_MINUTES_PER_DAY <= value <= MAX_DAY_MINUTES:
            raise PlanInputError(
                f"{name.replace('_', ' ').capitalize()} must be between {MIN_MINUTES_PER_DAY} and "
                f"{MAX_DAY_MINUTES} (got {value}).",
                field=name,
                hint="Give the minutes you can study on such a day, e.g. 90.",
            )
    if not request.weights or sum(request.weights.values()) <= 0:
        raise PlanInputError("The round weights are empty.", field="weights", hint="Set a profile first.")
    rounds = sorted(request.loop_rounds, key=lambda r: r.start)
    for r in rounds:
        if not 5 <= r.minutes <= 480:
            raise PlanInputError(f"A round lasts between 5 and 480 minutes (got {r.minutes}).", field="loop_rounds")
    for a_round, b_round in zip(rounds, rounds[1:], strict=False):
        if b_round.start < a_round.end:
            raise PlanInputError(
                f"The {a_round.round.value} round at {a_round.start:%Y-%m-%d %H:%M} overlaps the next one.",
                field="loop_rounds",
                hint="Give each round its own time slot.",
            )
    n = (request.first_day - request.start).days
    if n < 0:
        raise _past(request.first_day, request.start)
    if n > MAX_PREP_DAYS:
        raise PlanInputError(
            f"The loop ({request.first_day.isoformat()}) is {n} days after the plan's start; a plan covers at most "
            f"{MAX_PREP_DAYS} days.",
            field="loop_date",
            hint="Set your loop's real date, at most a year ahead (loopprep profile set --loop-date YYYY-MM-DD).",
        )
    if (request.last_day - request.first_day).days > MAX_LOOP_DAYS:
        raise PlanInputError(
            f"The loop's rounds run from {request.first_day.isoformat()} to {request.last_day.isoformat()}; "
            f"a loop spans at most {MAX_LOOP_DAYS} days.",
            field="loop_rounds",
            hint="Check the rounds' dates, or leave out rounds not yet booked.",
        )
    if n > 0:
        total = sum(request.availability.minutes_on(request.start + dt.timedelta(days=i)) for i in range(n))
        if total == 0:
            raise PlanInputError(
                f"No study time is available between {request.start.isoformat()} and the loop "
                f"({request.first_day.isoformat()}): every day has zero hours or is a day off.",
                field="weekday_minutes",
                hint="Give some minutes per weekday or weekend day, or fewer days off.",
            )
    return n
