"""`loopprep stats cases` and `stats attempt` against the test's database."""

from __future__ import annotations

from pathlib import Path


def test_cases_list_and_one(cli) -> None:  # noqa: ANN001
    doc = cli.json("stats", "cases")
    assert len(doc["cases"]) >= 15
    one = cli("stats", "cases", "cuped-revenue")
    assert one.exit_code == 0 and "cuped-n" in one.stdout and "hypothesis" in one.stdout


def test_attempt_graded_and_stored(cli, tmp_path: Path) -> None:  # noqa: ANN001
    answer = tmp_path / "answer.txt"
    answer.write_text("Use CUPED with last month's revenue.")
    r = cli(
        "stats",
        "attempt",
        "cuped-revenue",
        "--numeric",
        "cuped-n=204000",
        "--checked",
        "0,3",
        "--answer-file",
        str(answer),
    )
    assert r.exit_code == 0 and "Numeric 1/1 correct" in r.stdout
    doc = cli.json("stats", "cases", "cuped-revenue")
    assert doc["attempts"][0]["answer"].startswith("Use CUPED")


def test_attempt_bad_input(cli) -> None:  # noqa: ANN001
    r = cli("stats", "attempt", "cuped-revenue", "--numeric", "cuped-n")
    assert r.exit_code == 1 and "--numeric must look like ID=VALUE" in r.stderr
    r = cli("stats", "attempt", "no-such-case")
    assert r.exit_code == 1 and "no stats case 'no-such-case'" in r.stderr
