"""`loopprep export` / `import` with a plan that has days off and loop rounds (issue 13.1), and
hostile files refused with a red line, never a traceback (13.4), on both databases."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.cli.conftest import Cli
from tests.conftest import _empty_user_tables
from tests.store.test_backup_safety import HOSTILE, V4


def _data(cli: Cli, path: Path) -> dict:
    path.unlink(missing_ok=True)
    r = cli("export", str(path))
    assert r.exit_code == 0, r.output
    return json.loads(path.read_text())["data"]


def test_a_plan_with_days_off_survives_export_and_import(ctx, cli, tmp_path: Path) -> None:  # noqa: ANN001
    today = dt.date.today()
    loop = today + dt.timedelta(days=30)
    r = cli("profile", "set", "--role", "ml-engineer", "--level", "l5", "--company", "faang", "--loop-date", str(loop))
    assert r.exit_code == 0, r.output
    day_off = str(today + dt.timedelta(days=3))
    r = cli("plan", "create", "--day-off", day_off, "--day-off", str(today + dt.timedelta(days=9)))
    assert r.exit_code == 0, r.output
    out = tmp_path / "backup.json"
    before = _data(cli, out)
    assert day_off in before["plan_settings"][0]["days_off"]

    _empty_user_tables(ctx)  # into an empty database of the same backend
    r = cli("import", str(out))
    assert r.exit_code == 0, r.output
    assert _data(cli, tmp_path / "again.json") == before

    r = cli("import", str(out), "--replace", "--yes")  # and over existing data
    assert r.exit_code == 0, r.output
    assert _data(cli, tmp_path / "again.json") == before
    assert cli.json("plan", "today")  # the plan still loads

    from loopprep.settings import Settings

    fresh = Cli(Settings(data_dir=tmp_path / "fresh"))  # and into a new SQLite database
    r = fresh("import", str(out))
    assert r.exit_code == 0, r.output
    assert _data(fresh, tmp_path / "fresh.json") == before


def test_hostile_files_are_a_red_line(cli, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "hostile.json"
    for name in (
        "25-companies",
        "duplicate-drill-id",
        "id-over-2-63",
        "thousands-of-digits",
        "nested-100000",
        "nan-answer",
    ):
        mutate, message = HOSTILE[name]
        path.write_text(mutate(V4))
        r = cli("import", str(path))
        assert r.exit_code == 1 and message in r.stderr and "Traceback" not in r.output, (name, r.output)
    assert cli.json("profile", "show")["profile"] is None
