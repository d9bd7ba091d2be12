"""ML coding in the web app: the problem list, the problem page, run and submit through the real
judge (JSON API and the no-JavaScript form), history, perf, export, and the guards."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from loopprep.content.loader import load_bank
from loopprep.engines.judge.problem import Problem
from loopprep.services.backup import export_document
from tests.web.conftest import BASE, csrf

PID = "stable-softmax"
WRONG_BUG = "exponentiates the raw logits"  # mutant 0: overflows on the hidden +-1000 tests


@pytest.fixture(scope="module")
def problem() -> Problem:
    return load_bank().coding.problems[PID]


def _wrong(problem: Problem) -> str:
    return next(m.source for m in problem.mutants if m.bug.startswith(WRONG_BUG))


def _numbers(value: Any) -> list[float]:
    if isinstance(value, list):
        return [x for v in value for x in _numbers(v)]
    return [value] if isinstance(value, float) else []


def _hidden_only_values(problem: Problem) -> list[str]:
    """Expected numbers of hidden tests that appear nowhere in the visible examples or statement."""
    visible = {repr(x) for t in problem.tests if t.visible for x in _numbers(t.expected)}
    out = {
        repr(x)
        for t in problem.tests
        if not t.visible
        for x in _numbers(t.expected)
        if repr(x) not in visible and repr(x) not in problem.statement and "." in repr(x) and len(repr(x)) > 8
    }
    assert len(out) >= 3, "the test needs hidden values to look for"
    return sorted(out)


def _text(r: Any) -> str:
    return html.unescape(r.text)


def _textarea(page: str) -> str:
    m = re.search(r'<textarea id="code"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert m, "no editor on the page"
    return html.unescape(m.group(1))


# ---- the list --------------------------------------------------------------------------------------


def test_problem_list_with_filters_counts_and_protections(client: TestClient) -> None:
    bank = load_bank().coding
    r = client.get("/code")
    assert r.status_code == 200
    page = _text(r)
    assert page.count("<h1") == 1 and "<title>ML coding · loopprep</title>" in page
    assert f'<dd id="count-total">{len(bank.problems)}</dd>' in page
    assert '<dd id="count-solved">0</dd>' in page
    assert page.count('<tr id="problem-') == len(bank.problems)
    assert f'href="/code/{PID}"' in page and "Numerically stable softmax" in page
    assert 'method="get" action="/code"' in page
    assert "The judge starts on your first run" in page

    easy = _text(client.get("/code", params={"difficulty": "easy", "topic": "", "status": ""}))
    easy_ids = set(re.findall(r'<tr id="problem-([a-z0-9-]+)"', easy))
    assert easy_ids == {p.id for p in bank.problems.values() if p.difficulty == "easy"}
    assert '<option value="easy" selected>' in easy and "Show all" in easy

    llm = _text(client.get("/code?topic=llm&difficulty=medium"))
    ids = set(re.findall(r'<tr id="problem-([a-z0-9-]+)"', llm))
    want = {p.id for p in bank.problems.values() if "llm" in p.topics and p.difficulty == "medium"}
    assert ids == want and want

    solved = _text(client.get("/code?status=solved"))
    assert "No problem matches these filters" in solved

    bad = client.get("/code?difficulty=impossible")
    assert bad.status_code == 422
    assert "Unknown difficulty &#39;impossible&#39;" in bad.text or "Unknown difficulty 'impossible'" in _text(bad)
    assert 'id="difficulty-error"' in bad.text and 'aria-invalid="true"' in bad.text
    bad_topic = client.get("/code?topic=astrology")
    assert bad_topic.status_code == 422 and "Unknown topic" in _text(bad_topic)

    api = client.get("/api/code/problems", params={"difficulty": "hard"}).json()
    assert api["total"] == len(bank.problems) and all(p["difficulty"] == "hard" for p in api["problems"])
    r = client.get("/api/code/problems", params={"topic": "astrology"})
    assert r.status_code == 422 and "topic" in r.json()["fields"] and "classical-ml" in r.json()["hint"]
    assert client.get("/api/code/problems", params={"status": "done"}).status_code == 422


def test_list_reports_broken_files_in_the_users_problem_dir(sqlite_ctx, tmp_path) -> None:  # noqa: ANN001
    from loopprep.services.context import AppContext
    from loopprep.web.app import create_app

    own = tmp_path / "mine"
    own.mkdir()
    (own / "broken.yaml").write_text("id: Not Kebab\ntitle: x\n", encoding="utf-8")
    settings = sqlite_ctx.settings.model_copy(update={"problems_dir": own})
    ctx = AppContext(settings=settings, engine=sqlite_ctx.engine, bank=load_bank(problems_dir=own))
    with TestClient(create_app(settings, context=ctx), base_url="http://127.0.0.1:8000") as own_client:
        page = _text(own_client.get("/code"))
    assert "Some of your own problem files were left out" in page and "broken.yaml" in page


# ---- the problem page ------------------------------------------------------------------------------


def test_problem_page_shows_statement_examples_editor_and_clock(client: TestClient, problem: Problem) -> None:
    r = client.get(f"/code/{PID}")
    assert r.status_code == 200
    page = _text(r)
    assert f"<h1>{problem.title}</h1>" in page
    assert "<strong>Vectorise (required):</strong>" in page  # the statement's Markdown is rendered
    assert problem.signature in page
    assert "ndarray[float64]" in page and "<code>axis</code>" in page
    assert "2 s of CPU for all tests" in page and "256 MB" in page
    visible = sum(t.visible for t in problem.tests)
    assert f"{visible} visible, {len(problem.tests) - visible} hidden" in page
    assert "<code>scipy</code>" in page and "<code>sklearn</code>" in page
    for t in problem.tests:
        if t.visible:
            assert t.note in page
            assert repr(t.expected[0] if not isinstance(t.expected[0], list) else t.expected[0][0]) in page
    for v in _hidden_only_values(problem):
        assert v not in page
    assert _textarea(r.text) == problem.starter
    assert "Esc, then Tab" in page and "Ctrl+Enter" in page
    # the clock paces by the problem's own expected time, not a fixed share of the round
    assert f"Aim for about {problem.expected_minutes} minutes" in page
    target = f'data-target="{problem.expected_minutes * 60}"'
    assert 'id="code-clock"' in page and target in page and 'data-round="2700"' in page
    assert 'formaction="/code/stable-softmax/submit"' in page and 'name="csrf_token"' in page
    assert '<script src="/static/code.js" defer></script>' in page
    assert "No attempts yet" in page
    assert client.get("/static/code.js").status_code == 200 and client.get("/static/code.css").status_code == 200


def test_unknown_problem_is_a_404_page(client: TestClient) -> None:
    r = client.get("/code/no-such-problem")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert "There is no coding problem" in _text(r) and "Traceback" not in r.text
    token = csrf(client)
    r = client.post("/code/no-such-problem/run", data={"code": "x = 1", "csrf_token": token})
    assert r.status_code == 404 and "There is no coding problem" in _text(r)
    r = client.get("/api/code/problems/no-such-problem")
    assert r.status_code == 404 and "no coding problem" in r.json()["message"]
    r = client.post("/api/code/problems/no-such-problem/run", json={"code": "x = 1"})
    assert r.status_code == 404
    assert client.get("/api/code/attempts/999999").status_code == 404
    assert client.post("/api/code/attempts/999999/perf", json={}).status_code == 404


# ---- run, submit, perf, history, export through the JSON API ---------------------------------------


def test_run_submit_perf_history_and_export_via_api(client: TestClient, problem: Problem) -> None:
    assert client.get("/api/code/protections").json()["started"] is False

    r = client.post(f"/api/code/problems/{PID}/run", json={"code": problem.starter, "elapsed_s": 61.24})
    assert r.status_code == 200, r.text
    run = r.json()
    assert run["mode"] == "run" and run["verdict"] == "runtime-error" and run["verdict_label"] == "Runtime error"
    assert "NotImplementedError" in run["message"] and run["total"] == sum(t.visible for t in problem.tests)
    first = run["cases"][0]
    assert first["visible"] and first["args"] == [[1.0, 2.0, 3.0]] and first["expected"] is not None
    assert "NotImplementedError" in first["traceback"]
    assert run["elapsed_s"] == pytest.approx(61.2)

    prot = client.get("/api/code/protections").json()
    assert prot["started"] is True and prot["layers"] and isinstance(prot["off"], list)

    r = client.post(f"/api/code/problems/{PID}/submit", json={"code": _wrong(problem), "elapsed_s": 300})
    wrong = r.json()
    assert r.status_code == 200 and wrong["verdict"] == "wrong-answer" and not wrong["accepted"]
    assert 0 < wrong["passed"] < wrong["total"] == len(problem.tests) + problem.random.cases
    hidden_failed = [c for c in wrong["cases"] if not c["visible"] and c["status"] != "passed"]
    assert hidden_failed and any(c["note"].startswith("numerical stability") for c in hidden_failed)
    assert all(c["args"] is None and c["expected"] is None and c["got"] is None for c in hidden_failed)
    for v in _hidden_only_values(problem):
        assert v not in r.text
    r = client.post(f"/api/code/attempts/{wrong['id']}/perf", json={})
    assert r.status_code == 200 and r.json()["available"] is False and "accepted" in r.json()["note"]

    r = client.post(f"/api/code/problems/{PID}/submit", json={"code": problem.reference, "elapsed_s": 900})
    ok = r.json()
    assert (
        ok["verdict"] == "accepted"
        and ok["accepted"]
        and ok["passed"] == ok["total"] == len(problem.tests) + problem.random.cases
    )

    r = client.post(f"/api/code/attempts/{ok['id']}/perf", headers={"Content-Type": "application/json"})
    perf = r.json()
    assert r.status_code == 200 and perf["available"] is True, perf
    assert perf["ms"] > 0 and perf["reference_ms"] > 0 and perf["ratio"] > 0 and perf["peak_bytes"] > 0
    assert perf["slow"] is False and perf["mutated"] == []

    hist = client.get("/api/code/attempts", params={"problem": PID}).json()
    assert [a["verdict"] for a in hist] == ["accepted", "wrong-answer", "runtime-error"]
    assert hist[0]["perf"]["ratio"] == perf["ratio"] and hist[1]["elapsed_s"] == 300
    detail = client.get(f"/api/code/attempts/{ok['id']}").json()
    assert (
        detail["code"] == problem.reference and len(detail["cases"]) == len(problem.tests) + 1
    )  # + the random cases' row
    assert client.get("/api/code/problems?status=solved").json()["problems"][0]["id"] == PID

    page = _text(client.get(f"/code/{PID}"))
    assert "Accepted" in page and "Wrong answer" in page and "Runtime error" in page
    assert f"{perf['ratio']:.2f}×" in page and "15:00" in page and "5:00" in page  # elapsed 900 s and 300 s
    assert 'class="code-status code-status-solved"' in page
    assert _textarea(client.get(f"/code/{PID}").text) == problem.reference  # the editor holds the last attempt
    listing = _text(client.get("/code"))
    assert '<dd id="count-solved">1</dd>' in listing

    doc = export_document(client.app.state.ctx, now=dt.datetime.now(dt.UTC))  # type: ignore[attr-defined]
    rows = doc["data"]["code_attempts"]
    assert {r["verdict"] for r in rows} == {"accepted", "wrong-answer", "runtime-error"}
    assert any(r["code"] == problem.reference and r["elapsed_s"] == 900 for r in rows)


def test_api_writes_are_checked_like_the_rest_of_the_api(client: TestClient, problem: Problem) -> None:
    url = f"/api/code/problems/{PID}/run"
    r = client.post(url, content="code=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    r = client.post(url, json={"code": problem.reference}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post(url, json={"code": "   \n"})
    assert r.status_code == 422 and r.json()["fields"]["code"] and "empty" in r.json()["message"]
    r = client.post(url, json={"code": problem.reference, "elapsed_s": -5})
    assert r.status_code == 422 and "elapsed_s" in r.json()["fields"]
    r = client.post(url, json={"code": problem.reference, "extra": 1})
    assert r.status_code == 422
    assert client.post("/api/code/attempts/1/perf").status_code == 415
    assert client.get("/api/code/attempts").json() == []  # nothing above was stored


def test_compile_error_names_the_line(client: TestClient) -> None:
    r = client.post(
        f"/api/code/problems/{PID}/run", json={"code": "import numpy as np\ndef softmax(x, axis=-1):\n  return (\n"}
    )
    body = r.json()
    assert body["verdict"] == "compile-error" and body["line"] == 3


# ---- the no-JavaScript form path -------------------------------------------------------------------


def test_form_run_and_submit_without_javascript(client: TestClient, problem: Problem) -> None:
    client.get(f"/code/{PID}")
    token = csrf(client)
    opened = f"{time.time() - 125:.0f}"

    r = client.post(f"/code/{PID}/run", data={"code": problem.starter, "csrf_token": token, "opened_at": opened})
    assert r.status_code == 200
    page = _text(r)
    assert '<h2 id="verdict">Runtime error</h2>' in page and "NotImplementedError" in page
    assert "Example 1" in page and "[1.0, 2.0, 3.0]" in page
    assert _textarea(r.text) == problem.starter
    assert f'name="opened_at" value="{opened}"' in page  # the clock keeps running across posts

    wrong = _wrong(problem)
    r = client.post(f"/code/{PID}/submit", data={"code": wrong, "csrf_token": token, "opened_at": opened})
    page = _text(r)
    assert r.status_code == 200 and '<h2 id="verdict">Wrong answer</h2>' in page
    assert "numerical stability: logits near +1000" in page and "(the test's data stays hidden)" in page
    for v in _hidden_only_values(problem):
        assert v not in page
    assert _textarea(r.text) == wrong
    assert "Measure speed and memory" not in page

    r = client.post(f"/code/{PID}/submit", data={"code": problem.reference, "csrf_token": token, "opened_at": opened})
    page = _text(r)
    assert (
        '<h2 id="verdict">Accepted</h2>' in page
        and f"All {len(problem.tests)} tests and {problem.random.cases} random cases passed" in page
    )
    assert "More than correctness" in page and "Measure speed and memory" in page
    attempt_id = re.search(r'name="attempt_id" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    r = client.post(f"/code/{PID}/perf", data={"attempt_id": attempt_id, "csrf_token": token, "opened_at": opened})
    page = _text(r)
    assert r.status_code == 200 and 'id="perf-ratio"' in page and "Reference memory" in page
    assert re.search(r'<dd id="perf-ratio">\d+\.\d\d×</dd>', page)

    hist = client.get("/api/code/attempts", params={"problem": PID}).json()
    assert [a["mode"] for a in hist] == ["submit", "submit", "run"]
    assert all(120 <= a["elapsed_s"] < 200 for a in hist)  # measured from when the page was opened


def test_form_without_a_valid_token_is_refused_and_keeps_the_code(client: TestClient, problem: Problem) -> None:
    client.get(f"/code/{PID}")
    mine = "import numpy as np\n\ndef softmax(x, axis=-1):\n    return 'my unsaved work <&>'\n"
    for token in (None, "forged"):
        data = {"code": mine} | ({"csrf_token": token} if token else {})
        r = client.post(f"/code/{PID}/submit", data=data)
        assert r.status_code == 403
        assert "This form expired" in _text(r) and _textarea(r.text) == mine
    assert client.get("/api/code/attempts").json() == []


def test_empty_code_is_a_422_by_the_field_and_nothing_is_lost(client: TestClient) -> None:
    client.get(f"/code/{PID}")
    token = csrf(client)
    r = client.post(f"/code/{PID}/run", data={"code": "  \n\n", "csrf_token": token})
    assert r.status_code == 422
    page = _text(r)
    assert 'id="code-error"' in page and "The code is empty" in page and 'aria-invalid="true"' in page
    assert _textarea(r.text) == "  \n\n"
    big = "# " + "x" * 70_000 + "\n"
    r = client.post(f"/code/{PID}/submit", data={"code": big, "csrf_token": token})
    assert r.status_code == 422 and "larger than 64 KiB" in _text(r) and _textarea(r.text) == big
    assert client.get("/api/code/attempts").json() == []


def test_pages_say_plainly_which_protections_are_off(ctx) -> None:  # noqa: ANN001
    from loopprep.web.app import create_app

    ctx.settings.judge_protections_off = ["seccomp"]
    with TestClient(create_app(ctx.settings, context=ctx), base_url=BASE, headers={"Origin": BASE}) as c:
        before = _text(c.get("/code"))
        assert "The judge starts on your first run" in before and "Turned off in your settings: seccomp" in before
        r = c.post(
            f"/api/code/problems/{PID}/run", json={"code": "import numpy as np\ndef softmax(x, axis=-1):\n    return x"}
        )
        assert r.status_code == 200 and r.json()["protections_off"] == ["seccomp"]
        prot = c.get("/api/code/protections").json()
        assert prot["started"] and prot["off"] == ["seccomp"] and prot["layers"]["seccomp"]["on"] is False
        page = _text(c.get(f"/code/{PID}"))
        assert "Less isolation:" in page and "Protections off on this machine: seccomp" in page
        assert "runs with less isolation" in page and "no new privs" in page
        assert "This run had less isolation: seccomp off" in _text(
            c.post(f"/code/{PID}/run", data={"code": "x = 1", "csrf_token": csrf(c)})
        )


def test_a_busy_judge_is_a_503_that_keeps_the_code_and_records_nothing(ctx, problem: Problem) -> None:  # noqa: ANN001
    import threading

    from loopprep.judge.client import Judge
    from loopprep.services import code as svc
    from loopprep.web.app import create_app

    settings = ctx.settings.model_copy(update={"judge_max_waiting": 0})
    app = create_app(settings, context=ctx)
    loop = "import numpy as np\n\ndef softmax(x, axis=-1):\n    while True:\n        pass\n"
    with TestClient(app, base_url=BASE, headers={"Origin": BASE}, follow_redirects=False) as client:
        client.get(f"/code/{PID}")
        token = csrf(client)
        j = Judge(parallel=1, max_waiting=settings.judge_max_waiting)  # one sandbox, so one loop fills it
        app.state.judge_holder["judge"] = j
        hog = threading.Thread(target=svc.run_code, args=(ctx, j, PID, loop), kwargs={"now": dt.datetime.now(dt.UTC)})
        hog.start()
        end = time.monotonic() + 30
        while j._slots._value:  # noqa: SLF001 - wait until the loop holds the only sandbox
            assert time.monotonic() < end
            time.sleep(0.01)
        r = client.post(f"/code/{PID}/submit", data={"code": problem.reference, "csrf_token": token})
        assert r.status_code == 503 and "The judge is busy" in _text(r)
        assert "Your code was saved as a draft" in _text(r)
        assert _textarea(r.text) == problem.reference
        mine = problem.reference + "\n# my second try\n"
        r = client.post(f"/api/code/problems/{PID}/submit", json={"code": mine})
        assert r.status_code == 503 and "busy" in r.json()["message"]
        assert "Your code was saved as a draft" in r.json()["message"]
        hog.join()
        assert [a["mode"] for a in client.get("/api/code/attempts").json()] == ["run"]  # only the loop
        # the loop started before the drafts, so its verdict leaves the newest draft in place
        draft = client.get(f"/api/code/problems/{PID}").json()["draft"]
        assert draft["code"] == mine and draft["reason"] == "judge-busy"
        page = _text(client.get(f"/code/{PID}"))
        assert _textarea(page) == mine and 'id="draft-note"' in page
        assert "because the judge was busy" in page and draft["saved_at"][:10] in page
        # the next graded attempt supersedes the draft
        assert client.post(f"/api/code/problems/{PID}/run", json={"code": problem.reference}).status_code == 200
        assert client.get(f"/api/code/problems/{PID}").json()["draft"] is None
        page = _text(client.get(f"/code/{PID}"))
        assert _textarea(page) == problem.reference and 'id="draft-note"' not in page
