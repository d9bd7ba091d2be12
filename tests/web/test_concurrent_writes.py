"""Concurrent writes on SQLite and PostgreSQL, through the JSON API with real threads: every
write is applied (or refused with a clear answer), none is silently lost."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from loopprep.content.loader import load_bank
from loopprep.engines.clock import Status
from loopprep.judge.client import Judge
from loopprep.services.code import submit_code
from loopprep.services.context import AppContext
from loopprep.store.tables import plan_task

LOOP = dt.date.today() + dt.timedelta(days=28)  # the API plans from the real today
PROFILE = {"role": "ml-engineer", "level": "l5", "company_types": ["faang"], "loop_date": LOOP.isoformat()}


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, all released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a write never finished"
    return results


def _statuses(ctx: AppContext) -> dict[str, str]:
    with ctx.engine.connect() as conn:
        return {k: s for k, s in conn.execute(select(plan_task.c.key, plan_task.c.status))}


def _pending(ctx: AppContext, n: int, item: str | None = None) -> list[str]:
    q = select(plan_task.c.key).where(plan_task.c.status == "pending").order_by(plan_task.c.day, plan_task.c.position)
    if item is not None:
        q = q.where(plan_task.c.item != item)
    with ctx.engine.connect() as conn:
        return [k for (k,) in conn.execute(q.limit(n))]


@pytest.fixture
def planned(client: TestClient) -> TestClient:
    assert client.put("/api/profile", json=PROFILE).status_code == 200
    assert client.post("/api/plan", json={"weekday_minutes": 240, "weekend_minutes": 480}).status_code == 200
    return client


def test_nine_ticks_at_once_all_land(planned: TestClient, ctx: AppContext) -> None:
    keys = _pending(ctx, 9)
    assert len(keys) == 9
    for status in ("done", "skipped", "pending", "done"):
        answers = _at_once(
            [lambda k=k, s=status: planned.put(f"/api/plan/tasks/{k}", json={"status": s}) for k in keys]
        )
        assert [a.status_code for a in answers] == [200] * 9, [getattr(a, "text", a) for a in answers]
        now = _statuses(ctx)
        assert {k: now[k] for k in keys} == dict.fromkeys(keys, status)
    # the last answer to land saw every other tick: its progress counts all nine
    assert max(a.json()["progress"]["done"] for a in answers) == 9


def test_partial_profile_changes_at_once_keep_every_field(planned: TestClient) -> None:
    for round_ in range(4):
        changes = [
            {"role": ["data-scientist", "ai-llm-engineer"][round_ % 2]},
            {"level": ["l6-plus", "l4"][round_ % 2]},
            {"company_types": [["startup"], ["ai-first-lab", "faang"]][round_ % 2]},
            {"loop_date": (LOOP + dt.timedelta(days=round_ + 1)).isoformat()},
            {"target_companies": [f"Company {round_}"]},
        ]
        answers = _at_once([lambda c=c: planned.put("/api/profile", json=c) for c in changes])
        assert [a.status_code for a in answers] == [200] * 5, [getattr(a, "text", a) for a in answers]
        profile = planned.get("/api/profile").json()["profile"]
        for change in changes:
            (field, value), *_ = change.items()
            assert profile[field] == value, f"round {round_}: {field} was lost"
        # every profile change re-planned in its own transaction: the plan follows the last one
        assert planned.get("/api/plan").json()["loop_date"] == profile["loop_date"]


@pytest.fixture(scope="module")
def judge() -> Iterator[Judge]:
    with Judge() as j:
        yield j


def test_a_solved_problem_and_ticks_at_once_lose_nothing(planned: TestClient, ctx: AppContext, judge: Judge) -> None:
    problems = load_bank().coding.problems
    with ctx.engine.connect() as conn:
        coding = conn.execute(
            select(plan_task.c.key, plan_task.c.item)
            .where(plan_task.c.kind == "coding-problem", plan_task.c.status == "pending")
            .order_by(plan_task.c.day, plan_task.c.position)
            .limit(1)
        ).first()
    assert coding is not None, "the plan has a coding task"
    coding_key, problem_id = coding
    keys = [k for k in _pending(ctx, 9, item=problem_id) if k != coding_key][:6]
    now = dt.datetime.now(dt.UTC)
    answers = _at_once(
        [lambda: submit_code(ctx, judge, problem_id, problems[problem_id].reference, now=now)]
        + [lambda k=k: planned.put(f"/api/plan/tasks/{k}", json={"status": "done"}) for k in keys]
    )
    solved, *ticks = answers
    assert solved.accepted and solved.plan_task == coding_key, solved
    assert [t.status_code for t in ticks] == [200] * len(keys)
    now_status = _statuses(ctx)
    assert now_status[coding_key] == Status.DONE.value
    assert all(now_status[k] == Status.DONE.value for k in keys)
