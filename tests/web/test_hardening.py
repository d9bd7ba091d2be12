"""Hostile input at the web layer (issue 13, items 8-15): bodies bounded before they are read,
whole numbers parsed strictly, no script URLs, no CDN, signed and origin-bound CSRF, headers."""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import text

from loopprep.web.app import create_app
from tests.web.conftest import BASE, csrf

# --------------------------------------------------------------------------- a real server


@pytest.fixture
def served(sqlite_ctx) -> Iterator[int]:  # noqa: ANN001
    """The app under uvicorn on a free port, in this process (so a test can speak raw HTTP)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    config = uvicorn.Config(
        create_app(sqlite_ctx.settings, context=sqlite_ctx), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(10)


def _raw(port: int, head: str, body: bytes = b"") -> str:
    """Send the request head and a first piece of the body, then read the answer without
    sending the rest: a server that waits for the whole body times out here."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        sock.settimeout(10)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        head_part, _, rest = answer.partition(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length: *([0-9]+)", head_part)
        while length and len(rest) < int(length.group(1)):
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return (head_part + b"\r\n\r\n" + rest).decode("latin-1")


# --------------------------------------------------------------------------- item 8: form bodies


def test_a_huge_form_is_refused_from_its_length_before_it_is_read(served: int) -> None:
    head = (
        "POST /plan HTTP/1.1\nHost: 127.0.0.1\nOrigin: http://127.0.0.1\n"
        "Content-Type: application/x-www-form-urlencoded\nContent-Length: 524288000\n"
    )
    answer = _raw(served, head, b"a=" + b"x" * 4096)
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "The form is over 1 MB, so it was not read." in answer


def test_an_upload_without_this_servers_cookie_is_refused_before_a_byte_is_read(served: int) -> None:
    head = (
        "POST /stats/analyze HTTP/1.1\nHost: 127.0.0.1\nOrigin: http://127.0.0.1\n"
        "Content-Type: multipart/form-data; boundary=xx\nTransfer-Encoding: chunked\n"
        "Cookie: loopprep_csrf=forged-by-another-port\n"
    )
    answer = _raw(served, head, b"1000\r\n" + b"y" * 4096 + b"\r\n")
    assert answer.startswith("HTTP/1.1 403"), answer[:200]
    assert "the file was not read" in answer


