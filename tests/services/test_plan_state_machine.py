"""A state machine over the Clock: profile changes, re-plans, check-offs, skips, days off and
days passing, in any order.  Whatever happens the plan loads (page, today, calendar) and every
task the user marked done stays done.  Refusals with a fix (``LoopprepError``) are fine; a
database error is not."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from loopprep.content.loader import ContentBank
from loopprep.engines.clock import Status
from loopprep.errors import LoopprepError
from loopprep.services import plan as svc
from loopprep.services.context import AppContext, open_context
from loopprep.services.profile import set_profile
from loopprep.settings import Settings
from loopprep.store.tables import metadata, plan_settings, plan_task

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
MINUTES = st.sampled_from([0, 30, 60, 90, 180, 300])


def _machine(make_ctx: Callable[[], AppContext], drop_ctx: Callable[[AppContext], None]) -> type:
    class PlanMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.ctx = make_ctx()
            self.today = TODAY
            self.done: set[str] = set()

        def teardown(self) -> None:
            drop_ctx(self.ctx)

        def _try(self, action: Callable[[], object]) -> None:
            try:
                action()
            except LoopprepError as exc:  # a refusal must say what to fix
                assert exc.message

        def _profile(self, days: int, role: str = "ml-engineer") -> None:
            changes = {"role": role, "level": "l5", "company_types": ["faang"]}
            changes["loop_date"] = self.today + dt.timedelta(days=days)  # type: ignore[assignment]
            self._try(lambda: set_profile(self.ctx, changes, today=self.today, now=NOW))

        def _settings(self) -> dict[str, object] | None:
            with self.ctx.engine.connect() as conn:
                row = conn.execute(select(plan_settings)).mappings().first()
            return dict(row) if row else None

        @initialize(days=st.integers(0, 45), weekday=MINUTES, weekend=MINUTES)
        def start(self, days: int, weekday: int, weekend: int) -> None:
            self._profile(days)
            hours = svc.parse_settings({"weekday_minutes": weekday, "weekend_minutes": weekend})
            self._try(lambda: svc.create_plan(self.ctx, hours, today=self.today, now=NOW))

        @rule(days=st.integers(-1, 60), role=st.sampled_from(["ml-engineer", "data-scientist", "ai-llm-engineer"]))
        def change_profile(self, days: int, role: str) -> None:
            self._profile(days, role)

        @rule(weekday=MINUTES, weekend=MINUTES)
        def replan(self, weekday: int, weekend: int) -> None:
            hours = svc.parse_settings({"weekday_minutes": weekday, "weekend_minutes": weekend})
            self._try(lambda: svc.replan_plan(self.ctx, hours, today=self.today, now=NOW))

        @rule(offset=st.integers(0, 20))
        def day_off(self, offset: int) -> None:
            current = self._settings()
            days_off = [str(d) for d in current["days_off"]] if current else []  # type: ignore[attr-defined]
            changes = svc.parse_settings(
                {"days_off": [*days_off, (self.today + dt.timedelta(days=offset)).isoformat()]}
            )
            self._try(lambda: svc.replan_plan(self.ctx, changes, today=self.today, now=NOW))

        @rule(data=st.data(), status=st.sampled_from([Status.DONE, Status.DONE, Status.SKIPPED, Status.PENDING]))
        def tick(self, data: st.DataObject, status: Status) -> None:
            with self.ctx.engine.connect() as conn:
                keys = sorted(
                    k for (k,) in conn.execute(select(plan_task.c.key).where(plan_task.c.status != "dropped"))
                )
            if not keys:
                return
            key = data.draw(st.sampled_from(keys))
            svc.set_task_status(self.ctx, key, status, now=NOW)
            (self.done.add if status == Status.DONE else self.done.discard)(key)

        @rule()
        def create_if_missing(self) -> None:
            if self._settings() is None:
                self._try(lambda: svc.create_plan(self.ctx, today=self.today, now=NOW))

        @rule(days=st.integers(1, 4))
        def days_pass(self, days: int) -> None:
            self.today += dt.timedelta(days=days)

        @invariant()
        def the_plan_loads_and_keeps_what_is_done(self) -> None:
            view = svc.show_plan(self.ctx, today=self.today)
            svc.today_plan(self.ctx, today=self.today)
            if not view.exists:
                assert not self.done
                return
            for week in range(1, view.weeks + 1):
                svc.show_plan(self.ctx, today=self.today, week=week)
            svc.calendar_ics(self.ctx, now=NOW)
            with self.ctx.engine.connect() as conn:
                statuses = dict(conn.execute(select(plan_task.c.key, plan_task.c.status)).all())
            lost = {k for k in self.done if statuses.get(k) != Status.DONE.value}
            assert not lost, f"done tasks lost: {sorted(lost)}"

    return PlanMachine


FAST = settings(
    deadline=None, database=None, suppress_health_check=list(HealthCheck), stateful_step_count=12, max_examples=30
)


def test_plan_state_machine_sqlite(sqlite_template: Path, bank: ContentBank, tmp_path: Path) -> None:
    counter = iter(range(10**6))

    def make() -> AppContext:
        data_dir = tmp_path / f"db{next(counter)}"
        data_dir.mkdir()
        shutil.copy(sqlite_template, data_dir / "loopprep.db")
        return open_context(Settings(data_dir=data_dir), bank=bank, index=False)

    def drop(ctx: AppContext) -> None:
        ctx.engine.dispose()
        shutil.rmtree(ctx.settings.data_dir, ignore_errors=True)

    run_state_machine_as_test(_machine(make, drop), settings=FAST)


@pytest.mark.postgres
def test_plan_state_machine_postgres(pg_migrated: str, bank: ContentBank, tmp_path: Path) -> None:
    def make() -> AppContext:
        return open_context(Settings(data_dir=tmp_path, database_url=pg_migrated), bank=bank, index=False)

    def drop(ctx: AppContext) -> None:
        with ctx.engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                if table.name != "store_meta":
                    conn.execute(table.delete())
        ctx.engine.dispose()

    run_state_machine_as_test(_machine(make, drop), settings=settings(FAST, max_examples=8, stateful_step_count=10))
