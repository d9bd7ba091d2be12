"""Start-up: `loopprep --help` imports nothing heavy, and its stored text is what Typer would print."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loopprep.cli.root_help import ROOT_HELP, render

HEAVY = (
    "typer",
    "click",
    "rich",
    "pydantic",
    "pydantic_settings",
    "sqlalchemy",
    "numpy",
    "alembic",
    "yaml",
    "loopprep.settings",
    "loopprep.services",
    "loopprep.cli.root",
)


def _run_main(args: list[str], columns: int, tmp_path: Path) -> tuple[str, list[str]]:
    """Run ``loopprep.cli.main`` with ``args`` in a fresh interpreter; its output and which of
    HEAVY it imported."""
    code = (
        "import json, sys\n"
        f"sys.argv = ['loopprep', *{args!r}]\n"
        "from loopprep.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOPPREP_")}
    env.update(COLUMNS=str(columns), LOOPPREP_DATA_DIR=str(tmp_path))
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return res.stdout, json.loads(res.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_imports_nothing_heavy(flag: str, tmp_path: Path) -> None:
    out, imported = _run_main([flag], 120, tmp_path)
    assert imported == []
    assert out == ROOT_HELP
    assert "Commands:" in out and "  code " in out and "  serve " in out


def test_the_stored_help_is_what_typer_prints() -> None:
    assert render() == ROOT_HELP, "run `python -m loopprep.cli.root_help` to rewrite the stored text"


def test_a_narrow_terminal_gets_typer_help_wrapped_to_fit(tmp_path: Path) -> None:
    out, imported = _run_main(["--help"], 60, tmp_path)
    assert "typer" in imported  # too narrow for the stored text: Typer wraps it
    assert "Commands:" in out and "  code " in out
    assert max(len(line) for line in out.splitlines()) <= 60


def test_other_commands_still_go_through_typer(tmp_path: Path) -> None:
    out, imported = _run_main(["code", "--help"], 120, tmp_path)
    assert "watch (re-run on every save)" in " ".join(out.split())  # the group's help names it
    assert "\n  watch " in out
    assert "sqlalchemy" not in imported and "numpy" not in imported and "loopprep.services" not in imported


def test_listing_commands_import_only_what_they_use(tmp_path: Path) -> None:
    _run_main(["code", "list", "--json"], 120, tmp_path)  # the first run creates the database
    out, imported = _run_main(["code", "list", "--json"], 120, tmp_path)
    assert json.loads(out)["problems"]
    assert "numpy" not in imported  # the judge's grading needs it; a list does not
    assert "alembic" not in imported  # the schema is current: nothing to migrate
    out, imported = _run_main(["rounds", "--json"], 120, tmp_path)
    assert json.loads(out)
    assert "sqlalchemy" not in imported and "numpy" not in imported


def test_every_top_level_command_is_in_the_registration_map() -> None:
    import typer.main

    from loopprep.cli.root import COMMANDS, app

    group = typer.main.get_command(app)
    assert list(group.commands) == list(COMMANDS)  # type: ignore[attr-defined]


def test_a_command_builds_only_its_own_module(tmp_path: Path) -> None:
    modules = ("loopprep.cli.estimate_cmd", "loopprep.cli.plan_cmd", "loopprep.cli.serve_cmd")
    code = (
        "import json, sys\n"
        "sys.argv = ['loopprep', '--data-dir', sys.argv[1], 'rounds', '--json']\n"
        "from loopprep.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {modules!r} if m in sys.modules]), file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOPPREP_")}
    res = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(res.stdout)["rounds"]
    assert json.loads(res.stderr.strip().splitlines()[-1]) == []


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["rounds"], "rounds"),
        (["--data-dir", "/x", "code", "list"], "code"),
        (["--data-dir=/x", "plan"], "plan"),
        (["--help"], None),
        ([], None),
    ],
)
def test_the_invoked_command_is_found_after_root_options(argv: list[str], expected: str | None) -> None:
    from loopprep.cli.root import _command_name

    assert _command_name(argv) == expected


def test_json_answers_import_no_other_command_group(tmp_path: Path) -> None:
    extra = ("loopprep.cli.plan_cmd", "loopprep.cli.estimate_cmd", "loopprep.cli.stats_cmd", "loopprep.cli.backup_cmd")
    _run_main(["code", "list", "--json"], 120, tmp_path)  # builds the database and the content cache
    code = (
        "import json, sys\n"
        "from loopprep.cli import main\n"
        "for argv in (['rounds', '--json'], ['code', 'list', '--json']):\n"
        "    sys.argv = ['loopprep', *argv]\n"
        "    try:\n        main()\n    except SystemExit:\n        pass\n"
        f"print(json.dumps([m for m in {extra!r} if m in sys.modules]), file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOPPREP_")}
    env["LOOPPREP_DATA_DIR"] = str(tmp_path)
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(res.stderr.strip().splitlines()[-1]) == []


def test_content_models_build_no_validator_until_used() -> None:
    code = (
        "from pydantic._internal._mock_val_ser import MockValSer\n"
        "from loopprep.content.schema import FILE_MODELS, Problem\n"
        "from loopprep.content.schema.knowledge import Round\n"
        "models = (*FILE_MODELS.values(), Problem, Round)\n"
        "print(sum(isinstance(m.__pydantic_validator__, MockValSer) for m in models), len(models))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    deferred, total = res.stdout.split()
    assert deferred == total
