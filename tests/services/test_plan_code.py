"""The Clock's ML coding tasks name real problems of the judge's bank, easy ones first, and an
accepted submission (a real judge) checks the task off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from icalendar import Calendar
from pydantic import ValidationError

from loopprep.content.loader import load_bank
from loopprep.content.schema.plan import KindSpec
from loopprep.engines.clock import ItemKind, Status
from loopprep.judge.client import Judge
from loopprep.services import plan as svc
from loopprep.services.code import submit_code
from loopprep.services.context import AppContext
from loopprep.services.plan_rules import case_index, check_against_bank, problem_index
from loopprep.services.profile import set_profile
from loopprep.web.urls import link_url

BANK = load_bank()

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
LOOP = dt.date(2026, 12, 21)
PROBLEMS = load_bank().coding.problems
RANK = {"easy": 0, "medium": 1, "hard": 2}


@pytest.fixture(scope="module")
def j() -> Iterator[Judge]:
    with Judge() as judge:
        yield judge


def _plan(ctx: AppContext) -> list[svc.TaskView]:
    profile = {"role": "ml-engineer", "level": "l5", "company_types": ["faang"], "loop_date": LOOP}
    set_profile(ctx, profile, today=TODAY, now=NOW)
    view = svc.create_plan(
        ctx, svc.parse_settings({"weekday_minutes": 120, "weekend_minutes": 240}), today=TODAY, now=NOW
    )
    return [t for w in range(1, view.weeks + 1) for d in svc.show_plan(ctx, today=TODAY, week=w).days for t in d.tasks]


def _coding(tasks: list[svc.TaskView]) -> list[svc.TaskView]:
    return [t for t in tasks if t.title == "Solve an ML coding problem"]


def _status(ctx: AppContext, task: svc.TaskView) -> Status:
    view = svc.show_plan(ctx, today=TODAY, week=(task.day - TODAY).days // 7 + 1)
    return next(t for d in view.days for t in d.tasks if t.key == task.key).status


def test_problem_index_is_the_shipped_bank_easy_first() -> None:
    index = problem_index(BANK)
    assert {pid for pid, _, _ in index} == set(PROBLEMS) and len(index) >= 30
    assert all(PROBLEMS[pid].title == title and PROBLEMS[pid].difficulty == d for pid, title, d in index)
    assert [(RANK[d], pid) for pid, _, d in index] == sorted((RANK[d], pid) for pid, _, d in index)


def test_coding_tasks_name_real_problems_once_each_easy_first(sqlite_ctx: AppContext) -> None:
    tasks = _plan(sqlite_ctx)
    coding = _coding(tasks)
    assert len(coding) >= 10, "an ML engineer's four-week plan solves a good number of problems"
    ids = [t.item for t in coding]
    assert all(pid in PROBLEMS for pid in ids) and len(ids) == len(set(ids))
    assert ids == [pid for pid, _, _ in problem_index(BANK)][: len(ids)]
    ranks = [RANK[PROBLEMS[pid].difficulty] for pid in ids]
    assert ranks == sorted(ranks) and ranks[0] == 0
    for t in coding:
        assert t.item_kind == ItemKind.ACTIVITY and t.round is not None and t.round.value == "ml-coding"
        assert t.item_title == PROBLEMS[t.item].title and link_url(t.link) == f"/code/{t.item}"
        assert t.minutes == 45 and t.new_material and t.day < LOOP - dt.timedelta(days=7)
    # no task names a problem under any other kind, and no coding task names a topic any more
    assert not [t for t in tasks if t.item in PROBLEMS and t not in coding]
    # the calendar shows the problem's title and page too
    cal = Calendar.from_ical(svc.calendar_ics(sqlite_ctx, now=NOW, link_path=link_url))
    first = next(e for e in cal.walk("VEVENT") if str(e["UID"]).startswith(coding[0].key))
    assert str(first["SUMMARY"]) == f"Solve an ML coding problem: {PROBLEMS[coding[0].item].title}"
    assert f"/code/{coding[0].item}" in str(first["DESCRIPTION"])


def test_an_accepted_submission_marks_its_plan_task_done(ctx: AppContext, j: Judge) -> None:
    coding = _coding(_plan(ctx))
    target = coding[1]  # not today's: the solve finds the task wherever it is in the plan
    named = {t.item for t in coding}
    elsewhere = next(pid for pid, _, _ in reversed(problem_index(BANK)) if pid not in named)
    before = svc.show_plan(ctx, today=TODAY).progress
    assert before is not None and _status(ctx, target) == Status.PENDING

    wrong = submit_code(ctx, j, target.item, PROBLEMS[target.item].mutants[0].source, now=NOW)
    assert not wrong.accepted and wrong.plan_task is None and _status(ctx, target) == Status.PENDING
    other = submit_code(ctx, j, elsewhere, PROBLEMS[elsewhere].reference, now=NOW)  # not in the plan
    assert other.accepted and other.plan_task is None

    solved = submit_code(ctx, j, target.item, PROBLEMS[target.item].reference, now=NOW)
    assert solved.accepted and solved.plan_task == target.key
    assert _status(ctx, target) == Status.DONE
    after = svc.show_plan(ctx, today=TODAY).progress
    assert after is not None and after.done == before.done + 1
    again = submit_code(ctx, j, target.item, PROBLEMS[target.item].reference, now=NOW)  # once only
    assert again.accepted and again.plan_task is None
    assert svc.show_plan(ctx, today=TODAY).progress.done == before.done + 1  # type: ignore[union-attr]


def test_plan_content_rules_for_problems(bank) -> None:  # noqa: ANN001
    base = {"id": "x", "title": "X", "minutes": 45, "reason": "r", "phases": ["deep-study"], "rounds": ["ml-coding"]}
    KindSpec.model_validate({**base, "item_kind": "activity", "problems": True, "teaches": True})
    with pytest.raises(ValidationError, match="problems kind"):
        KindSpec.model_validate({**base, "item_kind": "topic", "problems": True})
    with pytest.raises(ValidationError, match="problems kind"):
        KindSpec.model_validate({**base, "item_kind": "activity", "problems": True, "items": ["rest"]})
    with pytest.raises(ValidationError, match="cases or problems"):
        KindSpec.model_validate({**base, "item_kind": "activity", "problems": True, "cases": True})
    spec, cases, problems = BANK.plan, case_index(BANK), problem_index(BANK)
    assert check_against_bank(spec, bank, cases, problems) == []
    clash = check_against_bank(spec, bank, cases, (*problems, ("rest", "A problem named like an activity", "easy")))
    assert [(p.entry, p.field, p.message) for p in clash] == [
        ("rest", "id", "an activity id equals a coding problem id")
    ]
    case_clash = check_against_bank(spec, bank, cases, (*problems, (cases[0][0], "Same id as a case", "easy")))
    assert [(p.entry, p.field) for p in case_clash] == [(cases[0][0], "id")]
    missing = check_against_bank(spec, bank, cases, ())
    assert [(p.field, p.message) for p in missing] == [("kinds", "a problems kind needs the ML coding problem bank")]
