"""The security guard in front of every request: a strict Host check, same-origin writes,
bounded form bodies (checked before they are read) and the security headers on every answer."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loopprep.web.deps import CSRF_COOKIE, signed_token_ok, signing_secret

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
FORM_LIMIT = 1024 * 1024  # a page's form (code, a model config, a plan) is far below 1 MB
UPLOAD_OVERHEAD = 1024 * 1024  # multipart framing and the other fields beside the file
# Forms that carry a file, with the largest file they take (the routes check the file itself).
UPLOAD_LIMITS = {
    "/stats/analyze": 200 * 1024 * 1024,
    "/stats/did": 200 * 1024 * 1024,
    "/api/stats/analyze": 200 * 1024 * 1024,
}
DEFAULT_PORTS = {"http": 80, "https": 443}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]

_HOST = re.compile(
    r"(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?))(?::(?P<port>[0-9]{1,5}))?"
)


def parse_host(value: str) -> tuple[str, int | None] | None:
    """``host[:port]`` as in RFC 9110's Host header, or None when it is anything else (user
    info, a path, a bracketed address followed by more text, a port over 65535).  An IPv6
    address keeps its brackets, in its short form: ``('[::1]', 8100)``."""
    m = _HOST.fullmatch(value.strip().lower())
    if m is None:
        return None
    port = int(m["port"]) if m["port"] is not None else None
    if port is not None and not 0 < port < 65536:
        return None
    if m["v6"] is not None:
        try:
            address = ipaddress.IPv6Address(m["v6"])
        except ValueError:
            return None
        return f"[{address.compressed}]", port
    return m["name"], port


def origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an Origin or Referer value; None when it is not an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or "@" in parts.netloc:
        return None
    host = parse_host(parts.netloc)
    if host is None:
        return None
    return scheme, host[0], host[1] or DEFAULT_PORTS[scheme]


def _refuse(scope: Scope, status: int, message: str, hint: str) -> Response:
    if scope["path"].startswith("/api/") or scope["path"] == "/api":
        return JSONResponse({"message": message, "hint": hint, "fields": {}}, status_code=status)
    return PlainTextResponse(f"{message} {hint}".strip(), status_code=status)


class BodyTooLarge(Exception):
    pass


class SecurityGuard:
    """Answer only for this server's own host names (a page on another site cannot drive a
    loopprep on 127.0.0.1 through DNS rebinding); refuse writes from another origin (scheme,
    host and port) and form posts that name no origin at all; bound form bodies before they are
    read, and read an upload only when it carries this server's signed CSRF cookie.  Scripts
    that send JSON with no browser headers keep working: a cross-site page cannot send JSON
    without a CORS preflight, which loopprep never grants."""

    def __init__(self, app: ASGIApp, allowed: set[str]) -> None:
        self.app = app
        # An IPv6 address is written in brackets in a Host header: "::1" is allowed as "[::1]".
        self.allowed = {f"[{h}]" if ":" in h and not h.startswith("[") else h for h in map(str.lower, allowed)}

    def _check(self, scope: Scope, headers: list[tuple[str, str]]) -> Response | None:
        hosts = [v for k, v in headers if k == "host"]
        if len(hosts) != 1:
            return _refuse(scope, 400, "Send exactly one Host header.", "")
        host = parse_host(hosts[0])
        name = host[0] if host else hosts[0][:80]
        if host is None or name not in self.allowed:
            return _refuse(
                scope,
                421,
                f"loopprep does not answer for host '{name}'.",
                "Open it at http://127.0.0.1 instead, or add the name to LOOPPREP_ALLOWED_HOSTS.",
            )
        if scope["method"] not in UNSAFE:
            return None
        scheme = str(scope.get("scheme", "http"))
        own = (scheme, name, host[1] or DEFAULT_PORTS.get(scheme, 80))
        named = dict(headers)
        claimed = named.get("origin") or named.get("referer")
        ctype = named.get("content-type", "").split(";")[0].strip().lower()
        if claimed is None:
            # The JSON API refuses anything but JSON (415), which a cross-site page cannot send.
            if ctype == "application/json" or scope["path"].startswith("/api/"):
                return None
            return _refuse(
                scope,
                403,
                "This form was sent without saying which page it came from, so it was refused.",
                "Send it from loopprep's own page in a browser (which names the page), or use the JSON API.",
            )
        if origin_of(claimed) != own:
            return _refuse(scope, 403, "Cross-site request refused.", "Send it from loopprep's own pages.")
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]]
        refusal = self._check(scope, headers)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS:
                    out.setdefault(k.decode(), v.decode())
            await send(message)

        if refusal is None and scope["method"] in UNSAFE:
            refusal = self._form_check(scope, dict(headers))
            if refusal is None and scope.get("loopprep_form_limit"):
                receive = self._counted(receive, scope["loopprep_form_limit"])
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive, send_tracked)
        except BodyTooLarge:
            if started:
                raise
            await self._too_large(scope)(scope, receive, send_with_headers)

    def _too_large(self, scope: Scope) -> Response:
        limit = scope["loopprep_form_limit"]
        return _refuse(
            scope,
            413,
            f"The form is over {limit // (1024 * 1024)} MB, so it was not read.",
            "Send a smaller file; `loopprep stats analyze FILE` streams a CSV of any size.",
        )

    def _form_check(self, scope: Scope, headers: dict[str, str]) -> Response | None:
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in FORM_TYPES:
            return None
        limit = UPLOAD_LIMITS.get(scope["path"], 0) + (UPLOAD_OVERHEAD if scope["path"] in UPLOAD_LIMITS else 0)
        limit = limit or FORM_LIMIT
        scope["loopprep_form_limit"] = limit
        length = headers.get("content-length")
        if length is not None and (not length.isascii() or not length.isdigit() or int(length) > limit):
            return self._too_large(scope)
        if ctype == "multipart/form-data" and not _script_api_call(scope["path"], headers):
            # A file is spooled to disk as it is parsed: read one only from a page this
            # server served (its signed cookie), before a single byte of the body.
            cookie = _cookie(headers.get("cookie", ""), CSRF_COOKIE)
            app: Any = scope.get("app")
            if app is None or not signed_token_ok(signing_secret(app.state), cookie):
                return _refuse(
                    scope,
                    403,
                    "This form expired or came from another site, so the file was not read.",
                    "Reload the page, choose the file again and send it.",
                )
        return None

    @staticmethod
    def _counted(receive: Receive, limit: int) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        return counted


def _script_api_call(path: str, headers: dict[str, str]) -> bool:
    """An upload to the JSON API that names no page (no Origin, no Referer) comes from a
    script, like ``curl -F``: it has no page and so no cookie, and is served.  A browser names
    the page on every cross-origin POST (an Origin, ``null`` at least), which ``_check`` has
    already refused unless it is this server's own origin."""
    return path.startswith("/api/") and "origin" not in headers and "referer" not in headers


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
