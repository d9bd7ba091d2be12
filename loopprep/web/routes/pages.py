"""HTML pages of the knowledge base, the dashboard and search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from loopprep.services import knowledge
from loopprep.services.dashboard import dashboard
from loopprep.services.search import search
from loopprep.web.deps import ctx, render, render_content, today

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request) -> Any:
    view = dashboard(ctx(request), today=today())
    if view.profile.profile is None:
        return RedirectResponse("/welcome", status_code=303)
    return render(request, "dashboard/index.html", view=view, title="Dashboard")


# Knowledge pages depend only on the content bank, so each is rendered once per app; they do
# no I/O, so they run on the event loop (async) instead of hopping to the thread pool.


@router.get("/rounds", include_in_schema=False)
async def rounds(request: Request) -> Any:
    bank = ctx(request).bank
    return render_content(
        request, "knowledge/rounds.html", lambda: {"view": knowledge.list_rounds(bank), "title": "The five rounds"}
    )


@router.get("/rounds/{round_id}", include_in_schema=False)
async def round_page(request: Request, round_id: str) -> Any:
    def build() -> dict[str, Any]:
        view = knowledge.get_round(ctx(request).bank, round_id)
        return {"view": view, "title": view.round.title}

    return render_content(request, "knowledge/round.html", build)


@router.get("/bar", include_in_schema=False)
async def bar(request: Request) -> Any:
    bank = ctx(request).bank
    return render_content(request, "knowledge/bar.html", lambda: {"view": knowledge.get_bar(bank), "title": "The bar"})


@router.get("/companies", include_in_schema=False)
async def companies(request: Request) -> Any:
    bank = ctx(request).bank
    return render_content(
        request,
        "knowledge/companies.html",
        lambda: {"view": knowledge.list_companies(bank), "title": "Company targeting"},
    )


@router.get("/roles", include_in_schema=False)
async def roles(request: Request) -> Any:
    bank = ctx(request).bank
    return render_content(
        request, "knowledge/roles.html", lambda: {"view": knowledge.list_roles(bank), "title": "Roles"}
    )


@router.get("/frameworks", include_in_schema=False)
async def frameworks(request: Request) -> Any:
    bank = ctx(request).bank
    return render_content(
        request,
        "knowledge/frameworks.html",
        lambda: {"view": knowledge.list_frameworks(bank), "title": "Interview-day frameworks"},
    )


@router.get("/frameworks/{framework_id}", include_in_schema=False)
async def framework_page(request: Request, framework_id: str) -> Any:
    def build() -> dict[str, Any]:
        view = knowledge.get_framework(ctx(request).bank, framework_id)
        return {"view": view, "title": view.framework.title}

    return render_content(request, "knowledge/framework.html", build)


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
