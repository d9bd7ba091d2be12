"""Random cases as a user meets them: Submit runs them and records the seeds; a failing one is shown
like a hidden case, and `loopprep code replay ATTEMPT` prints its input and both outputs.  A user
problem without `random` still loads, and its page says random testing was skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from loopprep.store.backup_rows import CodeAttemptRow
from loopprep.store.tables import code_attempt
from tests.judge.random_problem import REFERENCE, ZERO_COUNTS, counting_problem


@pytest.fixture
def problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "my-problems"
    d.mkdir()
    with_random = counting_problem().model_dump(mode="json", exclude_none=True)
    without = {**with_random, "id": "count-positive-plain"}
    del without["random"]
    (d / "count-positive.yaml").write_text(yaml.safe_dump(with_random, sort_keys=False))
    (d / "count-positive-plain.yaml").write_text(yaml.safe_dump(without, sort_keys=False))
    monkeypatch.setenv("LOOPPREP_PROBLEMS_DIR", str(d))
    return d


def test_a_failing_random_case_is_replayed_with_its_input_and_both_outputs(cli, ctx, problems, tmp_path) -> None:  # noqa: ANN001
    sol = tmp_path / "sol.py"
    sol.write_text(ZERO_COUNTS)
    r = cli("code", "submit", "count-positive", str(sol), "--json")
    assert r.exit_code == 1, r.output
    res = json.loads(r.stdout)
    assert res["verdict"] == "wrong-answer"
    case = next(c for c in res["cases"] if c["seed"] is not None)
    assert case["note"].startswith("random case ") and case["args"] is None and case["got"] is None
    assert res["random"]["count"] == 40 and res["random"]["failed_seed"] == case["seed"]

    human = cli("code", "submit", "count-positive", str(sol))
    assert f"loopprep code replay {res['id'] + 1}" in human.stdout

    # the attempt records its seeds, in a row a backup can carry
    with ctx.engine.connect() as conn:
        row = conn.execute(select(code_attempt).where(code_attempt.c.id == res["id"])).one()
    summary = next(c["random"] for c in row.cases if "random" in c)
    assert (summary["first_seed"], summary["last_seed"], summary["failed_seed"]) == (500, 539, case["seed"])
    CodeAttemptRow.model_validate({**row._asdict(), "perf": None})

    rep = cli("code", "replay", str(res["id"]), "--json")
    assert rep.exit_code == 0, rep.output
    shown = json.loads(rep.stdout)
    assert shown["seed"] == case["seed"] and shown["status"] == "wrong"
    zeros = sum(1 for v in shown["args"][0] if v == 0)
    assert zeros > 0 and shown["got"] == shown["expected"] + zeros  # the zeros it counted
    text = cli("code", "replay", str(res["id"]))
    assert text.exit_code == 0 and f"seed {case['seed']}" in text.stdout
    assert "args: [[" in text.stdout and "expected (the reference)" in text.stdout and "got (your code)" in text.stdout


def test_replay_of_an_attempt_without_a_failing_random_case_says_so(cli, problems, tmp_path) -> None:  # noqa: ANN001
    sol = tmp_path / "sol.py"
    sol.write_text(REFERENCE)
    res = json.loads(cli("code", "submit", "count-positive", str(sol), "--json", "--no-perf").stdout)
    assert res["accepted"] and res["random"]["ran"] == 40
    r = cli("code", "replay", str(res["id"]))
    assert r.exit_code == 1 and "failed no random case" in r.stderr and "Traceback" not in r.output
    r = cli("code", "replay", "99999")
    assert r.exit_code == 1 and "no coding attempt 99999" in r.stderr


def test_a_user_problem_without_random_loads_and_says_random_testing_was_skipped(cli, problems, tmp_path) -> None:  # noqa: ANN001
    view = cli.json("code", "show", "count-positive-plain")
    assert view["random_cases"] is None
    assert cli.json("code", "show", "count-positive")["random_cases"] == 40
    assert "Random testing skipped" in cli("code", "show", "count-positive-plain").stdout
    assert "Random cases on Submit: 40" in cli("code", "show", "count-positive").stdout
    sol = tmp_path / "sol.py"
    sol.write_text(ZERO_COUNTS)
    res = json.loads(cli("code", "submit", "count-positive-plain", str(sol), "--json", "--no-perf").stdout)
    assert res["accepted"] and res["random"] is None  # its fixed tests miss the bug: no random case to catch it
