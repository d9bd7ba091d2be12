"""Request-scoped helpers shared by the routes."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from markupsafe import Markup

from loopprep import __version__
from loopprep.services.context import AppContext

CSRF_COOKIE = "loopprep_csrf"
CSRF_FIELD = "csrf_token"
TEMPLATES_DIR = Path(__file__).parent / "templates"

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}).enable("table")


def markdown(text: str | None) -> Markup:
    """Render trusted-format Markdown with raw HTML disabled."""
    return Markup(_md.render(text or ""))  # noqa: S704 - html is disabled in the renderer


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters["markdown"] = markdown
    templates.env.filters["pct"] = lambda x: f"{x * 100:.0f} %"
    templates.env.globals["version"] = __version__
    return templates


def ctx(request: Request) -> AppContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


def today() -> dt.date:
    return dt.date.today()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def csrf_token(request: Request) -> str:
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_new", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.csrf_new = token
    return token


def csrf_ok(request: Request, submitted: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE)
    return bool(cookie and submitted and hmac.compare_digest(cookie, submitted))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Any:
    templates: Jinja2Templates = request.app.state.templates
    context.setdefault("query", "")
    context["csrf_token"] = csrf_token(request)
    context["nav"] = request.app.state.nav
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    new = getattr(request.state, "csrf_new", None)
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="strict", path="/")
    return response
