"""Plan generation and re-planning: a pure function of a request, the plan rules and the past.

The phase rule (documented in ``content/data/plan/plan.yaml`` and the README):

* The *prep days* run from the start date to the day before the loop's first round (``n`` days);
  the *day of* runs from the first round's day to the last one's; the plan ends there.
* Light touch takes the last ``light_touch_days`` (2) prep days, or what there is: it is always
  kept.  Review mode takes the ``review_days`` (5) before it, shrinking first when the loop is
  close.  Light touch plus review is the last week, where no teaching task (new material) ever
  goes.
* The rest ``r`` is deep study (14) then mock & sharpen (7).  When ``r`` is shorter than 21 days
  both shrink in proportion (deep study gets ``ceil(r * 14 / 21)``: material comes before mocks);
  when it is longer, the extra days before deep study are a ramp-up at ``ramp_up_load`` of the
  hours available.

Cases and problems: a kind with ``cases`` (``problems``) names the stats lab's case studies (the
ML coding problem bank) as its activity items, in the order ``PlanRules.cases``
(``PlanRules.problems``, easiest first) gives them, each at most once in the plan and never again
after a re-plan.  Days are filled in order, so the earlier phases get the easier problems.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from loopprep.domain import RoundId
from loopprep.engines.clock.model import (
    ItemKind,
    Phase,
    PhaseSpan,
    PlanRequest,
    PlanRules,
    PlanTask,
    Status,
    StudyPlan,
    TaskKind,
)
from loopprep.engines.clock.phases import _notices, _validate, phase_spans


class _Builder:
    """One pass over the days, placing carried tasks first and then new ones by round weight."""

    def __init__(self, request: PlanRequest, rules: PlanRules, spans: tuple[PhaseSpan, ...]) -> None:
        self.request = request
        self.rules = rules
        self.spans = spans
        self.tasks: list[PlanTask] = []
        self.seen: set[str] = set()
        self.seen_by_round: dict[RoundId, list[str]] = defaultdict(list)
        self.banked_used: set[str] = set()  # stats cases and coding problems named so far (each at most once)
        self.banked_reserved: set[str] = set()  # cases and problems of carried tasks not yet placed
        self.banked = frozenset(rules.cases) | frozenset(rules.problems)
        self.use_count: Counter[tuple[str, str]] = Counter()  # (kind, item) -> times placed
        self.round_minutes: Counter[RoundId] = Counter()
        self.total_minutes = 0
        self.keys: set[str] = set()
        self.next_n: dict[tuple[str, str], int] = {}  # the next free key number per (kind, item)
        self.phase_kind: Counter[tuple[Phase, str]] = Counter()
        self.day_used: Counter[dt.date] = Counter()
        total_weight = sum(request.weights.values())
        self.weights = {r: w / total_weight for r, w in request.weights.items() if w > 0}

    # -- bookkeeping ---------------------------------------------------------------------------
    def phase_on(self, day: dt.date) -> Phase | None:
        for span in self.spans:
            if span.first <= day <= span.last:
                return span.phase
        return None

    def span_of(self, phase: Phase) -> PhaseSpan | None:
        return next((s for s in self.spans if s.phase == phase), None)

    def is_banked(self, task: PlanTask) -> bool:
        """Does the task name a stats case or a coding problem (activity ids never equal them)?"""
        return task.item_kind == ItemKind.ACTIVITY and task.item in self.banked

    def is_new(self, task: PlanTask) -> bool:
        """New material: a topic not seen before, or a stats case or coding problem (never named twice)."""
        if task.item_kind == ItemKind.TOPIC:
            return task.item not in self.seen
        return self.is_banked(task) and task.item not in self.banked_used

    def note(self, task: PlanTask, *, placed: bool) -> None:
        if self.is_banked(task):
            self.banked_used.add(task.item)
        if task.item_kind == ItemKind.TOPIC and task.item not in self.seen:
            self.seen.add(task.item)
            if task.round is not None:
                self.seen_by_round[task.round].append(task.item)
        self.use_count[(task.kind, task.item)] += 1
        if task.round is not None:
            self.round_minutes[task.round] += task.minutes
        self.total_minutes += task.minutes
        self.keys.add(task.key)
        phase = self.phase_on(task.day)
        if phase is not None:
            self.phase_kind[(phase, task.kind)] += 1
        if task.counts and task.day >= self.request.start and task.status != Status.SKIPPED:
            self.day_used[task.day] += task.minutes
        if placed:
            self.tasks.append(task)

    def capacity(self, day: dt.date, phase: Phase) -> int:
        minutes = self.request.availability.minutes_on(day)
        if phase == Phase.RAMP_UP:
            minutes = int(minutes * self.rules.phases.ramp_up_load)
        return minutes - self.day_used[day]

    def new_key(self, kind: str, item: str) -> str:
        """A key no task of this plan, carried, kept or reserved (dropped) has; keys are only
        ever added, so the search resumes where the last one for this (kind, item) stopped."""
        n = self.next_n.get((kind, item), 1)
        while f"{kind}-{item}-{n}" in self.keys:
            n += 1
        self.next_n[(kind, item)] = n + 1
        return f"{kind}-{item}-{n}"

    # -- items ---------------------------------------------------------------------------------
    def pick_item(self, kind: TaskKind, rnd: RoundId | None) -> str | None:
        if kind.item_kind == ItemKind.ROUND:
            return rnd.value if rnd else (kind.items[0] if kind.items else None)
        if kind.banked:
            taken = self.banked_used | self.banked_reserved
            return next((c for c in self.rules.pool(kind) if c not in taken), None)
        if kind.item_kind != ItemKind.TOPIC:
            if not kind.items:
                return None
            return min(kind.items, key=lambda i: (self.use_count[(kind.id, i)], kind.items.index(i)))
        assert rnd is not None
        pool = list(kind.items) or list(self.rules.topics.get(rnd, ()))
        pool = [t for t in pool if t in self.rules.topics.get(rnd, ())]
        if kind.reuses:
            pool = [t for t in self.seen_by_round.get(rnd, []) if t in pool] or []
            if not pool:
                return None
        if not pool:
            return None
        fresh = [t for t in pool if t not in self.seen]
        if kind.teaches and fresh:
            return fresh[0]
        return min(pool, key=lambda t: (self.use_count[(kind.id, t)], pool.index(t)))

    def title(self, kind: TaskKind, day: dt.date, phase: Phase) -> str:
        if kind.label:
            span = self.span_of(phase)
            early = span is not None and phase == kind.phases[0] and (day - span.first).days < max(1, span.days // 2)
            return kind.label.get("early" if early else "late", kind.title)
        return kind.title

    def make(self, kind: TaskKind, day: dt.date, phase: Phase, rnd: RoundId | None, item: str) -> PlanTask:
        task = PlanTask(
            key=self.new_key(kind.id, item),
            day=day,
            kind=kind.id,
            title=self.title(kind, day, phase),
            minutes=kind.minutes,
            phase=phase,
            item_kind=kind.item_kind,
            item=item,
            round=rnd,
            counts=phase != Phase.DAY_OF,
        )
        return replace(task, new_material=self.is_new(task))

    def allowed(self, kind: TaskKind, phase: Phase, day: dt.date) -> bool:
        """May one more task of ``kind`` go on ``day``?  Kinds with a per-phase maximum are
        spread over the phase: the k-th (from 0) not before day ``k * days / max`` of it."""
        if phase not in kind.phases or (kind.ai_only and not self.request.ai_role):
            return False
        if kind.max_per_phase is None:
            return True
        count = self.phase_kind[(phase, kind.id)]
        span = self.span_of(phase)
        spaced = span is None or (day - span.first).days >= count * span.days // kind.max_per_phase
        return count < kind.max_per_phase and spaced


def _timeline(request: PlanRequest, rules: PlanRules) -> list[PlanTask]:
    """The timeline matrix: prep in the 24 hours before each round; after a round with another one
    later that day, a short note in the break (real loops leave 5-15 minutes); after the day's
    last round, the review.  Prep counts against the day's hours (placed by the builder); notes
    and reviews are pinned to the interviews."""
    t = rules.timeline
    out: list[PlanTask] = []
    rounds = sorted(request.loop_rounds, key=lambda r: r.start)
    for i, r in enumerate(rounds):
        stamp = f"{r.round.value}-{r.start:%Y%m%dT%H%M}"
        prep_day = max(request.start, (r.start - dt.timedelta(hours=24)).date())
        out.append(
            PlanTask(
                key=f"{rules.prep_kind}-{stamp}",
                day=prep_day,
                kind=rules.prep_kind,
                title=rules.kinds[rules.prep_kind].title,
                minutes=t.prep_minutes,
                phase=Phase.DAY_OF,
                item_kind=ItemKind.ROUND,
                item=r.round.value,
                round=r.round,
            )
        )
        last_of_day = i + 1 == len(rounds) or rounds[i + 1].start.date() != r.start.date()
        if not last_of_day:
            out.append(
                PlanTask(
                    key=f"{rules.reset_kind}-{stamp}",
                    day=r.start.date(),
                    kind=rules.reset_kind,
                    title=rules.kinds[rules.reset_kind].title,
                    minutes=t.note_minutes,
                    phase=Phase.DAY_OF,
                    item_kind=ItemKind.ACTIVITY,
                    item=rules.kinds[rules.reset_kind].items[0],
                    round=r.round,
                    at=r.end,
                    counts=False,
                )
            )
            continue
        review_kind = rules.kinds[rules.review_kind]
        out.append(
            PlanTask(
                key=f"{rules.review_kind}-{stamp}",
                day=r.start.date(),
                kind=rules.review_kind,
                title=review_kind.title,
                minutes=t.review_minutes,
                phase=Phase.DAY_OF,
                item_kind=review_kind.item_kind,
                item=review_kind.items[0],
                round=r.round,
                at=r.end,
                counts=False,
            )
        )
    return out


def _build(
    request: PlanRequest,
    rules: PlanRules,
    *,
    kept: Sequence[PlanTask],
    carry: Sequence[PlanTask],
    reserved: Iterable[str] = (),
) -> StudyPlan:
    n = _validate(request)
    spans = phase_spans(request.start, request.first_day, request.last_day, rules=rules)
    b = _Builder(request, rules, spans)
    for t in sorted(kept, key=lambda t: t.day):
        b.note(t, placed=False)
    kept_keys = {t.key for t in kept}
    b.banked_reserved = {c.item for c in carry if b.is_banked(c)}
    b.keys.update(t.key for t in carry)
    b.keys.update(reserved)
    notices = _notices(request, n, rules)

    timeline = _timeline(request, rules)
    timeline_by_day: dict[dt.date, list[PlanTask]] = defaultdict(list)
    for t in timeline:
        if t.key not in kept_keys:
            timeline_by_day[t.day].append(t)
    carry_keys = {c.key for c in carry}
    timeline_keys = {t.key for t in timeline}
    # carried timeline tasks are regenerated from the loop's rounds, not carried
    queue = [c for c in carry if c.kind not in (rules.prep_kind, rules.review_kind, rules.reset_kind)]
    dropped: list[PlanTask] = [
        replace(c, status=Status.DROPPED, reason="The loop's rounds changed; this block no longer applies.")
        for c in carry
        if c.kind in (rules.prep_kind, rules.review_kind, rules.reset_kind) and c.key not in timeline_keys
    ]
    # a carried task its kind no longer names (e.g. a coding task from before coding tasks named
    # problems, or a problem gone from the bank) is dropped; the kind's new tasks take its place
    stale = {c.key for c in queue if c.kind in rules.kinds and not _names_its_kind(c, rules.kinds[c.kind], rules)}
    dropped += [
        replace(c, status=Status.DROPPED, reason="Its kind of task now names other items; a new task replaces it.")
        for c in queue
        if c.key in stale
    ]
    queue = [c for c in queue if c.key not in stale]
    last_allowed: dict[str, dt.date] = {}
    kind: TaskKind | None  # a rule's kind below; a task's, which may no longer exist, further on
    for kind in rules.kinds.values():
        days = [s.last for s in spans if s.phase in kind.phases]
        if kind.teaches:
            days = [s.last for s in spans if s.phase in kind.phases and s.phase not in _LAST_WEEK_PHASES]
        if days:
            last_allowed[kind.id] = max(days)

    # Carried tasks wait in ``future`` (by day) until their day comes, then in ``ready`` (in carry
    # order) until placed: each day looks only at the ready ones, so a re-plan is linear in the
    # number of days.  A task whose phase now ends before its day is ready at once; one whose
    # kind has no phase left in the plan never is (it is dropped below).
    kept_per_day: dict[dt.date, Counter[str]] = defaultdict(Counter)
    for t in kept:
        kept_per_day[t.day][t.kind] += 1
    rank = {id(c): i for i, c in enumerate(queue)}
    never = [c for c in queue if c.kind not in last_allowed]
    ready = [c for c in queue if c.kind in last_allowed and last_allowed[c.kind] < c.day]
    future = [c for c in queue if c.kind in last_allowed and last_allowed[c.kind] >= c.day]
    next_future = 0

    phase_kinds = {
        span.phase: [k for k in rules.kinds.values() if span.phase in k.phases and k.id not in _TIMELINE(rules)]
        for span in spans
    }
    for span in spans:
        kinds = phase_kinds[span.phase]
        day = span.first
        while day <= span.last:
            phase = span.phase
            per_day: Counter[str] = Counter(kept_per_day.get(day, ()))
            # 1. timeline prep (counts against the hours; shrunk to what is left, at least 15 min)
            for t in timeline_by_day.get(day, []):
                if not t.counts:
                    b.note(replace(t, phase=phase), placed=True)
                    continue
                room = b.capacity(day, phase)
                if room >= 15:
                    b.note(replace(t, phase=phase, minutes=min(t.minutes, room)), placed=True)
                elif t.key in carry_keys:
                    dropped.append(replace(t, status=Status.DROPPED, reason="No hours left on that day for it."))
                else:
                    notices.append(
                        f"No hours are left on {day.isoformat()} to prepare for the {t.item} round; "
                        "add minutes for that day to fit the 24-hour prep."
                    )
            # 2. carried tasks, oldest first
            arrived = next_future
            while next_future < len(future) and future[next_future].day <= day:
                next_future += 1
            if next_future > arrived:
                ready = sorted([*ready, *future[arrived:next_future]], key=lambda c: rank[id(c)])
            rest = []
            for c in ready:
                kind = rules.kinds.get(c.kind)
                ok = (
                    kind is not None
                    and phase in kind.phases
                    and not (kind.teaches and phase in _LAST_WEEK_PHASES)
                    and (day >= c.day or last_allowed.get(c.kind, day) < c.day)
                    and per_day[c.kind] < kind.max_per_day
                    and (not c.counts or c.minutes <= b.capacity(day, phase))
                )
                if ok:
                    moved = replace(c, day=day, phase=phase)
                    moved = replace(moved, new_material=b.is_new(moved))
                    b.note(moved, placed=True)
                    per_day[c.kind] += 1
                else:
                    rest.append(c)
            ready = rest
            # 3. kinds without a round (research, frameworks, rest), then 4. round kinds by weight
            round_days = {r.start.date() for r in request.loop_rounds} or {request.first_day}
            for kind in kinds:
                if kind.rounds or (phase == Phase.DAY_OF and day not in round_days):
                    continue
                if kind.last_day and day != span.last:
                    continue
                while b.allowed(kind, phase, day) and per_day[kind.id] < kind.max_per_day:
                    item = b.pick_item(kind, None)
                    fits = phase == Phase.DAY_OF or kind.minutes <= b.capacity(day, phase)
                    if item is None or not fits:
                        break
                    b.note(b.make(kind, day, phase, None, item), placed=True)
                    per_day[kind.id] += 1
            if phase != Phase.DAY_OF:
                _fill_by_weight(b, [k for k in kinds if k.rounds], day, phase, per_day)
            day += dt.timedelta(days=1)

    queue = sorted([*never, *ready, *future[next_future:]], key=lambda c: rank[id(c)])
    for c in queue:
        kind = rules.kinds.get(c.kind)
        if kind is None:
            reason = "Its kind of task no longer exists."
        elif kind.teaches and last_allowed.get(c.kind) is None:
            reason = "It is new material, and the loop is now within seven days: no new material in the last week."
        elif c.kind not in last_allowed:
            reason = "Its phase is no longer part of the plan."
        else:
            reason = "No hours were left for it before its phase ended; add hours or move the loop date."
        dropped.append(replace(c, status=Status.DROPPED, reason=reason))

    order = {t.key: i for i, t in enumerate(b.tasks)}
    tasks = sorted(
        [*kept, *b.tasks],
        key=lambda t: (t.day, t.at is not None, t.at or dt.datetime.min, order.get(t.key, -1)),
    )
    return StudyPlan(
        start=request.start,
        end=request.last_day,
        phases=spans,
        tasks=tuple(tasks),
        notices=tuple(notices),
        dropped=tuple(dropped),
    )


_LAST_WEEK_PHASES = frozenset({Phase.REVIEW, Phase.LIGHT_TOUCH, Phase.DAY_OF})


def _names_its_kind(task: PlanTask, kind: TaskKind, rules: PlanRules) -> bool:
    """Does a (carried) task still name the kind of item its kind names?"""
    if task.item_kind != kind.item_kind:
        return False
    return not kind.banked or task.item in rules.pool(kind)


def _TIMELINE(rules: PlanRules) -> set[str]:  # noqa: N802
    return {rules.prep_kind, rules.review_kind, rules.reset_kind}


def _fill_by_weight(b: _Builder, kinds: Sequence[TaskKind], day: dt.date, phase: Phase, per_day: Counter[str]) -> None:
    """Fill the day's remaining minutes: repeatedly give the next task to the round furthest
    below its weighted share of all minutes so far, among tasks that fit and are under their
    per-day and per-phase maxima."""
    while True:
        room = b.capacity(day, phase)
        best: tuple[float, int, TaskKind, RoundId, str] | None = None
        for rank, (rnd, weight) in enumerate(sorted(b.weights.items(), key=lambda kv: -kv[1])):
            for kind in kinds:
                if rnd not in kind.rounds or kind.minutes > room or per_day[kind.id] >= kind.max_per_day:
                    continue
                if not b.allowed(kind, phase, day):
                    continue
                item = b.pick_item(kind, rnd)
                if item is None:
                    continue
                deficit = weight * (b.total_minutes + kind.minutes) - b.round_minutes[rnd]
                if best is None or (deficit, -rank) > (best[0], -best[1]):
                    best = (deficit, rank, kind, rnd, item)
                break  # the first kind (content order) that fits is this round's candidate
        if best is None:
            return
        _, _, kind, rnd, item = best
        b.note(b.make(kind, day, phase, rnd, item), placed=True)
        per_day[kind.id] += 1


def make_plan(request: PlanRequest, *, rules: PlanRules) -> StudyPlan:
    """A new plan from ``request.start`` to the loop's last day.

    Invariants: no day's counted minutes exceed its available minutes (ramp-up days use
    ``ramp_up_load`` of them); phases are contiguous, in order, the last ending on the last
    round's day; no teaching task lands in the last seven days; every task names a topic,
    framework, round or activity from ``rules``; each stats case and coding problem is named at
    most once, in the order of its bank (problems easiest first).  Raises ``PlanInputError`` for a loop date
    before the start, hours out of range, no hours at all before the loop, or bad rounds."""
    return _build(request, rules, kept=(), carry=())


def replan(
    previous: Iterable[PlanTask], request: PlanRequest, *, rules: PlanRules, reserved: Iterable[str] = ()
) -> StudyPlan:
    """Re-plan from ``request.start`` keeping what is done or skipped where it is.

    Every pending task of ``previous`` is either in the new plan (same ``key``, possibly on
    another day) or in ``dropped`` with a reason.  Pending tasks move forward (never to a day
    before their own unless their phase now ends earlier), first in each day, and only to days
    whose phase allows their kind (teaching tasks never into the last week).  Tasks already
    dropped stay out: pass their keys as ``reserved`` and no new task takes one of them (a
    timeline block pinned to a round keeps its key, so it may bring a dropped one back)."""
    prev = list(previous)
    kept = [t for t in prev if t.status in (Status.DONE, Status.SKIPPED)]
    carry = sorted((t for t in prev if t.status == Status.PENDING), key=lambda t: t.day)
    last = request.last_day
    kept = [t if t.day <= last else replace(t, day=min(request.start, last)) for t in kept]
    taken = {t.key for t in prev} | set(reserved)
    return _build(request, rules, kept=kept, carry=carry, reserved=taken)


def task_refs_ok(task: PlanTask, rules: PlanRules) -> bool:
    """Does the task name an existing topic, framework, round, fixed activity, stats case or coding problem?"""
    if task.item_kind == ItemKind.TOPIC:
        return any(task.item in topics for topics in rules.topics.values())
    if task.item_kind == ItemKind.FRAMEWORK:
        return task.item in rules.frameworks
    if task.item_kind == ItemKind.ROUND:
        return task.item in {r.value for r in RoundId}
    return task.item in rules.activities or task.item in rules.cases or task.item in rules.problems


def day_minutes(tasks: Iterable[PlanTask]) -> Mapping[dt.date, int]:
    """Counted minutes per day of pending and done tasks (timeline blocks pinned to the
    interviews do not count, nor do skipped or dropped tasks)."""
    out: Counter[dt.date] = Counter()
    for t in tasks:
        if t.counts and t.status in (Status.PENDING, Status.DONE):
            out[t.day] += t.minutes
    return out
