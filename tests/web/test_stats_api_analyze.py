"""POST /api/stats/analyze: a CSV upload answered with the page's and the CLI's model, under the
upload size limit, off the event loop, and with the cross-site rules of web/middleware.py: a
script sending no browser headers is served, a cross-origin browser post is refused."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from loopprep.services.stats_analysis import analyse_csv
from loopprep.web.app import create_app
from tests.web.conftest import assert_answers_during, run_async

_spec = importlib.util.spec_from_file_location(
    "stats_experiment_data", Path(__file__).parents[1] / "fixtures" / "stats" / "experiment_data.py"
)
assert _spec and _spec.loader
data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(data)

BASE = "http://127.0.0.1:8000"
URL = "/api/stats/analyze"


@pytest.fixture
def script(ctx):  # noqa: ANN001, ANN201
    """A client like curl: no Origin, no Referer, no cookie."""
    with TestClient(create_app(ctx.settings, context=ctx), base_url=BASE, follow_redirects=False) as c:
        yield c


def _device_csv(n: int = 4000) -> bytes:
    rows = ["unit,variant,device,converted"]
    rows += [
        f"u{i},{'treatment' if i % 2 else 'control'},{('ios', 'web')[i // 2 % 2]},{int(i % 7 == 0)}" for i in range(n)
    ]
    return ("\n".join(rows) + "\n").encode()


def test_a_script_uploads_a_csv_and_gets_the_clis_json(script: TestClient, tmp_path: Path) -> None:
    csv = data.experiment_csv(20000, seed=4, lift=0.02, simpson=True)
    r = script.post(URL, data={"control": "control", "adjust": "bh"}, files={"file": ("exp.csv", csv, "text/csv")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == json.loads(analyse_csv(csv, adjust="bh").model_dump_json())  # the page's model
    assert body["report"]["adjust_method"] == "bh" and body["report"]["rows"] == 20000
    f = tmp_path / "exp.csv"
    f.write_bytes(csv)
    cli = subprocess.run(
        [sys.executable, "-m", "loopprep", "stats", "analyze", str(f), "--adjust", "bh", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(cli.stdout) == body


def test_a_plain_device_column_is_a_segment_through_the_api(script: TestClient) -> None:
    r = script.post(URL, files={"file": ("exp.csv", _device_csv(), "text/csv")})
    assert r.status_code == 200, r.text
    assert r.json()["report"]["segments"] == ["device"]
    assert {e["segment_value"] for e in r.json()["report"]["segment_effects"]} == {"ios", "web"}


def test_bad_files_and_fields_are_json_field_errors(script: TestClient) -> None:
    r = script.post(
        URL, files={"file": ("x.csv", b"unit,variant,converted\nu1,control,1\nu2,treatment,x\n", "text/csv")}
    )
    assert r.status_code == 422 and "Row 3, column 'converted'" in r.json()["message"]
    assert "file" in r.json()["fields"]
    r = script.post(URL, data={"control": "control"})
    assert r.status_code == 422 and "file" in r.json()["fields"]
    r = script.post(URL, data={"threshold": "2"}, files={"file": ("x.csv", _device_csv(), "text/csv")})
    assert r.status_code == 422 and "threshold" in r.json()["fields"]
    r = script.post(URL, data={"variant_col": "arm"}, files={"file": ("x.csv", _device_csv(), "text/csv")})
    assert r.status_code == 422 and "variant_col" in r.json()["fields"]


def test_a_cross_origin_browser_post_is_refused(script: TestClient) -> None:
    page = script.get("/stats/analyze")  # even with this server's own signed cookie
    assert page.status_code == 200 and script.cookies.get("loopprep_csrf")
    for origin in ("http://evil.example", "null", "http://127.0.0.1:9999"):
        r = script.post(URL, headers={"Origin": origin}, files={"file": ("x.csv", _device_csv(), "text/csv")})
        assert r.status_code == 403, (origin, r.text)
        assert r.json()["message"] == "Cross-site request refused."
    r = script.post(URL, headers={"Referer": "http://evil.example/page"}, files={"file": ("x.csv", b"a", "text/csv")})
    assert r.status_code == 403


def test_a_same_origin_browser_post_needs_the_pages_cookie(script: TestClient) -> None:
    files = {"file": ("x.csv", _device_csv(), "text/csv")}
    r = script.post(URL, headers={"Origin": BASE}, files=files)
    assert r.status_code == 403 and "file was not read" in r.json()["message"]
    script.get("/stats/analyze")
    r = script.post(URL, headers={"Origin": BASE}, files=files)
    assert r.status_code == 200, r.text


def test_the_upload_limit_is_the_pages_not_the_form_limit(script: TestClient) -> None:
    # Over the 1 MB limit of an ordinary form: the analyser's 200 MB limit applies.
    csv = data.experiment_csv(60_000, seed=3)
    assert len(csv) > 2 * 1024 * 1024
    r = script.post(URL, files={"file": ("exp.csv", csv, "text/csv")})
    assert r.status_code == 200, r.text[:300]


def test_a_body_declared_over_the_limit_is_refused_before_it_is_read(ctx) -> None:  # noqa: ANN001
    app = create_app(ctx.settings, context=ctx)
    sent: list[dict] = []
    reads = 0

    async def receive() -> dict:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"--xx\r\n", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": URL,
        "raw_path": URL.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"multipart/form-data; boundary=xx"),
            (b"content-length", str(202 * 1024 * 1024).encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "app": app,
    }

    async def call() -> None:
        async with app.router.lifespan_context(app):
            await app(scope, receive, send)

    run_async(call)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert start["status"] == 413 and "over 201 MB" in json.loads(body)["message"]


def test_the_analysis_runs_off_the_event_loop(ctx) -> None:  # noqa: ANN001
    csv = data.experiment_csv(400_000, seed=9, lift=0.01)

    async def big(c) -> None:  # noqa: ANN001
        r = await c.post(URL, files={"file": ("big.csv", csv, "text/csv")})
        assert r.status_code == 200, r.text[:500]

    assert_answers_during(create_app(ctx.settings, context=ctx), big)


def test_a_get_is_405_allowing_post_only(script: TestClient) -> None:
    r = script.get(URL)
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    r = script.get("/api/stats/no-such-calculator")  # the catch-all still names the calculators
    assert r.status_code == 422
