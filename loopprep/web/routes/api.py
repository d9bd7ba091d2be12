"""The JSON API: every page's data, in the same models as the CLI's ``--json``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from loopprep.domain import CompanyName, CompanyType, Level, Profile, Role
from loopprep.errors import LoopprepError
from loopprep.services import knowledge
from loopprep.services.dashboard import DashboardView, dashboard
from loopprep.services.profile import ProfileView, set_profile, show_profile
from loopprep.services.search import SearchView, search
from loopprep.services.weights import WeightsView, weights_for
from loopprep.web.deps import ctx, now, today

router = APIRouter(prefix="/api", tags=["api"])


class UnsupportedMedia(LoopprepError):
    status_code = 415


class ErrorBody(BaseModel):
    message: str
    hint: str = ""
    fields: dict[str, str] = {}


ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}}
# Writes are also refused when cross-site (403) or not sent as JSON (415): see web/middleware.py.
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: {"model": ErrorBody, "description": "The body is not valid JSON"},
    403: {"model": ErrorBody, "description": "Cross-site request refused"},
    415: {"model": ErrorBody, "description": "The body must be JSON"},
}


def require_json(request: Request) -> None:
    """Writes take JSON only: a page on another site can post a form, but cannot send
    ``application/json`` cross-site without a CORS preflight, which loopprep never grants."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise UnsupportedMedia("Send a JSON body with Content-Type: application/json.")


class ProfileChanges(BaseModel):
    """Fields to change; omitted fields keep their value (all are needed the first time)."""

    model_config = ConfigDict(extra="forbid")
    role: Role | None = None
    level: Level | None = None
    company_types: list[CompanyType] | None = Field(None, min_length=1)
    loop_date: dt.date | None = None
    target_companies: list[CompanyName] | None = Field(None, max_length=20)


@router.get("/dashboard", response_model=DashboardView)
def api_dashboard(request: Request) -> DashboardView:
    return dashboard(ctx(request), today=today())


@router.get("/profile", response_model=ProfileView)
def api_profile(request: Request) -> ProfileView:
    return show_profile(ctx(request), today=today())


@router.put("/profile", response_model=ProfileView, responses=WRITE_ERRORS, dependencies=[Depends(require_json)])
def api_set_profile(request: Request, changes: ProfileChanges) -> ProfileView:
    set_profile(ctx(request), changes.model_dump(exclude_none=True), today=today(), now=now())
    return show_profile(ctx(request), today=today())


@router.get("/weights", response_model=WeightsView, responses=ERRORS)
def api_weights(
    request: Request,
    role: Role,
    level: Level,
    company_types: list[CompanyType] = Query(..., min_length=1),  # noqa: B008
) -> WeightsView:
    """Round weights for any role, level and company types (no saved profile needed)."""
    profile = Profile(role=role, level=level, company_types=company_types, loop_date=today())
    return weights_for(ctx(request).bank, profile)


@router.get("/rounds", response_model=knowledge.RoundsView)
def api_rounds(request: Request) -> knowledge.RoundsView:
    return knowledge.list_rounds(ctx(request).bank)


@router.get("/rounds/{round_id}", response_model=knowledge.RoundView, responses=ERRORS)
def api_round(request: Request, round_id: str) -> knowledge.RoundView:
    return knowledge.get_round(ctx(request).bank, round_id)


@router.get("/bar", response_model=knowledge.BarView)
def api_bar(request: Request) -> knowledge.BarView:
    return knowledge.get_bar(ctx(request).bank)


@router.get("/companies", response_model=knowledge.CompaniesView)
def api_companies(request: Request) -> knowledge.CompaniesView:
    return knowledge.list_companies(ctx(request).bank)


@router.get("/roles", response_model=knowledge.RolesView)
def api_roles(request: Request) -> knowledge.RolesView:
    return knowledge.list_roles(ctx(request).bank)


@router.get("/frameworks", response_model=knowledge.FrameworksView)
def api_frameworks(request: Request) -> knowledge.FrameworksView:
    return knowledge.list_frameworks(ctx(request).bank)


@router.get("/frameworks/{framework_id}", response_model=knowledge.FrameworkView, responses=ERRORS)
def api_framework(request: Request, framework_id: str) -> knowledge.FrameworkView:
    return knowledge.get_framework(ctx(request).bank, framework_id)


@router.get("/search", response_model=SearchView)
def api_search(request: Request, q: str = Query("", max_length=200)) -> SearchView:
    return search(ctx(request), q)
