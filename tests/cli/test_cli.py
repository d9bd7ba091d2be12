"""The CLI drives the same services as the web app; --json matches /api exactly."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from loopprep.web.app import create_app

IN_20_DAYS = (dt.date.today() + dt.timedelta(days=20)).isoformat()


def set_profile(cli, *extra: str) -> None:  # noqa: ANN001
    r = cli(
        "profile",
        "set",
        "--role",
        "ml-engineer",
        "--level",
        "l6-plus",
        "-c",
        "faang",
        "-c",
        "startup",
        "--loop-date",
        IN_20_DAYS,
        "-t",
        "Netflix",
        *extra,
    )
    assert r.exit_code == 0, r.output


def test_profile_set_show_and_dashboard(cli) -> None:  # noqa: ANN001
    r = cli("dashboard")
    assert r.exit_code == 0 and "No profile yet" in r.stdout
    set_profile(cli)
    shown = cli.json("profile", "show")
    assert shown["profile"]["company_types"] == ["faang", "startup"]
    assert shown["days_to_loop"] == 20
    dash = cli("dashboard")
    assert "20 days to your loop" in dash.stdout and "ML System Design" in dash.stdout
    # a partial update keeps the rest
    assert cli("profile", "set", "--level", "l4").exit_code == 0
    assert cli.json("profile", "show")["profile"]["target_companies"] == ["Netflix"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--level", "l9"], "'l9' is not a valid choice"),
        (["--loop-date", "tomorrow-ish"], "is not a date"),
        (["--loop-date", "2001-01-01"], "is in the past"),
        (["-c", "bank"], "company_types"),
    ],
)
def test_bad_profile_values_give_a_clear_error(cli, args: list[str], message: str) -> None:  # noqa: ANN001
    set_profile(cli)
    r = cli("profile", "set", *args)
    assert r.exit_code == 1
    assert message in r.stderr and "Traceback" not in r.output
    assert cli.json("profile", "show")["profile"]["level"] == "l6-plus"  # unchanged


def test_first_profile_needs_every_field(cli) -> None:  # noqa: ANN001
    r = cli("profile", "set", "--role", "data-scientist")
    assert r.exit_code == 1
    for field in ("level", "company_types", "loop_date"):
        assert field in r.stderr


@pytest.mark.parametrize(
    ("command", "api"),
    [
        (["rounds"], "/api/rounds"),
        (["rounds", "ml-coding"], "/api/rounds/ml-coding"),
        (["bar"], "/api/bar"),
        (["companies"], "/api/companies"),
        (["roles"], "/api/roles"),
        (["frameworks"], "/api/frameworks"),
        (["frameworks", "five-phases"], "/api/frameworks/five-phases"),
        (["search", "silences"], "/api/search?q=silences"),
        (["profile", "show"], "/api/profile"),
        (["dashboard"], "/api/dashboard"),
    ],
)
def test_json_output_is_the_api_shape(cli, ctx, command: list[str], api: str) -> None:  # noqa: ANN001
    set_profile(cli)
    with TestClient(create_app(ctx.settings, context=ctx), base_url="http://127.0.0.1:8000") as client:
        expected = client.get(api).json()
    got = cli.json(*command)
    if command == ["search", "silences"]:
        got, expected = got["hits"], expected["hits"][: len(got["hits"])]
    assert got == expected


def test_human_output_of_knowledge_commands(cli) -> None:  # noqa: ANN001
    assert "Statistics & Experimentation" in cli("rounds").stdout
    assert "What it tests" in cli("rounds", "stats-experimentation").stdout
    out = cli("frameworks", "five-phases").stdout
    assert "45 min" in out and "Clarify" in out
    assert "Decision tree" in cli("frameworks", "recovery-moves").stdout
    assert "FAANG" in cli("companies").stdout
    assert "Data scientist" in cli("roles").stdout
    assert "L6+" in cli("bar").stdout


def test_unknown_ids_are_clear_errors(cli) -> None:  # noqa: ANN001
    r = cli("rounds", "quantum-design")
    assert r.exit_code == 1 and "There is no round 'quantum-design'" in r.stderr
    assert "ml-system-design" in r.stderr
    r = cli("frameworks", "nope")
    assert r.exit_code == 1 and "loopprep frameworks" in r.stderr


def test_search_prints_highlights(cli) -> None:  # noqa: ANN001
    r = cli("search", "silences")
    assert r.exit_code == 0 and "/frameworks/three-silences" in r.stdout
    r = cli("search", "qqqzzzx")
    assert r.exit_code == 0 and "Nothing matched" in r.stdout


def test_settings_lists_every_setting(cli) -> None:  # noqa: ANN001
    rows = cli.json("settings")
    from loopprep.settings import Settings

    assert [r["name"] for r in rows] == list(Settings.model_fields)
    assert all(r["description"] and r["env"].startswith("LOOPPREP_") for r in rows)


def test_export_import_round_trip(cli, tmp_path: Path) -> None:  # noqa: ANN001
    set_profile(cli)
    out = tmp_path / "backup.json"
    r = cli("export", str(out))
    assert r.exit_code == 0 and "Exported 1 profile" in r.stdout
    doc = json.loads(out.read_text())
    assert doc["data"]["profile"][0]["role"] == "ml-engineer"
    assert cli("export", str(out)).exit_code == 1  # no silent overwrite
    r = cli("import", str(out))
    assert r.exit_code == 1 and "never merges" in r.stderr
    cli("profile", "set", "--level", "l4")
    r = cli("import", str(out), "--replace", input="n\n")
    assert r.exit_code == 1 and "cancelled" in r.stderr and "This will overwrite: 1 profile" in r.stdout
    assert cli.json("profile", "show")["profile"]["level"] == "l4"
    r = cli("import", str(out), "--replace", "--yes")
    assert r.exit_code == 0, r.output
    assert cli.json("profile", "show")["profile"]["level"] == "l6-plus"


def test_import_refuses_bad_files(cli, tmp_path: Path) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "loopprep-export", "version": 99, "data": {}}')
    r = cli("import", str(bad))
    assert r.exit_code == 1 and "newer loopprep" in r.stderr
    r = cli("import", str(tmp_path / "missing.json"))
    assert r.exit_code == 1 and "does not exist" in r.stderr


def test_content_check(cli, tmp_path: Path) -> None:  # noqa: ANN001
    r = cli("content", "check")
    assert r.exit_code == 0 and "OK" in r.stdout
    (tmp_path / "bad.yaml").write_text("kind: frameworks\nentries:\n  - id: Not A Slug\n")
    r = cli("content", "check", str(tmp_path))
    assert r.exit_code == 1
    assert "bad.yaml" in r.stderr and "field 'id'" in r.stderr
    report = json.loads(cli("content", "check", str(tmp_path), "--json").stdout)
    assert report["ok"] is False and report["problems"][0]["file"].endswith("bad.yaml")


def test_content_check_covers_a_users_problems_and_frameworks(cli, tmp_path: Path) -> None:  # noqa: ANN001
    from tests.content.test_bank import _user_dir

    user = _user_dir(tmp_path)
    r = cli("content", "check", str(user))
    assert r.exit_code == 0 and "OK" in r.stdout, r.output
    problem = user / "problems" / "my-softmax.yaml"
    problem.write_text(problem.read_text().replace("difficulty: easy", "difficulty: trivial", 1))
    r = cli("content", "check", str(user))
    assert r.exit_code == 1
    err = " ".join(r.stderr.split())
    assert "my-softmax.yaml, entry 'my-softmax', field 'difficulty'" in err


def test_serve_refuses_a_database_from_a_newer_version(cli, ctx) -> None:  # noqa: ANN001
    from sqlalchemy import text

    from loopprep.store.db import head_revision

    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    try:
        r = cli("serve", "--port", "1")
        assert r.exit_code == 1
        assert "newer version of loopprep" in r.stderr and "left untouched" in r.stderr
        assert "Traceback" not in r.output
    finally:
        with ctx.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head_revision()})


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--database-url", "postgresql+psycopg://nobody@127.0.0.1:1/x", "dashboard"], {}, "Cannot open the database"),
        (["--database-url", "not-a-url", "dashboard"], {}, "is not a database URL"),
        (["settings"], {"LOOPPREP_PORT": "eighty"}, "Setting 'port' is invalid"),
        (["--data-dir", "/proc/loopprep-cannot-be-here", "dashboard"], {}, "Cannot create the data directory"),
    ],
    ids=["unreachable-db", "bad-url", "bad-setting", "unwritable-data-dir"],
)
def test_bad_settings_are_clear_errors(args: list[str], env: dict[str, str], message: str) -> None:
    from typer.testing import CliRunner

    from loopprep.cli import app

    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
