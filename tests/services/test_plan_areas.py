"""The Clock names real items of the stats lab and the estimation kit, and both check them off."""

from __future__ import annotations

import datetime as dt

from loopprep.content.loader import load_bank
from loopprep.engines.clock import ItemKind, Status
from loopprep.services import estimate
from loopprep.services import plan as svc
from loopprep.services.plan_rules import case_index
from loopprep.services.profile import set_profile
from loopprep.services.stats_cases import submit_attempt
from loopprep.web.urls import link_url

BANK = load_bank()

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
LOOP = dt.date(2026, 12, 21)


def _plan(ctx, role: str, company: str) -> list[svc.TaskView]:  # noqa: ANN001
    set_profile(ctx, {"role": role, "level": "l5", "company_types": [company], "loop_date": LOOP}, today=TODAY, now=NOW)
    view = svc.create_plan(
        ctx, svc.parse_settings({"weekday_minutes": 120, "weekend_minutes": 240}), today=TODAY, now=NOW
    )
    return [t for w in range(1, view.weeks + 1) for d in svc.show_plan(ctx, today=TODAY, week=w).days for t in d.tasks]


def _cases(tasks: list[svc.TaskView]) -> list[svc.TaskView]:
    return [t for t in tasks if t.item_kind == ItemKind.ACTIVITY and t.item in BANK.stats_cases.cases]


def test_case_index_is_the_stats_lab_bank_in_order() -> None:
    assert [c for c, _ in case_index(BANK)] == list(BANK.stats_cases.cases)
    assert dict(case_index(BANK)) == {c.id: c.title for c in BANK.stats_cases.cases.values()}


def test_data_scientist_plan_names_real_cases_once_each_outside_the_last_week(ctx) -> None:  # noqa: ANN001
    tasks = _plan(ctx, "data-scientist", "product-company")
    cases = _cases(tasks)
    assert cases, "a data scientist's plan works through experimentation cases"
    assert all(t.title.startswith("Work through an experimentation case") for t in cases)
    ids = [t.item for t in cases]
    assert len(ids) == len(set(ids))
    assert ids == list(BANK.stats_cases.cases)[: len(ids)]  # the bank's order: stable
    for t in cases:
        assert link_url(t.link) == f"/stats/cases/{t.item}" and t.item_title == BANK.stats_cases.cases[t.item].title
        assert t.new_material and t.day < LOOP - dt.timedelta(days=7)
    # every experiment-case task is one of these: none names a knowledge-base topic any more
    assert not [t for t in tasks if t.title.startswith("Work through") and t.item_kind != ItemKind.ACTIVITY]


def test_ml_engineer_plan_has_estimation_drills(ctx) -> None:  # noqa: ANN001
    tasks = _plan(ctx, "ml-engineer", "faang")
    drills = [t for t in tasks if t.item == "estimation-drill"]
    assert drills
    for t in drills:
        assert t.item_kind == ItemKind.ACTIVITY and t.minutes == 10 and link_url(t.link) == "/estimate/drill"
        assert t.phase.value in ("deep-study", "mock-sharpen")
        assert t.round is not None and t.round.value in ("ml-system-design", "ai-systems-design")


def test_submitting_a_case_attempt_marks_its_plan_task_done(ctx) -> None:  # noqa: ANN001
    tasks = _plan(ctx, "data-scientist", "product-company")
    target = _cases(tasks)[0]
    other = next(c for c in BANK.stats_cases.cases if c not in {t.item for t in _cases(tasks)})
    before = svc.show_plan(ctx, today=TODAY).progress
    submit_attempt(ctx, other, answer="", checked=[], numeric={}, now=NOW)  # not in the plan: nothing
    assert svc.show_plan(ctx, today=TODAY).progress.done == before.done
    submit_attempt(ctx, target.item, answer="my plan", checked=[0], numeric={}, now=NOW)
    after = svc.show_plan(ctx, today=TODAY, week=(target.day - TODAY).days // 7 + 1)
    task = next(t for d in after.days for t in d.tasks if t.key == target.key)
    assert task.status == Status.DONE and after.progress.done == before.done + 1
    submit_attempt(ctx, target.item, answer="again", checked=[], numeric={}, now=NOW)  # once only
    assert svc.show_plan(ctx, today=TODAY).progress.done == before.done + 1


def test_answering_a_drill_marks_an_estimation_drill_task_done(ctx) -> None:  # noqa: ANN001
    tasks = _plan(ctx, "ml-engineer", "faang")
    first = min((t for t in tasks if t.item == "estimation-drill"), key=lambda t: t.day)
    r = estimate.answer_drill(ctx, kind="qps", seed=1, answer=5, now=NOW, today=TODAY)
    assert r.plan_task_done == first.key
    after = svc.show_plan(ctx, today=TODAY, week=(first.day - TODAY).days // 7 + 1)
    assert next(t for d in after.days for t in d.tasks if t.key == first.key).status == Status.DONE
    assert after.progress.done == 1


def test_plan_content_rules_for_cases_and_activities(bank) -> None:  # noqa: ANN001
    import pytest
    from pydantic import ValidationError

    from loopprep.content.schema.plan import KindSpec
    from loopprep.services.plan_rules import check_against_bank, problem_index

    base = {"id": "x", "title": "X", "minutes": 30, "reason": "r", "phases": ["mock-sharpen"]}
    KindSpec.model_validate({**base, "item_kind": "activity", "rounds": ["ml-coding"], "cases": True, "teaches": True})
    with pytest.raises(ValidationError, match="cases kind"):
        KindSpec.model_validate({**base, "item_kind": "topic", "rounds": ["ml-coding"], "cases": True})
    with pytest.raises(ValidationError, match="teaches/reuses"):
        KindSpec.model_validate({**base, "item_kind": "activity", "items": ["rest"], "teaches": True})
    spec, coding = BANK.plan, problem_index(BANK)
    assert check_against_bank(spec, bank, case_index(BANK), coding) == []
    problems = check_against_bank(spec, bank, (("rest", "A case named like an activity"),), coding)
    assert [(p.entry, p.field) for p in problems] == [("rest", "id")]
    assert [p.message for p in check_against_bank(spec, bank, (), coding)] == [
        "a cases kind needs the stats lab's case bank"
    ]
