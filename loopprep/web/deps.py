"""Request-scoped helpers shared by the routes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from markupsafe import Markup

from loopprep import __version__
from loopprep.domain import MAX_MINUTES_PER_DAY, MIN_MINUTES_PER_DAY
from loopprep.errors import InvalidInput
from loopprep.services.context import AppContext
from loopprep.services.judge import Judge
from loopprep.web.urls import TEMPLATE_GLOBALS

CSRF_COOKIE = "loopprep_csrf"
CSRF_FIELD = "csrf_token"
TEMPLATES_DIR = Path(__file__).parent / "templates"

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}).enable("table")


@lru_cache(maxsize=4096)
def _render_markdown(text: str) -> str:
    return str(_md.render(text))


def markdown(text: str | None) -> Markup:
    """Render Markdown with raw HTML disabled (memoised: content text never changes)."""
    return Markup(_render_markdown(text or ""))  # noqa: S704 - html is disabled in the renderer


LINK_SCHEMES = ("http://", "https://", "mailto:")


def link_href(url: str | None) -> str:
    """The URL when it may be a link (http, https, mailto), else "" (the template then shows
    plain text): a ``javascript:`` URL must never reach an ``href``, whatever let it in."""
    if url and url.strip().lower().startswith(LINK_SCHEMES):
        return url
    return ""


def make_templates() -> Jinja2Templates:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    # auto_reload off: templates ship with the package and never change while serving.
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(), auto_reload=False)
    templates = Jinja2Templates(env=env)
    templates.env.filters["markdown"] = markdown
    templates.env.filters["link_href"] = link_href
    templates.env.filters["pct"] = lambda x: f"{x * 100:.0f} %"
    templates.env.globals["version"] = __version__
    templates.env.globals.update(TEMPLATE_GLOBALS)
    templates.env.globals["minutes_per_day_range"] = f"{MIN_MINUTES_PER_DAY}–{MAX_MINUTES_PER_DAY}"
    return templates


def ctx(request: Request) -> AppContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


def judge(request: Request) -> Judge:
    """This worker's judge, started on first use."""
    holder = request.app.state.judge_holder
    j: Judge | None = holder["judge"]
    if j is None:
        with holder["lock"]:
            j = holder["judge"]
            if j is None:
                j = Judge(protections_off=holder["off"], max_waiting=holder.get("max_waiting", 8))
                holder["judge"] = j
    return j


def judge_if_started(request: Request) -> Judge | None:
    j: Judge | None = request.app.state.judge_holder["judge"]  # app.state is untyped
    return j


_WHOLE = re.compile(r"[0-9]{1,9}")


def whole_number(raw: str, *, field: str, what: str, hint: str = "") -> int:
    """A form or query field that must be a whole number below 10^9.  Only ASCII digits count:
    ``str.isdigit`` also accepts '²' or '٣', which ``int`` then refuses (a 500)."""
    if not _WHOLE.fullmatch(raw):
        raise InvalidInput(f"'{raw[:40]}' is not {what}.", hint, field=field)
    return int(raw)


def is_whole_number(raw: str) -> bool:
    return _WHOLE.fullmatch(raw) is not None


def today() -> dt.date:
    return dt.date.today()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def signing_secret(app_state: Any) -> bytes:
    """The server's secret (stored in the database), read once per app."""
    secret: bytes | None = getattr(app_state, "signing_secret", None)
    if secret is None:
        from loopprep.services.secret import server_secret

        secret = server_secret(app_state.ctx)
        app_state.signing_secret = secret
    return secret


def _sign(secret: bytes, nonce: str) -> str:
    return hmac.new(secret, b"csrf:" + nonce.encode("ascii"), hashlib.sha256).hexdigest()


def signed_token_ok(secret: bytes, token: str | None) -> bool:
    """A CSRF token is ``nonce.signature``: a cookie set by another page on this host (cookies
    are not bound to a port) cannot carry a valid one, because only this server has the key."""
    if not token or len(token) > 200 or token.count(".") != 1 or not token.isascii():
        return False
    nonce, sig = token.split(".")
    return bool(nonce) and hmac.compare_digest(_sign(secret, nonce), sig)


def csrf_token(request: Request) -> str:
    secret = signing_secret(request.app.state)
    cookie = request.cookies.get(CSRF_COOKIE)
    if signed_token_ok(secret, cookie):
        return str(cookie)
    token: str | None = getattr(request.state, "csrf_new", None)
    if not token:
        nonce = secrets.token_urlsafe(24)
        token = f"{nonce}.{_sign(secret, nonce)}"
        request.state.csrf_new = token
    return token


def csrf_ok(request: Request, submitted: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not (cookie and submitted and hmac.compare_digest(cookie.encode(), submitted.encode())):
        return False
    return signed_token_ok(signing_secret(request.app.state), cookie)


def render(request: Request, template: str, status_code: int = 200, *, form: bool = False, **context: Any) -> Any:
    """Render a page.  ``form=True`` pages get a CSRF token (and its cookie when new)."""
    templates: Jinja2Templates = request.app.state.templates
    context.setdefault("query", "")
    context["csrf_token"] = csrf_token(request) if form else ""
    context["nav"] = request.app.state.nav
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    new = getattr(request.state, "csrf_new", None)
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="strict", path="/")
    return response


def render_content(request: Request, template: str, build: Callable[[], dict[str, Any]]) -> HTMLResponse:
    """Render a page that depends only on the (immutable) content bank and the path once per
    app; later requests get the stored HTML.  ``build`` makes the template context (and may raise
    ``NotFound``, which is never cached).  The cache is per app and derived from shipped content,
    so several workers or hosts stay consistent."""
    cache: dict[str, bytes] = request.app.state.page_cache
    key = request.url.path
    body = cache.get(key)
    if body is None:
        body = bytes(render(request, template, **build()).body)
        cache[key] = body
    return HTMLResponse(body)