def test_a_streamed_form_is_cut_off_at_its_limit(client: TestClient) -> None:
    token = csrf(client)

    def body() -> Iterator[bytes]:
        yield f"csrf_token={token}&target_companies=".encode()
        for _ in range(40):
            yield b"x" * 65536  # 2.5 MB in all, sent without a Content-Length

    r = client.post("/profile", content=body(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and "over 1 MB" in r.text


# --------------------------------------------------------------------------- item 11: whole numbers


def test_superscript_digits_are_a_field_error_not_a_500(client: TestClient) -> None:
    r = client.get("/plan", params={"week": "²"})
    assert r.status_code == 422 and "is not a week number" in r.text
    token = csrf(client)
    r = client.post("/code/stable-softmax/perf", data={"csrf_token": token, "attempt_id": "²"})
    assert r.status_code == 422 and "is not an attempt number" in r.text
    url = "/stats/cases/city-level-launch"
    r = client.post(url, data={"checked": "²"})  # no token: the CSRF refusal, not a crash
    assert r.status_code == 403
    r = client.post(url, data={"csrf_token": token, "answer": "x", "checked": ["0", "²"]})
    assert r.status_code == 422 and "is not a checklist item number" in r.text


@pytest.mark.parametrize(
    "url",
    [
        "/api/plan?week=0.0",
        "/api/code/attempts?limit=5.0",
        "/api/code/attempts/1.0",
        "/api/estimate/kv?model=llama-3-70b&batch=4.0",
        "/api/estimate/drill?seed=7.0",
    ],
)
def test_a_whole_number_written_as_a_decimal_is_refused_as_the_schema_says(client: TestClient, url: str) -> None:
    # pydantic alone would read "4.0" as 4, while the API's schema says integer (found by the fuzz test)
    r = client.get(url)
    assert r.status_code == 422, r.text
    assert "whole number" in r.text


def test_whole_numbers_with_digits_only_are_still_read(client: TestClient) -> None:
    assert client.get("/api/plan?week=0").status_code == 200
    assert client.get("/api/code/attempts?limit=+5").status_code == 200
    assert client.get("/api/estimate/kv?model=llama-3-70b&batch=4").status_code == 200


# --------------------------------------------------------------------------- item 12: script URLs


def test_a_user_source_with_a_script_url_is_refused_by_name(tmp_path: Path) -> None:
    from loopprep.content.loader import load_bank

    (tmp_path / "mine.yaml").write_text(
        "kind: sources\nentries:\n"
        "  - id: evil\n    title: Evil\n    url: 'javascript:alert(document.cookie)'\n"
        "  - id: fine\n    title: Fine\n    url: 'https://example.org/paper'\n"
    )
    problems = [str(p) for p in load_bank(tmp_path).user_problems]
    assert any("url" in p and "http://, https:// or mailto:" in p for p in problems), problems


def test_templates_never_link_a_script_url(client: TestClient) -> None:
    templates = client.app.state.templates  # type: ignore[attr-defined]
    html = templates.get_template("_sources.html").render(
        sources=[
            {"title": "bad", "url": " JavaScript:alert(1)", "author": None},
            {"title": "data", "url": "data:text/html,<script>x</script>", "author": None},
            {"title": "good", "url": "https://example.org/", "author": None},
        ]
    )
    assert "javascript" not in html.lower() and "data:" not in html
    assert '<a href="https://example.org/"' in html and "<li>bad" in html


# --------------------------------------------------------------------------- item 13: no CDN


def test_api_docs_load_only_local_script(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    for s in sources:
        asset = client.get(s)
        assert asset.status_code == 200 and len(asset.content) > 100, s
    assert "SwaggerUIBundle" in client.get("/api/docs/assets/swagger-ui-bundle.js").text
    assert client.get("/api/openapi.json").json()["info"]["title"] == "loopprep"


# --------------------------------------------------------------------------- item 14: CSRF


PROFILE_FORM = {
    "role": "data-scientist",
    "level": "l5",
    "company_types": ["product-company"],
    "loop_date": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
}


def test_a_cookie_planted_by_another_port_does_not_pass(client: TestClient) -> None:
    # Cookies are not bound to a port: a page on 127.0.0.1:8101 can set loopprep's cookie.
    client.cookies.clear()
    client.cookies.set("loopprep_csrf", "planted-by-8101")
    r = client.post("/profile", data={**PROFILE_FORM, "csrf_token": "planted-by-8101"})
    assert r.status_code == 403 and "another site" in r.text
    assert client.get("/api/profile").json()["profile"] is None


def test_writes_from_another_origin_or_from_nowhere_are_refused(client: TestClient) -> None:
    token = csrf(client)
    form = {"csrf_token": token, "role": "ml-engineer"}
    for headers in (
        {"Origin": "http://127.0.0.1:8101"},  # another port
        {"Origin": "https://127.0.0.1:8000"},  # another scheme
        {"Origin": "null"},
    ):
        r = client.post("/profile", data=form, headers=headers)
        assert r.status_code == 403, headers
    client.headers.pop("Origin")
    r = client.post("/profile", data=form, headers={"Referer": "http://127.0.0.1:8101/page"})
    assert r.status_code == 403
    r = client.post("/profile", data=form)
    assert r.status_code == 403 and "without saying which page" in r.text
    r = client.post("/profile", data=form, headers={"Referer": f"{BASE}/profile"})
    assert r.status_code == 422  # same origin: on to the form's own checks


def test_json_scripts_without_browser_headers_keep_working(sqlite_ctx) -> None:  # noqa: ANN001
    loop = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    body = {"role": "ml-engineer", "level": "l5", "company_types": ["faang"], "loop_date": loop}
    with TestClient(create_app(sqlite_ctx.settings, context=sqlite_ctx), base_url=BASE) as c:
        r = c.put("/api/profile", json=body)  # no Origin, no Referer, no cookie
        assert r.status_code == 200 and r.json()["profile"]["role"] == "ml-engineer"


def test_the_signing_secret_is_kept_in_the_database(sqlite_ctx) -> None:  # noqa: ANN001
    app1 = create_app(sqlite_ctx.settings, context=sqlite_ctx)
    with TestClient(app1, base_url=BASE, headers={"Origin": BASE}, follow_redirects=False) as c:
        token = csrf(c)
    app2 = create_app(sqlite_ctx.settings, context=sqlite_ctx)  # a restart, or a second worker
    with TestClient(app2, base_url=BASE, headers={"Origin": BASE}, follow_redirects=False) as c:
        c.cookies.set("loopprep_csrf", token)
        r = c.post("/profile", data={"csrf_token": token, "role": ""})
        assert r.status_code == 422  # accepted as this server's token, then the field check
    with sqlite_ctx.engine.connect() as conn:
        stored = conn.execute(text("select value from store_meta where key = 'server_secret'")).scalar_one()
    assert len(bytes.fromhex(stored)) == 32


# --------------------------------------------------------------------------- item 15: headers


def test_405_lists_the_allowed_methods(client: TestClient) -> None:
    assert client.patch("/api/profile", json={}).headers["allow"] == "GET, PUT"
    assert client.patch("/plan").headers["allow"] == "GET, POST"
    assert client.get("/api/plan/tasks/x").headers["allow"] == "PUT"


def test_a_500_under_api_is_json(sqlite_ctx) -> None:  # noqa: ANN001
    with sqlite_ctx.engine.begin() as conn:
        conn.execute(text("drop table profile"))  # a broken database: the server cannot answer
    app = create_app(sqlite_ctx.settings, context=sqlite_ctx)
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        r = c.get("/api/profile")
    assert r.status_code == 500 and r.headers["content-type"] == "application/json"
    assert set(r.json()) == {"message", "hint", "fields"} and "internal error" in r.json()["message"]


@pytest.mark.parametrize("path", ["/", "/plan", "/profile", "/code/stable-softmax", "/estimate/drill", "/api/docs"])
def test_pages_have_a_csp_and_no_inline_script(client: TestClient, path: str) -> None:
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp.split(";")[1]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text), "inline script"
    assert not re.search(r"\son[a-z]+\s*=", r.text), "inline event handler"


@pytest.mark.parametrize("host", ["[::1].evil.com", "127.0.0.1:8100@evil.com", "127.0.0.1:99999", "127.0.0.1/x"])
def test_host_is_parsed_strictly(client: TestClient, host: str) -> None:
    r = client.get("/api/dashboard", headers={"Host": host})
    assert r.status_code == 421, host


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "LOCALHOST", "[::1]:8000", "[0:0:0:0:0:0:0:1]"])
def test_own_host_names_are_answered(client: TestClient, host: str) -> None:
    origin = f"http://{host}"
    assert client.get("/api/dashboard", headers={"Host": host}).status_code == 200
    r = client.put("/api/profile", json={"role": "nope"}, headers={"Host": host, "Origin": origin})
    assert r.status_code == 422, host  # past the guard, refused by the body's own check


def test_two_host_headers_are_refused(served: int) -> None:
    answer = _raw(served, "GET / HTTP/1.1\nHost: evil.example\nHost: 127.0.0.1\n")
    assert answer.startswith("HTTP/1.1 400"), answer[:200]
