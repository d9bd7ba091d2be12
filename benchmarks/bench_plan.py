#!/usr/bin/env python3
"""The Clock: plan generation and re-planning for a 12-week horizon (target < 50 ms each).

Measures the pure engine (``make_plan``, ``replan`` after a missed week with some work done)
and, for comparison, the whole service on SQLite (validate, weights, engine, write ~300 rows).
Every figure is the median and the worst of ``--runs`` runs after a warm-up.  The service runs
against a fresh temp data directory, never your own data.

Exit status: 0 when the figures were measured (even on a MISS); non-zero when something broke.

Usage: .venv/bin/python benchmarks/bench_plan.py [--runs 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from loopprep.content.loader import load_bank
from loopprep.domain import RoundId
from loopprep.engines.clock import Availability, PlanRequest, Status, make_plan, replan
from loopprep.services import plan as svc
from loopprep.services.context import open_context
from loopprep.services.plan_rules import rules_from
from loopprep.services.profile import set_profile
from loopprep.settings import Settings

TARGET_MS = 50.0
START = dt.date(2026, 11, 23)
HORIZON = 84  # 12 weeks


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    for _ in range(3):
        fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), max(samples)


def report(name: str, median: float, worst: float, target: float | None) -> None:
    verdict = "" if target is None else ("  OK" if median < target else "  MISS")
    goal = "" if target is None else f" (target < {target:.0f} ms)"
    print(f"{name:<44} median {median:7.2f} ms   worst {worst:7.2f} ms{goal}{verdict}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    bank = load_bank()
    rules = rules_from(bank)
    weights = {r: w for r, w in zip(RoundId, (0.35, 0.15, 0.3, 0.2), strict=True)}
    req = PlanRequest(
        start=START,
        loop_date=START + dt.timedelta(days=HORIZON),
        availability=Availability(120, 240),
        weights=weights,
        ai_role=True,
    )
    plan = make_plan(req, rules=rules)
    first_week = START + dt.timedelta(days=7)
    progress = [
        replace(t, status=Status.DONE) if t.day < first_week and i % 2 == 0 else t for i, t in enumerate(plan.tasks)
    ]
    later = replace(req, start=first_week + dt.timedelta(days=7), availability=Availability(90, 180))
    print(f"12-week plan: {len(plan.tasks)} tasks over {HORIZON} days; re-plan two weeks in, one week missed.")
    report("engine: make_plan (12 weeks)", *timed(lambda: make_plan(req, rules=rules), args.runs), TARGET_MS)
    report("engine: replan (12 weeks)", *timed(lambda: replan(progress, later, rules=rules), args.runs), TARGET_MS)

    with tempfile.TemporaryDirectory() as tmp:
        ctx = open_context(Settings(data_dir=Path(tmp)), bank=bank)
        now = dt.datetime.now(dt.UTC)
        set_profile(
            ctx,
            {"role": "ai-llm-engineer", "level": "l5", "company_types": ["faang"], "loop_date": req.loop_date},
            today=START,
            now=now,
        )
        svc.create_plan(ctx, today=START, now=now)
        report(
            "service: create_plan, SQLite (with writes)",
            *timed(lambda: svc.create_plan(ctx, today=START, now=now, replace=True), args.runs),
            None,
        )
        report(
            "service: replan_plan, SQLite (with writes)",
            *timed(lambda: svc.replan_plan(ctx, today=START + dt.timedelta(days=3), now=now), args.runs),
            None,
        )
        ctx.engine.dispose()


if __name__ == "__main__":
    main()
