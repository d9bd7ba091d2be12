"""The home page: days to the loop, the round weights, links into each area."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from loopprep.engines.clock import phase_spans
from loopprep.services.context import AppContext
from loopprep.services.plan import ProgressView, TodayView
from loopprep.services.plan.storage import _task_from_row
from loopprep.services.plan.views import _view
from loopprep.services.profile import ProfileView, profile_view
from loopprep.services.weights import WeightsView
from loopprep.store.dashboard import DashboardRows, read_dashboard


class AreaLink(BaseModel):
    id: str
    title: str
    description: str


class ContentWarning(BaseModel):
    file: str
    entry: str | None
    field: str | None
    message: str


class DashboardView(BaseModel):
    today: dt.date
    profile: ProfileView
    weights: WeightsView | None
    areas: list[AreaLink]
    content_warnings: list[ContentWarning]
    today_tasks: TodayView | None = None  # The Clock: today's tasks (None without a profile)


# Only areas that exist are listed: a later feature adds its entry here when it lands.
AREAS = [
    AreaLink(
        id="plan",
        title="Your plan",
        description="A day-by-day plan to the loop date: check tasks off, re-plan, export to a calendar.",
    ),
    AreaLink(
        id="rounds",
        title="The five rounds",
        description="What each round tests, how long it runs, how often it appears.",
    ),
    AreaLink(id="bar", title="The bar by level", description="L4/L5 execution bar versus the L6+ strategy bar."),
    AreaLink(
        id="companies",
        title="Company targeting",
        description="How FAANG, AI-first labs, product companies and startups weight the rounds.",
    ),
    AreaLink(id="roles", title="Roles", description="Primary, important and lighter rounds for each role."),
    AreaLink(
        id="frameworks",
        title="Interview-day frameworks",
        description="Five timed phases, Signal-Layer, recovery moves, silences, closing questions.",
    ),
    AreaLink(
        id="code",
        title="ML coding",
        description="Implement ML algorithms from scratch in a browser editor or your own; a sandboxed judge grades "
        "them in milliseconds, hidden edge cases included.",
    ),
    AreaLink(
        id="estimate",
        title="Estimation kit",
        description="Exact napkin math for QPS, GPUs, weights and KV cache, with the working shown; timed drills.",
    ),
    AreaLink(
        id="stats",
        title="Stats lab",
        description="Power, intervals, SRM, corrections, CUPED and diff-in-diff that name their method; "
        "an experiment analyser; cases.",
    ),
]


def dashboard(ctx: AppContext, *, today: dt.date) -> DashboardView:
    """The home page: the profile, its round weights and today's tasks of the plan.  The database
    is read in one SELECT; the weights and task titles come from what the context derived from
    the content once."""
    with ctx.engine.connect() as conn:
        rows = read_dashboard(conn, today=today)
    prof = rows.profile
    return DashboardView(
        today=today,
        profile=profile_view(prof, today=today),
        weights=ctx.weights_for(prof) if prof else None,
        areas=AREAS,
        content_warnings=[ContentWarning.model_validate(p.as_dict()) for p in ctx.bank.user_problems],
        today_tasks=_today(ctx, rows, today=today) if prof else None,
    )


def _today(ctx: AppContext, rows: DashboardRows, *, today: dt.date) -> TodayView:
    """Today's tasks, the current phase and the progress: the same figures as the plan page's
    (``plan.today_plan``), from the totals the database computed."""
    if rows.plan_start is None:
        return TodayView(exists=False, today=today)
    t = rows.totals
    first = t.first_live or rows.plan_start
    last = t.last_live or first
    if rows.loop_rounds:
        loop_first = min(dt.datetime.fromisoformat(r["start"]).date() for r in rows.loop_rounds)
    else:
        loop_first = rows.profile.loop_date if rows.profile else last
    spans = phase_spans(min(first, loop_first), loop_first, max(last, loop_first), rules=ctx.plan_rules)
    current = next((s.phase for s in spans if s.first <= today <= s.last), None)
    titles = ctx.task_titles
    tasks = [_view(_task_from_row(r), titles) for r in rows.today_tasks]
    live = t.done + t.skipped + t.pending
    return TodayView(
        exists=True,
        today=today,
        days_to_loop=(loop_first - today).days,
        phase=current,
        phase_label=current.label if current else None,
        tasks=tasks,
        minutes=sum(v.minutes for v in tasks if v.counts),
        progress=ProgressView(
            done=t.done,
            skipped=t.skipped,
            pending=t.pending,
            dropped=t.dropped,
            total=live,
            percent=round(100 * t.done / live) if live else 0,
            minutes_done=t.minutes_done,
            minutes_total=t.minutes_live,
        ),
        missed=t.missed,
    )
