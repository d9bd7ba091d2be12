"""The home page: days to the loop, the round weights, links into each area."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from loopprep.services.context import AppContext
from loopprep.services.plan import TodayView, today_plan
from loopprep.services.profile import ProfileView, show_profile
from loopprep.services.weights import WeightsView, weights_for


class AreaLink(BaseModel):
    id: str
    title: str
    url: str
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
        url="/plan",
        description="A day-by-day plan to the loop date: check tasks off, re-plan, export to a calendar.",
    ),
    AreaLink(
        id="rounds",
        title="The four rounds",
        url="/rounds",
        description="What each round tests, how long it runs, how often it appears.",
    ),
    AreaLink(
        id="bar", title="The bar by level", url="/bar", description="L4/L5 execution bar versus the L6+ strategy bar."
    ),
    AreaLink(
        id="companies",
        title="Company targeting",
        url="/companies",
        description="How FAANG, AI-first labs, product companies and startups weight the rounds.",
    ),
    AreaLink(
        id="roles", title="Roles", url="/roles", description="Primary, important and lighter rounds for each role."
    ),
    AreaLink(
        id="frameworks",
        title="Interview-day frameworks",
        url="/frameworks",
        description="Five timed phases, Signal-Layer, recovery moves, silences, closing questions.",
    ),
    AreaLink(
        id="code",
        title="ML coding",
        url="/code",
        description="Implement ML algorithms from scratch in a browser editor or your own; a sandboxed judge grades "
        "them in milliseconds, hidden edge cases included.",
    ),
    AreaLink(
        id="estimate",
        title="Estimation kit",
        url="/estimate",
        description="Exact napkin math for QPS, GPUs, weights and KV cache, with the working shown; timed drills.",
    ),
    AreaLink(
        id="stats",
        title="Stats lab",
        url="/stats",
        description="Power, intervals, SRM, corrections, CUPED and diff-in-diff that name their method; "
        "an experiment analyser; cases.",
    ),
]


def dashboard(ctx: AppContext, *, today: dt.date) -> DashboardView:
    pv = show_profile(ctx, today=today)
    weights = weights_for(ctx.bank, pv.profile) if pv.profile else None
    return DashboardView(
        today=today,
        profile=pv,
        weights=weights,
        areas=AREAS,
        content_warnings=[ContentWarning.model_validate(p.as_dict()) for p in ctx.bank.user_problems],
        today_tasks=today_plan(ctx, today=today) if pv.profile else None,
    )
