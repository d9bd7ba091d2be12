"""create_app(settings): the FastAPI application, its security middleware and error pages."""

from __future__ import annotations

import gc
import importlib.resources
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from loopprep import __version__
from loopprep.errors import InvalidInput, LoopprepError
from loopprep.services.context import AppContext, open_context
from loopprep.settings import Settings
from loopprep.web.deps import make_templates, render
from loopprep.web.middleware import SecurityGuard
from loopprep.web.routes import api, pages, profile
from loopprep.web.routes import code as code_routes
from loopprep.web.routes import estimate as estimate_routes
from loopprep.web.routes import plan as plan_routes
from loopprep.web.routes import stats as stats_routes

STATIC_DIR = Path(__file__).parent / "static"
# Swagger UI 5 (OpenAPI 3.1) as shipped inside the fastapi-offline package: swagger-ui-bundle.js
# and swagger-ui.css.  (swagger-ui-bundle on PyPI still ships Swagger UI 4, which cannot read 3.1.)
SWAGGER_UI_DIR = Path(str(importlib.resources.files("fastapi_offline") / "static"))
NAV = [
    ("Dashboard", "/"),
    ("Plan", "/plan"),
    ("Rounds", "/rounds"),
    ("The bar", "/bar"),
    ("Companies", "/companies"),
    ("Roles", "/roles"),
    ("Frameworks", "/frameworks"),
    ("Coding", "/code"),
    ("Estimate", "/estimate"),
    ("Stats lab", "/stats"),
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """The methods some route answers on this path, asking the router itself (routes sit in
    included routers, which ``app.routes`` does not flatten)."""
    found = set()
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        probe = {**scope, "method": method}
        if any(route.matches(probe)[0] == Match.FULL for route in app.router.routes):
            found.add(method)
    return sorted(found)


def create_app(settings: Settings, *, context: AppContext | None = None) -> FastAPI:
    """Build the app.  Without ``context`` the lifespan opens one (content, database, index)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = context is None
        app.state.ctx = context or open_context(settings)
        # The content bank is loaded and immutable: move it out of the collector's sight so
        # full collections stop scanning it (fewer long GC pauses under load).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            judge = app.state.judge_holder.get("judge")
            if judge is not None:
                judge.close()
            if own:
                app.state.ctx.engine.dispose()

    app = FastAPI(
        title="loopprep",
        version=__version__,
        description="Practise the ML / AI engineer and data scientist interview loop. "
        "Every page's data is served here as JSON, in the same shape as the CLI's --json.",
        lifespan=lifespan,
        docs_url=None,  # served below from the fastapi-offline package's files, never from a CDN
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url="/api/openapi.json",
    )
    if context is not None:
        app.state.ctx = context
    app.state.templates = make_templates()
    app.state.nav = NAV
    app.state.page_cache = {}
    # The judge's zygote is started on first use (a coding page or a run), one per worker.
    app.state.judge_holder = {
        "lock": threading.Lock(),
        "judge": None,
        "off": tuple(settings.judge_protections_off),
        "max_waiting": settings.judge_max_waiting,
    }
    allowed = LOCAL_HOSTS | {settings.host} | set(settings.allowed_hosts)
    app.add_middleware(SecurityGuard, allowed=allowed)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/api/docs/assets", StaticFiles(directory=str(SWAGGER_UI_DIR)), name="api-docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> Any:
        """The interactive API reference: Swagger UI from the declared fastapi-offline package
        (its own page has an inline script, which the CSP refuses), started by our static script."""
        return request.app.state.templates.TemplateResponse(request, "api_docs.html", {})

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(profile.router)
    app.include_router(stats_routes.router)
    app.include_router(estimate_routes.router)
    app.include_router(plan_routes.router)
    app.include_router(code_routes.router)

    @app.exception_handler(LoopprepError)
    async def loopprep_error(request: Request, exc: LoopprepError) -> Any:
        fields = exc.fields if isinstance(exc, InvalidInput) else {}
        if _wants_json(request):
            return JSONResponse(
                {"message": exc.message, "hint": exc.hint, "fields": fields}, status_code=exc.status_code
            )
        return render(
            request,
            "error.html",
            status_code=exc.status_code,
            title="Page not found" if exc.status_code == 404 else "Something is wrong",
            message=exc.message,
            hint=exc.hint,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if exc.status_code == 405:  # Allow must list every route on this path, not just the first
            exc.headers = {"Allow": ", ".join(allowed_methods(app, request.scope))}
        if _wants_json(request):
            return JSONResponse(
                {"message": str(exc.detail), "hint": "", "fields": {}},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        if exc.status_code == 404:
            return render(
                request,
                "error.html",
                status_code=404,
                title="Page not found",
                message=f"There is no page at {request.url.path}.",
                hint="Try the search box above, or go back to the dashboard.",
            )
        response = render(
            request,
            "error.html",
            status_code=exc.status_code,
            title="Request refused",
            message=str(exc.detail),
            hint="",
        )
        response.headers.update(getattr(exc, "headers", None) or {})
        return response

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Any:
        message = "loopprep hit an internal error and did not finish this request."
        hint = "The server's log has the details. Try again, and report it if it happens again."
        if _wants_json(request):
            return JSONResponse({"message": message, "hint": hint, "fields": {}}, status_code=500)
        try:
            return render(
                request, "error.html", status_code=500, title="Something went wrong", message=message, hint=hint
            )
        except Exception:  # the page itself cannot be drawn (e.g. the database is gone)
            return PlainTextResponse(f"{message} {hint}", status_code=500)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Any:
        fields: dict[str, str] = {}
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
            fields.setdefault(".".join(loc) or "request", str(err.get("msg", "invalid")))
        message = "The request is invalid: " + "; ".join(f"{k}: {v}" for k, v in fields.items())
        if _wants_json(request):
            return JSONResponse({"message": message, "hint": "", "fields": fields}, status_code=422)
        return render(request, "error.html", status_code=422, title="Invalid request", message=message, hint="")

    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (used by ``loopprep serve --workers N``)."""
    return create_app(Settings())
