"""`loopprep code ...`: the ML coding commands on both databases, with the real sandboxed judge.

Every command that runs code starts its own judge, as a user's terminal would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from loopprep.cli import app
from loopprep.content.loader import load_bank
from loopprep.content.paths import PROBLEMS_DIR as SHIPPED_DIR
from loopprep.services.code import (
    AttemptResult,
    AttemptSummary,
    CheckReport,
    PerfView,
    ProblemList,
    ProblemView,
    Protections,
)
from loopprep.store.tables import code_reference_perf

SOFTMAX = load_bank().coding.problems["stable-softmax"]
VISIBLE = sum(t.visible for t in SOFTMAX.tests)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _same_as_model(model: Any, data: Any) -> None:
    """The JSON is exactly what the service model dumps: no field added, lost or renamed."""
    assert model.model_validate(data).model_dump(mode="json") == data


def _floats(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, list):
        return [x for v in value for x in _floats(v)]
    return []


def _json(cli, *args: str, exit_code: int) -> Any:  # noqa: ANN001
    """--json output of a command whose exit code carries the verdict."""
    r = cli(*args, "--json")
    assert r.exit_code == exit_code, r.output
    return json.loads(r.stdout)


def _no_traceback(r: Any) -> None:
    assert "Traceback" not in r.output, r.output


# ---- list / show ----------------------------------------------------------------------------------


def test_list_with_filters_and_bad_filters(cli) -> None:  # noqa: ANN001
    every = cli.json("code", "list")
    _same_as_model(ProblemList, every)
    assert every["total"] >= 30 and len(every["problems"]) == every["total"]
    assert {p["status"] for p in every["problems"]} == {"new"}
    easy = cli.json("code", "list", "--difficulty", "easy")["problems"]
    assert easy and all(p["difficulty"] == "easy" for p in easy) and len(easy) < every["total"]
    llm = cli.json("code", "list", "--topic", "llm")["problems"]
    assert llm and all("llm" in p["topics"] for p in llm)
    assert cli.json("code", "list", "--status", "solved")["problems"] == []

    human = cli("code", "list", "--topic", "llm")
    assert human.exit_code == 0
    for p in llm:
        assert p["id"] in human.stdout  # ids are never cut, whatever the width
    assert "stable-softmax" not in human.stdout  # not an llm problem

    for args, words in (
        (["--difficulty", "brutal"], ["Unknown difficulty 'brutal'", "easy, medium or hard"]),
        (["--status", "done"], ["Unknown status 'done'", "solved, attempted or new"]),
        (["--topic", "astrology"], ["Unknown topic 'astrology'", "deep-learning"]),
    ):
        r = cli("code", "list", *args)
        assert r.exit_code == 1, r.output
        _no_traceback(r)
        for w in words:
            assert w in r.stderr


def test_show_prints_the_problem_and_json_is_the_model(cli) -> None:  # noqa: ANN001
    r = cli("code", "show", "stable-softmax")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert SOFTMAX.title in out and "def softmax(x: np.ndarray, axis: int = -1)" in out
    assert "ndarray[float64]" in out  # parameter types and the return type
    assert "a small vector" in out and "x=[1.0, 2.0, 3.0]" in out  # the first example, argument named
    hidden = sum(not t.visible for t in SOFTMAX.tests)
    assert f"Hidden tests: {hidden}" in out
    assert "Limits: 2 s CPU, 256 MiB" in out and "Forbidden: scipy" in out
    assert "**" not in out  # the statement is rendered as Markdown, not printed raw

    view = cli.json("code", "show", "stable-softmax")
    _same_as_model(ProblemView, view)
    assert view["hidden_count"] == hidden and view["code"] == SOFTMAX.starter

    r = cli("code", "show", "no-such-problem")
    assert r.exit_code == 1 and "There is no coding problem 'no-such-problem'" in r.stderr
    assert "loopprep code list" in r.stderr
    _no_traceback(r)


# ---- start ----------------------------------------------------------------------------------------


def test_start_writes_the_starter_and_refuses_to_overwrite(cli, tmp_path: Path) -> None:  # noqa: ANN001
    r = cli("code", "start", "stable-softmax", str(tmp_path / "work"))
    assert r.exit_code == 0, r.output
    target = tmp_path / "work" / "stable-softmax.py"
    assert target.read_text() == SOFTMAX.starter
    flat = " ".join(r.stdout.split())
    assert f"loopprep code run stable-softmax {target}" in flat
    assert f"loopprep code submit stable-softmax {target}" in flat

    target.write_text("# my work in progress\n")
    r = cli("code", "start", "stable-softmax", str(tmp_path / "work"))
    assert r.exit_code == 1
    assert "already exists" in r.stderr and "--force" in r.stderr and str(target) in " ".join(r.stderr.split())
    assert target.read_text() == "# my work in progress\n"  # untouched
    _no_traceback(r)

    # --last with no attempt yet: the starter, and it says so
    r = cli("code", "start", "stable-softmax", str(tmp_path / "work"), "--last", "--force")
    assert r.exit_code == 0 and "no attempt" in r.stdout and target.read_text() == SOFTMAX.starter

    # after an attempt, --last writes that attempt back
    mine = _write(tmp_path / "mine.py", SOFTMAX.reference + "\n# my own comment\n")
    assert cli("code", "run", "stable-softmax", str(mine)).exit_code == 0
    info = cli.json("code", "start", "stable-softmax", str(tmp_path / "work"), "--last", "--force")
    assert info == {
        "problem_id": "stable-softmax",
        "file": str(target),
        "source": "last attempt",
        "next": [f"loopprep code run stable-softmax {target}", f"loopprep code submit stable-softmax {target}"],
    }
    assert "# my own comment" in target.read_text()

    r = cli("code", "start", "no-such-problem", str(tmp_path))
    assert r.exit_code == 1 and "no-such-problem" in r.stderr
    assert not (tmp_path / "no-such-problem.py").exists()


def test_a_failed_judge_keeps_the_code_as_a_draft_that_show_and_start_bring_back(  # noqa: ANN001
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = _write(tmp_path / "mine.py", SOFTMAX.reference + "\n# written on the train\n")
    broken = tmp_path / "site" / "numpy"  # the judge's sandbox cannot import numpy: it fails to start
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('no numpy here')\n")
    monkeypatch.setenv("PYTHONPATH", str(broken.parent))
    r = cli("code", "submit", "stable-softmax", str(mine))
    assert r.exit_code == 1 and "Your code was saved as a draft" in " ".join(r.stderr.split())
    _no_traceback(r)
    monkeypatch.delenv("PYTHONPATH")
    assert cli.json("code", "history") == []  # a judge failure is not an attempt

    shown = cli.json("code", "show", "stable-softmax")
    assert shown["draft"]["code"] == mine.read_text() and shown["draft"]["reason"] == "judge-error"
    assert shown["code"] == mine.read_text()
    flat = " ".join(cli("code", "show", "stable-softmax").stdout.split())
    assert "draft the judge never graded" in flat and "because the judge failed" in flat

    work = tmp_path / "work"
    r = cli("code", "start", "stable-softmax", str(work))
    assert r.exit_code == 0 and "Wrote your draft" in " ".join(r.stdout.split())
    assert (work / "stable-softmax.py").read_text() == mine.read_text()
    info = cli.json("code", "start", "stable-softmax", str(work), "--force")
    assert info["source"] == "draft"

    # a graded attempt clears it: start writes the starter again
    assert cli("code", "run", "stable-softmax", str(mine)).exit_code == 0
    assert cli.json("code", "show", "stable-softmax")["draft"] is None
    assert cli.json("code", "start", "stable-softmax", str(work), "--force")["source"] == "starter"


# ---- run / submit ---------------------------------------------------------------------------------


def test_run_of_the_starter_is_a_runtime_error_with_the_traceback(cli, tmp_path: Path) -> None:  # noqa: ANN001
    starter = _write(tmp_path / "softmax.py", SOFTMAX.starter)
    r = cli("code", "run", "stable-softmax", str(starter), "--elapsed", "75")
    assert r.exit_code == 1, r.output
    out = r.stdout
    assert "Runtime error" in out and f"0/{VISIBLE} passed" in out and "your clock 1:15" in out
    assert "Traceback" in out and "NotImplementedError" in out
    assert f'File "{starter}", line 6' in out  # the traceback names the user's own file
    assert "0.09003057317" in out  # a visible example's expected value is shown

    res = _json(cli, "code", "run", "stable-softmax", str(starter), exit_code=1)
    _same_as_model(AttemptResult, res)
    assert res["verdict"] == "runtime-error" and res["mode"] == "run" and not res["accepted"]
    assert all(c["visible"] for c in res["cases"]) and len(res["cases"]) == VISIBLE

    broken = _write(tmp_path / "broken.py", "import numpy as np\n\ndef softmax(x, axis=-1):\n    return np.exp(x\n")
    r = cli("code", "run", "stable-softmax", str(broken))
    assert r.exit_code == 1 and "Compile error" in r.stdout and "line 4" in r.stdout
    assert f"{broken}:4 |" in " ".join(r.stdout.split())  # the offending line, quoted

    good = _write(tmp_path / "good.py", SOFTMAX.reference)
    r = cli("code", "run", "stable-softmax", str(good))
    assert r.exit_code == 0 and "Accepted" in r.stdout and f"{VISIBLE}/{VISIBLE} passed" in r.stdout
    assert "Next:" in r.stdout and "loopprep code submit stable-softmax" in r.stdout


def test_submit_of_a_mutant_is_wrong_and_hides_the_hidden_data(cli, tmp_path: Path) -> None:  # noqa: ANN001
    mutant = _write(tmp_path / "mutant.py", SOFTMAX.mutants[0].source)  # exp overflows on large logits
    r = cli("code", "submit", "stable-softmax", str(mutant))
    assert r.exit_code == 1, r.output
    out = r.stdout
    assert "Wrong answer" in out and "numerical stability: logits near +1000" in out
    assert "More than correctness" not in out  # only accepted code is timed
    shown = {x for t in SOFTMAX.tests if t.visible for x in _floats(t.expected)}
    secret = {x for t in SOFTMAX.tests if not t.visible for x in _floats(t.expected)} - shown
    secret = {x for x in secret if len(repr(x)) > 6}  # distinctive values only (not 0.0, 1.0, 0.5)
    assert secret
    for x in secret:
        assert repr(x) not in r.output and f"{x:.10g}" not in r.output, x
    for t in SOFTMAX.tests:
        if not t.visible:
            assert t.note in out  # each hidden test by its category

    res = _json(cli, "code", "submit", "stable-softmax", str(mutant), exit_code=1)
    assert res.pop("perf") is None
    _same_as_model(AttemptResult, res)
    assert res["verdict"] == "wrong-answer" and res["mode"] == "submit"
    for c in res["cases"]:
        if not c["visible"]:
            assert c["expected"] is None and c["got"] is None
    assert not any(repr(x) in json.dumps(res) for x in secret)


def test_submit_of_the_reference_is_accepted_then_timed(cli, tmp_path: Path) -> None:  # noqa: ANN001
    ref = _write(tmp_path / "ref.py", SOFTMAX.reference)
    r = cli("code", "submit", "stable-softmax", str(ref), "--elapsed", "600")
    assert r.exit_code == 0, r.output
    out = r.stdout
    total = len(SOFTMAX.tests) + (SOFTMAX.random.cases if SOFTMAX.random else 0)  # random cases count too
    assert "Accepted" in out and f"{total}/{total} passed" in out and "your clock 10:00" in out
    assert out.index("Accepted") < out.index("More than correctness")  # the verdict first, then the figures
    perf = out[out.index("More than correctness") :]
    assert "time on the larger input" in perf and "peak memory" in perf and "MiB" in perf and "×" in perf
    assert "Inputs left unchanged" in perf

    r = cli("code", "submit", "stable-softmax", str(ref), "--no-perf")
    assert r.exit_code == 0 and "Accepted" in r.stdout and "More than correctness" not in r.stdout

    res = cli.json("code", "submit", "stable-softmax", str(ref), "--elapsed", "30")
    timed = res.pop("perf")
    _same_as_model(AttemptResult, res)
    _same_as_model(PerfView, timed)
    assert res["accepted"] and res["elapsed_s"] == 30.0 and res["plan_task"] is None
    assert timed["available"] and timed["attempt_id"] == res["id"] and timed["ratio"] > 0
    assert timed["reference_peak_bytes"] > 0 and timed["slow"] is False

    # a slow, element-by-element solution to a problem that requires vectorised code
    loop = _write(
        tmp_path / "loop.py",
        (
            "import numpy as np\n\n"
            "def softmax(x, axis=-1):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    if x.size == 0:\n"
            "        raise ValueError('empty')\n"
            "    x = np.moveaxis(x, axis, -1)\n"
            "    out = np.empty_like(x)\n"
            "    for idx in np.ndindex(x.shape[:-1]):\n"
            "        m = max(x[idx])\n"
            "        e = [float(np.exp(v - m)) for v in x[idx]]\n"
            "        s = sum(e)\n"
            "        out[idx] = [v / s for v in e]\n"
            "    return np.moveaxis(out, -1, axis)\n"
        ),
    )
    # the statement requires vectorised code (perf.require): a loop is a verdict, not a note
    r = cli("code", "submit", "stable-softmax", str(loop))
    assert r.exit_code == 1, r.output
    assert "Too slow" in r.stdout and "slower than the reference on the larger input" in r.stdout
    assert f"the statement requires within {SOFTMAX.perf.require:g}x" in " ".join(r.stdout.split())


def test_solving_a_planned_problem_marks_the_task_done(cli, tmp_path: Path) -> None:  # noqa: ANN001
    import datetime as dt

    loop = (dt.date.today() + dt.timedelta(days=28)).isoformat()
    r = cli("profile", "set", "--role", "ml-engineer", "--level", "l5", "-c", "faang", "--loop-date", loop)
    assert r.exit_code == 0, r.output
    assert cli("plan", "create").exit_code == 0
    tasks = [
        t
        for w in range(1, cli.json("plan", "show")["weeks"] + 1)
        for d in cli.json("plan", "show", "--week", str(w))["days"]
        for t in d["tasks"]
    ]
    planned = next(t for t in tasks if t["item"] == "stable-softmax")
    ref = _write(tmp_path / "ref.py", SOFTMAX.reference)
    r = cli("code", "submit", "stable-softmax", str(ref), "--no-perf")
    assert r.exit_code == 0, r.output
    assert f"Plan task marked done: {planned['key']}" in " ".join(r.stdout.split())
    weeks = cli.json("plan", "show")["weeks"]
    done = [
        t
        for w in range(1, weeks + 1)
        for d in cli.json("plan", "show", "--week", str(w))["days"]
        for t in d["tasks"]
        if t["key"] == planned["key"]
    ]
    assert planned["status"] == "pending" and done and done[0]["status"] == "done"


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: d / "missing.py", ["There is no file at", "missing.py"]),
        (lambda d: d, ["is a directory"]),
        (lambda d: (d / "latin.py", (d / "latin.py").write_bytes(b"# caf\xe9\n"))[0], ["latin.py", "not UTF-8"]),
        (lambda d: _write(d / "blank.py", "  \n\n"), ["blank.py", "is empty"]),
        (lambda d: _write(d / "huge.py", "x = 1\n" * 20_000), ["huge.py", "KiB"]),
    ],
    ids=["missing", "directory", "not-utf8", "empty", "too-large"],
)
def test_a_bad_solution_file_is_a_clean_error_naming_it(cli, tmp_path: Path, make, words) -> None:  # noqa: ANN001
    path = make(tmp_path)
    for command in ("run", "submit"):
        r = cli("code", command, "stable-softmax", str(path))
        assert r.exit_code == 1, r.output
        _no_traceback(r)
        assert r.stderr.startswith("Error:")
        for w in words:
            assert w in r.stderr
    assert cli.json("code", "history") == []  # nothing was recorded


# ---- history --------------------------------------------------------------------------------------


def test_history_lists_attempts_newest_first(cli, tmp_path: Path) -> None:  # noqa: ANN001
    r = cli("code", "history")
    assert r.exit_code == 0 and "No attempts yet" in r.stdout
    starter = _write(tmp_path / "s.py", SOFTMAX.starter)
    ref = _write(tmp_path / "r.py", SOFTMAX.reference)
    assert cli("code", "run", "stable-softmax", str(starter), "--elapsed", "42").exit_code == 1
    assert cli("code", "submit", "stable-softmax", str(ref), "--no-perf").exit_code == 0
    items = cli.json("code", "history")
    assert [(a["mode"], a["verdict"]) for a in items] == [("submit", "accepted"), ("run", "runtime-error")]
    for a in items:
        _same_as_model(AttemptSummary, a)
    assert items[1]["elapsed_s"] == 42.0
    assert len(cli.json("code", "history", "--limit", "1")) == 1
    assert cli.json("code", "history", "log-loss") == []
    assert len(cli.json("code", "history", "stable-softmax")) == 2

    out = cli("code", "history", "stable-softmax").stdout
    assert "Accepted" in out and "Runtime" in out and "0:42" in out
    listed = cli.json("code", "list", "--status", "solved")["problems"]
    assert [p["id"] for p in listed] == ["stable-softmax"] and listed[0]["attempts"] == 2

    r = cli("code", "history", "no-such-problem")
    assert r.exit_code == 1 and "There is no coding problem" in r.stderr
    _no_traceback(r)


# ---- protections ----------------------------------------------------------------------------------


def test_protections_say_which_layers_are_on(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    view = cli.json("code", "protections")
    _same_as_model(Protections, view)
    assert view["started"] and {"seccomp", "rlimits", "filesystem"} <= set(view["layers"])
    r = cli("code", "protections")
    assert r.exit_code == 0 and "seccomp" in r.stdout and "rlimits" in r.stdout

    monkeypatch.setenv("LOOPPREP_JUDGE_PROTECTIONS_OFF", '["seccomp"]')
    r = cli("code", "protections")
    assert r.exit_code == 0
    assert "Warning: sandbox protections off: seccomp" in r.stderr
    assert "Off: seccomp" in r.stdout
    assert "seccomp" in cli.json("code", "protections")["off"]


# ---- problem CI -----------------------------------------------------------------------------------


def _problem_dir(tmp_path: Path) -> Path:
    """One sound problem, one file that breaks the schema, one whose tests miss a mutant."""
    d = tmp_path / "problems"
    d.mkdir()
    data = yaml.safe_load((SHIPPED_DIR / "stable-softmax.yaml").read_text())
    (d / "my-softmax.yaml").write_text(yaml.safe_dump({**data, "id": "my-softmax"}, sort_keys=False))
    (d / "broken-one.yaml").write_text(
        yaml.safe_dump({**data, "id": "broken-one", "difficulty": "brutal"}, sort_keys=False)
    )
    weak = {
        **data,
        "id": "weak-tests",
        "mutants": [
            data["mutants"][0],
            {"bug": "only renames a variable, so it is not a bug", "source": data["reference"].replace("shifted", "s")},
        ],
    }
    (d / "weak-tests.yaml").write_text(yaml.safe_dump(weak, sort_keys=False))
    return d


def test_check_of_a_directory_names_every_failure(cli, tmp_path: Path) -> None:  # noqa: ANN001
    d = _problem_dir(tmp_path)
    r = cli("code", "check", str(d))
    assert r.exit_code == 1, r.output
    _no_traceback(r)
    out = " ".join(r.stdout.split())
    assert "✓ my-softmax reference accepted" in out
    assert "caught by numerical stability: logits near +1000" in out  # which case caught the mutant
    assert "larger input" in out and "MiB peak" in out  # the perf figure
    assert "✗ weak-tests" in out and "passes every test" in out
    assert "only renames a variable" in out
    assert "broken-one.yaml" in out and "field 'difficulty'" in out
    assert "2 failed" in out

    rep = _json(cli, "code", "check", str(d), exit_code=1)
    _same_as_model(CheckReport, rep)
    assert not rep["ok"] and rep["failed"] == 2 and rep["checked"] == 2
    by_id = {p["id"]: p for p in rep["problems"]}
    assert by_id["my-softmax"]["ok"] and by_id["my-softmax"]["perf_ms"] > 0
    assert [m["verdict"] for m in by_id["weak-tests"]["mutants"]][1] == "accepted"
    assert any("broken-one.yaml" in e and "difficulty" in e for e in rep["schema_errors"])

    r = cli("code", "check", str(d), "--only", "my-softmax")
    assert r.exit_code == 1  # the schema error in the directory still counts
    assert "weak-tests" not in r.stdout
    (d / "broken-one.yaml").unlink()
    r = cli("code", "check", str(d), "--only", "my-softmax")
    assert r.exit_code == 0, r.output
    assert "every problem is sound" in r.stdout

    r = cli("code", "check", str(d), "--only", "nope")
    assert r.exit_code == 1 and "No problem named nope" in r.stderr
    r = cli("code", "check", str(tmp_path / "absent"))
    assert r.exit_code == 1 and "There is no directory" in r.stderr


@pytest.mark.slow
def test_the_shipped_bank_passes_problem_ci(sqlite_ctx) -> None:  # noqa: ANN001
    """The issue's problem CI: every shipped problem's reference accepted and every mutant caught."""
    runner = CliRunner()
    r = runner.invoke(
        app, ["--data-dir", str(sqlite_ctx.settings.data_dir), "code", "check", "--json"], catch_exceptions=False
    )
    rep = json.loads(r.stdout)
    failures = [f"{p['id']}: {'; '.join(p['issues'])}" for p in rep["problems"] if not p["ok"]]
    failures += rep["schema_errors"]
    assert not failures, "\n".join(failures)
    assert r.exit_code == 0 and rep["ok"]
    # every mutant killed by the tests and random cases; random cases sound wherever a problem has them
    assert [p["id"] for p in rep["problems"] if p["mutation_score"] != 1.0] == []
    # no mutant is a trivial one: each gives the right values on the visible examples, so only a
    # mutant that changes its input in place may fail one (the immutability check catches it there)
    problems = load_bank().coding.problems
    shown = [
        f"{p['id']} mutant {i + 1}: {m['bug']}"
        for p in rep["problems"]
        for i, m in enumerate(p["mutants"])
        if m["caught_by"].startswith("example") and problems[p["id"]].mutants[i].group != "mutation"
    ]
    assert shown == [], "\n".join(shown)
    assert rep["checked"] == len(list(SHIPPED_DIR.glob("*.yaml"))) >= 30
    # the reference figures on the larger input are cached for `code submit`
    with sqlite_ctx.engine.connect() as conn:
        cached = set(conn.execute(select(code_reference_perf.c.problem_id)).scalars())
    assert cached == {p["id"] for p in rep["problems"] if p["perf_ms"] is not None} != set()


# ---- the /api twins -------------------------------------------------------------------------------


def test_json_output_equals_the_api(cli, ctx, tmp_path: Path) -> None:  # noqa: ANN001
    from fastapi.testclient import TestClient

    from loopprep.web.app import create_app

    mutant = _write(tmp_path / "mutant.py", SOFTMAX.mutants[1].source)
    assert cli("code", "submit", "stable-softmax", str(mutant)).exit_code == 1
    assert cli("code", "run", "stable-softmax", str(_write(tmp_path / "s.py", SOFTMAX.starter))).exit_code == 1
    pairs = [
        (["code", "list"], "/api/code/problems"),
        (
            ["code", "list", "--difficulty", "medium", "--topic", "llm"],
            "/api/code/problems?topic=llm&difficulty=medium",
        ),
        (["code", "list", "--status", "attempted"], "/api/code/problems?status=attempted"),
        (["code", "show", "stable-softmax"], "/api/code/problems/stable-softmax"),
        (["code", "show", "log-loss"], "/api/code/problems/log-loss"),
        (["code", "history", "--limit", "50"], "/api/code/attempts"),
        (["code", "history", "stable-softmax", "--limit", "1"], "/api/code/attempts?problem=stable-softmax&limit=1"),
    ]
    with TestClient(create_app(ctx.settings, context=ctx), base_url="http://127.0.0.1:8000") as client:
        for command, api in pairs:
            expected = client.get(api)
            assert expected.status_code == 200, (api, expected.text)
            assert cli.json(*command) == expected.json(), command
    assert cli.json("code", "list", "--status", "attempted")["problems"][0]["id"] == "stable-softmax"
