"""HTML pages of the knowledge base, the dashboard and search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from loopprep.services import knowledge
from loopprep.services.dashboard import dashboard
from loopprep.services.search import search
from loopprep.web.deps import ctx, render, today

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request) -> Any:
    view = dashboard(ctx(request), today=today())
    if view.profile.profile is None:
        return RedirectResponse("/welcome", status_code=303)
    return render(request, "dashboard/index.html", view=view, title="Dashboard")


@router.get("/rounds", include_in_schema=False)
def rounds(request: Request) -> Any:
    return render(
        request, "knowledge/rounds.html", view=knowledge.list_rounds(ctx(request).bank), title="The four rounds"
    )


@router.get("/rounds/{round_id}", include_in_schema=False)
def round_page(request: Request, round_id: str) -> Any:
    view = knowledge.get_round(ctx(request).bank, round_id)
    return render(request, "knowledge/round.html", view=view, title=view.round.title)


@router.get("/bar", include_in_schema=False)
def bar(request: Request) -> Any:
    return render(request, "knowledge/bar.html", view=knowledge.get_bar(ctx(request).bank), title="The bar")


@router.get("/companies", include_in_schema=False)
def companies(request: Request) -> Any:
    return render(
        request, "knowledge/companies.html", view=knowledge.list_companies(ctx(request).bank), title="Company targeting"
    )


@router.get("/roles", include_in_schema=False)
def roles(request: Request) -> Any:
    return render(request, "knowledge/roles.html", view=knowledge.list_roles(ctx(request).bank), title="Roles")


@router.get("/frameworks", include_in_schema=False)
def frameworks(request: Request) -> Any:
    return render(
        request,
        "knowledge/frameworks.html",
        view=knowledge.list_frameworks(ctx(request).bank),
        title="Interview-day frameworks",
    )


@router.get("/frameworks/{framework_id}", include_in_schema=False)
def framework_page(request: Request, framework_id: str) -> Any:
    view = knowledge.get_framework(ctx(request).bank, framework_id)
    return render(request, "knowledge/framework.html", view=view, title=view.framework.title)


@router.get("/search", include_in_schema=False)
def search_page(request: Request, q: str = "") -> Any:
    view = search(ctx(request), q)
    return render(
        request,
        "search/index.html",
        view=view,
        query=view.query,
        title=f"Search: {view.query}" if view.query else "Search",
    )
