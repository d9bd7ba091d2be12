"""The Clock engine: property tests over random valid inputs, unit tests for the rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loopprep.content.loader import load_bank
from loopprep.domain import RoundId
from loopprep.engines.clock import (
    Availability,
    ItemKind,
    LoopRound,
    Phase,
    PlanInputError,
    PlanRequest,
    PlanRules,
    Status,
    day_minutes,
    make_plan,
    phase_spans,
    replan,
    task_refs_ok,
)
from loopprep.services.plan_rules import problem_index, rules_from

BANK = load_bank()

START = dt.date(2026, 11, 23)  # a Monday


@pytest.fixture(scope="module")
def rules(bank) -> PlanRules:  # noqa: ANN001
    return rules_from(bank)


WEIGHTS = {
    RoundId.ML_SYSTEM_DESIGN: 0.35,
    RoundId.AI_SYSTEMS_DESIGN: 0.15,
    RoundId.ML_CODING: 0.3,
    RoundId.STATS_EXPERIMENTATION: 0.2,
}


def request_for(days: int, weekday: int = 120, weekend: int = 240, **kw) -> PlanRequest:  # noqa: ANN003
    return PlanRequest(
        start=START,
        loop_date=START + dt.timedelta(days=days),
        availability=Availability(weekday, weekend, kw.pop("days_off", frozenset())),
        weights=kw.pop("weights", WEIGHTS),
        ai_role=kw.pop("ai_role", True),
        **kw,
    )


weights_st = st.fixed_dictionaries({r: st.floats(0.05, 1.0) for r in RoundId})


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    days = draw(st.integers(0, 90))
    weekday = draw(st.integers(0, 300))
    weekend = draw(st.integers(0 if weekday else 1, 480))
    offs = draw(st.sets(st.integers(0, max(0, days - 1)), max_size=5))
    rounds: tuple[LoopRound, ...] = ()
    if draw(st.booleans()):
        first = dt.datetime.combine(START + dt.timedelta(days=days), dt.time(9))
        n = draw(st.integers(1, 5))
        gaps = draw(st.lists(st.integers(60, 60 * 30), min_size=n, max_size=n))
        kinds = draw(st.lists(st.sampled_from(list(RoundId)), min_size=n, max_size=n))
        t, out = first, []
        for gap, kind in zip(gaps, kinds, strict=True):
            out.append(LoopRound(kind, t, 45))
            t += dt.timedelta(minutes=45 + gap)
        rounds = tuple(out)
    req = PlanRequest(
        start=START,
        loop_date=START + dt.timedelta(days=days),
        availability=Availability(weekday, weekend, frozenset(START + dt.timedelta(days=o) for o in offs)),
        weights=draw(weights_st),
        ai_role=draw(st.booleans()),
        loop_rounds=rounds,
    )
    total = sum(req.availability.minutes_on(START + dt.timedelta(days=i)) for i in range(days))
    if days > 0 and total == 0:
        req = PlanRequest(**{**req.__dict__, "availability": Availability(60, 60)})
    return req


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(req=requests())
def test_plan_invariants(rules: PlanRules, req: PlanRequest) -> None:
    plan = make_plan(req, rules=rules)
    # no day exceeds its available hours (ramp-up days: their share of them)
    for day, minutes in day_minutes(plan.tasks).items():
        cap = req.availability.minutes_on(day)
        if plan.phase_on(day) == Phase.RAMP_UP:
            cap = int(cap * rules.phases.ramp_up_load)
        assert minutes <= cap, (day, minutes, cap)
    # phases in order, contiguous, ending on the loop's last day
    orders = [s.phase.order for s in plan.phases]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)
    assert plan.phases[0].first == req.start and plan.phases[-1].last == req.last_day
    for a, b in zip(plan.phases, plan.phases[1:], strict=False):
        assert b.first == a.last + dt.timedelta(days=1)
    assert plan.phases[-1].phase == Phase.DAY_OF
    # never past the loop, never before the start
    assert all(req.start <= t.day <= req.last_day for t in plan.tasks)
    # no new material in the last seven days before the loop (nor during it)
    last_week = req.first_day - dt.timedelta(days=7)
    seen_before: set[str] = set()
    for t in plan.tasks:
        kind = rules.kinds[t.kind]
        if t.day >= last_week:
            assert not t.new_material, t
            assert not kind.teaches, t
            if t.item_kind == ItemKind.TOPIC:
                assert t.item in seen_before, t
        if t.item_kind == ItemKind.TOPIC:
            seen_before.add(t.item)
        # every task names an existing content id or a named fixed activity
        assert task_refs_ok(t, rules), t
        assert t.minutes > 0
    # per-day maxima
    per_day: dict[tuple[dt.date, str], int] = {}
    for t in plan.tasks:
        per_day[(t.day, t.kind)] = per_day.get((t.day, t.kind), 0) + 1
    for (_, kind), count in per_day.items():
        assert count <= rules.kinds[kind].max_per_day or kind in ("round-prep", "round-review", "reset")
    assert len({t.key for t in plan.tasks}) == len(plan.tasks)
    # each stats case at most once, picked in the bank's order; each coding problem too, easiest first
    cases = [t.item for t in plan.tasks if t.item in rules.cases]
    assert cases == list(rules.cases[: len(cases)])
    problems = [t.item for t in plan.tasks if t.kind == "coding-problem"]
    assert problems == list(rules.problems[: len(problems)])


@FAST
@given(
    req=requests(),
    progress=st.lists(st.sampled_from(["done", "skip", "miss", "keep"]), min_size=200, max_size=200),
    shift=st.integers(-10, 20),
    elapsed=st.integers(0, 10),
    weekday=st.integers(30, 240),
)
def test_replan_keeps_or_drops_every_unfinished_task(
    rules: PlanRules, req: PlanRequest, progress: list[str], shift: int, elapsed: int, weekday: int
) -> None:
    plan = make_plan(req, rules=rules)
    marked = []
    for t, p in zip(plan.tasks, progress * 10, strict=False):
        status = {"done": Status.DONE, "skip": Status.SKIPPED}.get(p, Status.PENDING)
        marked.append(t.__class__(**{**t.__dict__, "status": status}))
    today = req.start + dt.timedelta(days=elapsed)
    loop = req.loop_date + dt.timedelta(days=shift)
    if loop < today or req.loop_rounds:
        loop = max(today, req.loop_date)
    new_req = PlanRequest(
        start=today,
        loop_date=loop,
        availability=Availability(weekday, 120),
        weights=req.weights,
        ai_role=req.ai_role,
        loop_rounds=req.loop_rounds if req.first_day >= today else (),
    )
    new = replan(marked, new_req, rules=rules)
    new_keys = {t.key for t in new.tasks}
    dropped = {t.key: t for t in new.dropped}
    for old in marked:
        if old.status == Status.PENDING:
            assert old.key in new_keys or (old.key in dropped and dropped[old.key].reason), old
        else:
            kept = next(t for t in new.tasks if t.key == old.key)
            assert kept.status == old.status
    assert all(t.day <= new_req.last_day for t in new.tasks)
    assert len(new_keys) == len(new.tasks)
    cases = [t.item for t in new.tasks if t.item in rules.cases]
    assert len(cases) == len(set(cases))  # a case never comes back twice after a re-plan
    problems = [t.item for t in new.tasks if t.item in rules.problems]
    assert len(problems) == len(set(problems))  # nor does a coding problem
    for day, minutes in day_minutes(t for t in new.tasks if t.day >= today).items():
        cap = new_req.availability.minutes_on(day)
        assert minutes <= cap or any(t.day == day and t.status == Status.DONE for t in new.tasks)


# --- the compression rule --------------------------------------------------------------------


def spans(rules: PlanRules, days: int) -> dict[Phase, int]:
    loop = START + dt.timedelta(days=days)
    return {s.phase: s.days for s in phase_spans(START, loop, loop, rules=rules)}


def test_standard_four_weeks(rules: PlanRules) -> None:
    assert spans(rules, 28) == {
        Phase.DEEP_STUDY: 14,
        Phase.MOCK_SHARPEN: 7,
        Phase.REVIEW: 5,
        Phase.LIGHT_TOUCH: 2,
        Phase.DAY_OF: 1,
    }


def test_further_than_four_weeks_gets_a_ramp_up(rules: PlanRules) -> None:
    assert spans(rules, 40)[Phase.RAMP_UP] == 12
    assert spans(rules, 40)[Phase.DEEP_STUDY] == 14


def test_compression_shrinks_review_before_light_touch(rules: PlanRules) -> None:
    assert spans(rules, 7) == {Phase.REVIEW: 5, Phase.LIGHT_TOUCH: 2, Phase.DAY_OF: 1}
    assert spans(rules, 4) == {Phase.REVIEW: 2, Phase.LIGHT_TOUCH: 2, Phase.DAY_OF: 1}
    assert spans(rules, 2) == {Phase.LIGHT_TOUCH: 2, Phase.DAY_OF: 1}
    assert spans(rules, 1) == {Phase.LIGHT_TOUCH: 1, Phase.DAY_OF: 1}
    assert spans(rules, 0) == {Phase.DAY_OF: 1}


def test_compression_keeps_deep_study_ahead_of_mocks(rules: PlanRules) -> None:
    s = spans(rules, 17)  # 10 days before the last week: ceil(10 * 14 / 21) = 7 deep, 3 mock
    assert s[Phase.DEEP_STUDY] == 7 and s[Phase.MOCK_SHARPEN] == 3
    assert s[Phase.REVIEW] == 5 and s[Phase.LIGHT_TOUCH] == 2


def test_loop_in_the_past_is_an_error(rules: PlanRules) -> None:
    with pytest.raises(PlanInputError) as exc:
        make_plan(request_for(-1), rules=rules)
    assert exc.value.field == "loop_date" and "in the past" in exc.value.message


def test_zero_hours_is_an_error(rules: PlanRules) -> None:
    with pytest.raises(PlanInputError) as exc:
        make_plan(request_for(10, 0, 0), rules=rules)
    assert "No study time" in exc.value.message


def test_hours_out_of_range(rules: PlanRules) -> None:
    with pytest.raises(PlanInputError) as exc:
        make_plan(request_for(10, 2000, 60), rules=rules)
    assert exc.value.field == "weekday_minutes" and "between 0 and 960" in exc.value.message


def test_loop_tomorrow_is_the_day_before_plan(rules: PlanRules) -> None:
    plan = make_plan(request_for(1), rules=rules)
    assert "tomorrow" in plan.notices[0] and "day-before plan" in plan.notices[0]
    kinds = {t.kind for t in plan.tasks if t.day == START}
    assert {"questions-to-ask", "sleep"} <= kinds
    assert all(not rules.kinds[t.kind].teaches for t in plan.tasks)


def test_deep_study_counts_and_easy_coding_problems_first(rules: PlanRules) -> None:
    plan = make_plan(request_for(28, 300, 300), rules=rules)
    deep = [t for t in plan.tasks if t.phase == Phase.DEEP_STUDY]
    by_day: dict[dt.date, list[str]] = {}
    for t in deep:
        by_day.setdefault(t.day, []).append(t.kind)
    assert all(kinds.count("design-problem") <= 1 and kinds.count("coding-problem") <= 2 for kinds in by_day.values())
    coding = [t for t in plan.tasks if t.kind == "coding-problem"]
    level = {pid: difficulty for pid, _, difficulty in problem_index(BANK)}
    ranks = [("easy", "medium", "hard").index(level[t.item]) for t in coding]
    assert ranks == sorted(ranks) and ranks[0] == 0, "easy problems come first, harder ones later"
    deep_ranks = [r for t, r in zip(coding, ranks, strict=True) if t.phase == Phase.DEEP_STUDY]
    mock_ranks = [r for t, r in zip(coding, ranks, strict=True) if t.phase == Phase.MOCK_SHARPEN]
    assert deep_ranks and mock_ranks and max(deep_ranks) <= min(mock_ranks)
    assert sum(t.kind == "paper" for t in plan.tasks) <= 3
    assert {"ab-design", "power-analysis", "causal-inference"} <= {t.item for t in deep if t.kind == "stats-topic"}


def test_paper_only_for_ai_roles(rules: PlanRules) -> None:
    plan = make_plan(request_for(28, ai_role=False), rules=rules)
    assert not any(rules.kinds[t.kind].ai_only for t in plan.tasks)


def test_days_off_get_nothing(rules: PlanRules) -> None:
    off = START + dt.timedelta(days=3)
    plan = make_plan(request_for(20, days_off=frozenset({off})), rules=rules)
    assert not [t for t in plan.tasks if t.day == off]


def test_round_weights_steer_the_minutes(rules: PlanRules) -> None:
    heavy_stats = {r: (0.7 if r == RoundId.STATS_EXPERIMENTATION else 0.1) for r in RoundId}
    plan = make_plan(request_for(28, weights=heavy_stats, ai_role=False), rules=rules)
    minutes: dict[RoundId | None, int] = {}
    for t in plan.tasks:
        if t.phase == Phase.DEEP_STUDY:
            minutes[t.round] = minutes.get(t.round, 0) + t.minutes
    assert minutes[RoundId.STATS_EXPERIMENTATION] == max(minutes.values())


# --- the timeline matrix ---------------------------------------------------------------------


def test_timeline_matrix_for_a_multi_day_loop(rules: PlanRules) -> None:
    d = dt.datetime.combine(START + dt.timedelta(days=10), dt.time(10))
    loop = (
        LoopRound(RoundId.ML_CODING, d, 45),
        LoopRound(RoundId.ML_SYSTEM_DESIGN, d + dt.timedelta(hours=2), 60),
        LoopRound(RoundId.STATS_EXPERIMENTATION, d + dt.timedelta(days=1), 45),
    )
    plan = make_plan(request_for(10, loop_rounds=loop), rules=rules)
    assert plan.end == d.date() + dt.timedelta(days=1)
    assert plan.phases[-1].first == d.date() and plan.phases[-1].last == plan.end
    prep = [t for t in plan.tasks if t.kind == "round-prep"]
    assert [(t.item, t.day) for t in prep] == [
        ("ml-coding", d.date() - dt.timedelta(days=1)),
        ("ml-system-design", d.date() - dt.timedelta(days=1)),
        ("stats-experimentation", d.date()),
    ]
    # Real loops leave 5-15 minute breaks: a two-minute note after a round with another one later
    # that day, and the 30-minute review once, after each day's last round.
    reviews = [t for t in plan.tasks if t.kind == "round-review"]
    assert [t.at for t in reviews] == [loop[1].end, loop[2].end] and all(t.minutes == 30 for t in reviews)
    notes = [t for t in plan.tasks if t.kind == "reset"]
    assert [(t.at, t.minutes) for t in notes] == [(loop[0].end, 2)]
    assert notes[0].at + dt.timedelta(minutes=15) <= loop[1].start


def test_timeline_prep_shrinks_to_the_hours_left(rules: PlanRules) -> None:
    d = dt.datetime.combine(START + dt.timedelta(days=3), dt.time(10))
    loop = (LoopRound(RoundId.ML_CODING, d, 45), LoopRound(RoundId.ML_SYSTEM_DESIGN, d + dt.timedelta(hours=2), 45))
    plan = make_plan(request_for(3, 80, 80, loop_rounds=loop), rules=rules)
    prep = [t for t in plan.tasks if t.kind == "round-prep"]
    assert sum(t.minutes for t in prep) <= 80
    assert prep[0].minutes == 60 and prep[1].minutes == 20


# --- re-planning -----------------------------------------------------------------------------


def test_missed_day_moves_forward(rules: PlanRules) -> None:
    req = request_for(30)
    plan = make_plan(req, rules=rules)
    first_day = [t for t in plan.tasks if t.day == START]
    later = PlanRequest(**{**req.__dict__, "start": START + dt.timedelta(days=1)})
    new = replan(plan.tasks, later, rules=rules)
    moved = {t.key: t for t in new.tasks}
    for t in first_day:
        assert t.key in moved or t.key in {d.key for d in new.dropped}
    assert all(t.day >= later.start for t in new.tasks)


def test_done_tasks_are_kept_and_loop_moved_closer_drops_with_reason(rules: PlanRules) -> None:
    req = request_for(30)
    plan = make_plan(req, rules=rules)
    done = [t.__class__(**{**t.__dict__, "status": Status.DONE}) if t.day == START else t for t in plan.tasks]
    later = PlanRequest(
        **{**req.__dict__, "start": START + dt.timedelta(days=1), "loop_date": START + dt.timedelta(days=6)}
    )
    new = replan(done, later, rules=rules)
    assert [t.key for t in new.tasks if t.status == Status.DONE] == [t.key for t in done if t.status == Status.DONE]
    assert new.dropped and all(d.reason for d in new.dropped)
    assert any("seven days" in d.reason for d in new.dropped)
    assert all(t.day <= later.loop_date for t in new.tasks)


def test_replan_without_changes_keeps_the_plan(rules: PlanRules) -> None:
    req = request_for(30)
    plan = make_plan(req, rules=rules)
    again = replan(plan.tasks, req, rules=rules)
    assert [(t.key, t.day) for t in again.tasks] == [(t.key, t.day) for t in plan.tasks]
    assert not again.dropped


def test_night_before_checklist_is_on_the_last_evening(rules: PlanRules) -> None:
    plan = make_plan(request_for(28), rules=rules)
    nights = [t.day for t in plan.tasks if t.kind == "night-before"]
    assert nights == [START + dt.timedelta(days=27)]  # the day before the loop


# --- items of the stats lab and the estimation kit --------------------------------------------


def test_rules_know_the_stats_cases_and_the_drill_activity(rules: PlanRules) -> None:
    assert "ranking-ctr-vs-session-length" in rules.cases and len(rules.cases) == len(set(rules.cases))
    assert "estimation-drill" in rules.activities
    assert rules.kinds["experiment-case"].cases and rules.kinds["experiment-case"].teaches
    drill = rules.kinds["estimation-drill"]
    assert drill.minutes == 10 and drill.items == ("estimation-drill",)
    assert set(drill.phases) == {Phase.DEEP_STUDY, Phase.MOCK_SHARPEN}
    task = make_plan(request_for(28), rules=rules).tasks[0]
    for item_kind, item, ok in (
        (ItemKind.ACTIVITY, "ranking-ctr-vs-session-length", True),
        (ItemKind.ACTIVITY, "estimation-drill", True),
        (ItemKind.ACTIVITY, "no-such-case", False),
        (ItemKind.TOPIC, "ranking-ctr-vs-session-length", False),
    ):
        assert task_refs_ok(replace(task, item_kind=item_kind, item=item), rules) is ok


def test_experiment_cases_are_real_new_and_never_repeated(rules: PlanRules) -> None:
    stats_heavy = {RoundId.STATS_EXPERIMENTATION: 0.7, RoundId.ML_CODING: 0.3}
    plan = make_plan(request_for(28, weights=stats_heavy, ai_role=False), rules=rules)
    cases = [t for t in plan.tasks if t.kind == "experiment-case"]
    assert len(cases) == rules.kinds["experiment-case"].max_per_phase
    assert [t.item for t in cases] == list(rules.cases[: len(cases)])
    assert all(t.item_kind == ItemKind.ACTIVITY and t.new_material for t in cases)
    assert all(t.day < START + dt.timedelta(days=28 - 7) for t in cases)
    # a re-plan with the first case done and the rest carried names no case twice
    marked = [replace(t, status=Status.DONE) if t.key == cases[0].key else t for t in plan.tasks]
    again = replan(marked, request_for(28, weights=stats_heavy, ai_role=False), rules=rules)
    items = [t.item for t in again.tasks if t.kind == "experiment-case"]
    assert sorted(items) == sorted(t.item for t in cases)


def test_estimation_drills_follow_the_design_rounds_weight(rules: PlanRules) -> None:
    plan = make_plan(request_for(28), rules=rules)
    drills = [t for t in plan.tasks if t.kind == "estimation-drill"]
    assert drills and all(t.round in (RoundId.ML_SYSTEM_DESIGN, RoundId.AI_SYSTEMS_DESIGN) for t in drills)
    assert {t.phase for t in drills} <= {Phase.DEEP_STUDY, Phase.MOCK_SHARPEN}
    no_design = {RoundId.STATS_EXPERIMENTATION: 0.6, RoundId.ML_CODING: 0.4}
    plan = make_plan(request_for(28, weights=no_design, ai_role=False), rules=rules)
    assert not [t for t in plan.tasks if t.kind == "estimation-drill"]


# --- the ML coding problem bank -----------------------------------------------------------------


def test_rules_know_the_coding_problems_easiest_first(rules: PlanRules) -> None:
    index = problem_index(BANK)
    assert rules.problems == tuple(pid for pid, _, _ in index) and len(rules.problems) >= 30
    order = [("easy", "medium", "hard").index(d) for _, _, d in index]
    assert order == sorted(order)
    for d in ("easy", "medium", "hard"):  # ties broken by id
        ids = [pid for pid, _, diff in index if diff == d]
        assert ids == sorted(ids)
    assert not set(rules.problems) & (set(rules.cases) | set(rules.activities))
    kind = rules.kinds["coding-problem"]
    assert kind.problems and kind.item_kind == ItemKind.ACTIVITY and kind.teaches and not kind.items
    task = make_plan(request_for(28), rules=rules).tasks[0]
    assert task_refs_ok(replace(task, item_kind=ItemKind.ACTIVITY, item="stable-softmax"), rules)
    assert not task_refs_ok(replace(task, item_kind=ItemKind.TOPIC, item="stable-softmax"), rules)


def test_coding_tasks_name_each_problem_once_and_never_in_the_last_week(rules: PlanRules) -> None:
    coding_heavy = {RoundId.ML_CODING: 0.8, RoundId.ML_SYSTEM_DESIGN: 0.2}
    plan = make_plan(request_for(60, 300, 300, weights=coding_heavy, ai_role=False), rules=rules)
    coding = [t for t in plan.tasks if t.kind == "coding-problem"]
    # a long, coding-heavy plan works through the bank (all of it while it fits 2 a day over 21
    # days), then stops naming problems rather than repeat one
    slots = 2 * (rules.phases.deep_study_days + rules.phases.mock_days)
    assert [t.item for t in coding] == list(rules.problems[:slots])
    assert all(t.item_kind == ItemKind.ACTIVITY and t.new_material and t.round == RoundId.ML_CODING for t in coding)
    assert all(t.day < START + dt.timedelta(days=60 - 7) for t in coding)
    # the round's focus areas are still read, so review week has coding topics to come back to
    read = {t.item for t in plan.tasks if t.kind == "coding-topic"}
    assert read == set(rules.topics[RoundId.ML_CODING])
    assert any(t.kind == "quick-reference" and t.round == RoundId.ML_CODING for t in plan.tasks)


def test_replan_keeps_solved_problems_and_names_none_twice(rules: PlanRules) -> None:
    plan = make_plan(request_for(28), rules=rules)
    coding = [t for t in plan.tasks if t.kind == "coding-problem"]
    solved = {coding[0].key, coding[3].key}
    marked = [replace(t, status=Status.DONE) if t.key in solved else t for t in plan.tasks]
    later = request_for(28, weekday=90)
    later = replace(later, start=START + dt.timedelta(days=2))
    again = replan(marked, later, rules=rules)
    items = [t.item for t in again.tasks if t.kind == "coding-problem"]
    assert len(items) == len(set(items)) and {coding[0].item, coding[3].item} <= set(items)
    assert all(t.status == Status.DONE for t in again.tasks if t.key in solved)
    # new picks continue the bank's order after every problem already named
    fresh = [t.item for t in again.tasks if t.kind == "coding-problem" and t.key not in {c.key for c in coding}]
    assert fresh == [p for p in rules.problems if p not in {c.item for c in coding}][: len(fresh)]


def test_replan_drops_a_coding_task_that_named_a_topic(rules: PlanRules) -> None:
    """A plan made before coding tasks named problems: its pending topic-named coding tasks are
    dropped with a reason and problems take their place."""
    plan = make_plan(request_for(28), rules=rules)
    old = [
        replace(t, item_kind=ItemKind.TOPIC, item="algorithmic-ml", key=f"coding-problem-algorithmic-ml-{i}")
        if t.kind == "coding-problem"
        else t
        for i, t in enumerate(plan.tasks)
    ]
    again = replan(old, request_for(28), rules=rules)
    stale = {t.key for t in old if t.kind == "coding-problem"}
    dropped = [t for t in again.dropped if t.key in stale]
    assert len(dropped) == len(stale) and all("names other items" in t.reason for t in dropped)
    coding = [t for t in again.tasks if t.kind == "coding-problem"]
    assert coding and all(t.item in rules.problems for t in coding)
    assert all(task_refs_ok(t, rules) for t in again.tasks)


def test_the_behavioural_round_gets_story_tasks_sized_by_its_share(bank, rules: PlanRules) -> None:  # noqa: ANN001
    """With the shipped weights, the Clock plans story writing (deep study) and rehearsal (mock
    and review), and the behavioural round's minutes follow its share."""
    from loopprep.domain import CompanyType, Level, Profile, Role
    from loopprep.services.weights import weights_for

    profile = Profile(
        role=Role.ML_ENGINEER, level=Level.L5, company_types=[CompanyType.FAANG], loop_date=START + dt.timedelta(28)
    )
    weights = {i.round: i.share for i in weights_for(bank, profile).items}
    plan = make_plan(request_for(28, weights=weights, ai_role=False), rules=rules)
    minutes = {r: sum(t.minutes for t in plan.tasks if t.round == r) for r in RoundId}
    total = sum(minutes.values())
    kinds = {t.kind for t in plan.tasks if t.round == RoundId.BEHAVIOURAL}
    assert {"story-writing", "story-rehearsal"} <= kinds
    assert minutes[RoundId.BEHAVIOURAL] / total == pytest.approx(weights[RoundId.BEHAVIOURAL], abs=0.04)
