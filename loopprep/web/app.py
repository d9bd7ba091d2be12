"""create_app(settings): the FastAPI application, its security middleware and error pages."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from loopprep import __version__
from loopprep.errors import InvalidInput, LoopprepError
from loopprep.services.context import AppContext, open_context
from loopprep.settings import Settings
from loopprep.web.deps import make_templates, render
from loopprep.web.routes import api, pages, profile
from loopprep.web.routes import code as code_routes
from loopprep.web.routes import estimate as estimate_routes
from loopprep.web.routes import plan as plan_routes
from loopprep.web.routes import stats as stats_routes

STATIC_DIR = Path(__file__).parent / "static"
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


class HostGuard:
    """Answer only requests whose Host header is this server's own name (a page on another site
    cannot drive a loopprep on 127.0.0.1 via DNS rebinding), and refuse cross-site writes to the
    JSON API: an Origin header, when sent, must be this server's.  (Write routes also demand a
    JSON body, see ``routes/api.py``; a cross-site form cannot send one without CORS.)"""

    def __init__(self, app: ASGIApp, allowed: set[str]) -> None:
        self.app = app
        self.allowed = {h.lower() for h in allowed}

    @staticmethod
    def _host_name(value: str) -> str:
        value = value.strip().lower()
        if value.startswith("["):
            return value.split("]", 1)[0] + "]"
        return value.rsplit(":", 1)[0] if value.count(":") == 1 else value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = self._host_name(headers.get("host", ""))
        if host not in self.allowed:
            resp: Response = PlainTextResponse(
                f"loopprep does not answer for host '{host}'. Open it at http://127.0.0.1 instead, "
                "or add the name to LOOPPREP_ALLOWED_HOSTS.",
                status_code=421,
            )
            await resp(scope, receive, send)
            return
        method = scope["method"]
        if method in ("POST", "PUT", "PATCH", "DELETE") and scope["path"].startswith("/api/"):
            origin = headers.get("origin")
            if origin and self._host_name(origin.split("://", 1)[-1]) not in self.allowed:
                resp = JSONResponse({"message": "Cross-site request refused.", "hint": "", "fields": {}}, 403)
                await resp(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


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
        docs_url="/api/docs",
        redoc_url=None,
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
    app.add_middleware(HostGuard, allowed=allowed)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
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
            methods = {
                m
                for route in app.routes
                if getattr(route, "path_regex", None) is not None and route.path_regex.match(request.url.path)
                for m in (getattr(route, "methods", None) or ())
            }
            exc.headers = {"Allow": ", ".join(sorted(methods))}
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
