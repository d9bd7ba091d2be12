"""Settings read their LOOPPREP_* variables (pydantic-settings): the rules a user relies on, and a
clear error for a bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from loopprep.settings import Settings


def test_environment_variables_fill_settings_and_arguments_win(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LOOPPREP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("loopprep_port", "9001")  # any case, as before
    monkeypatch.setenv("LOOPPREP_JUDGE_PROTECTIONS_OFF", '["seccomp", "user"]')  # a list is JSON
    monkeypatch.setenv("LOOPPREP_DATABASE_URL", "")  # blank means SQLite
    monkeypatch.setenv("LOOPPREP_NOT_A_SETTING", "x")  # ignored
    s = Settings()
    assert (s.data_dir, s.port, s.judge_protections_off, s.database_url) == (tmp_path, 9001, ["seccomp", "user"], None)
    assert Settings(port=8080, data_dir=tmp_path / "other").port == 8080
    assert Settings(data_dir=tmp_path / "other").data_dir == tmp_path / "other"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("LOOPPREP_PORT", "eighty", "Setting 'port' is invalid"),
        ("LOOPPREP_JUDGE_PROTECTIONS_OFF", "seccomp", "judge_protections_off"),
    ],
)
def test_a_bad_variable_is_a_red_line_naming_it(name: str, value: str, says: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOPPREP_")}
    env.update({"LOOPPREP_DATA_DIR": str(tmp_path), name: value})
    res = subprocess.run([sys.executable, "-m", "loopprep", "settings"], env=env, capture_output=True, text=True)
    assert res.returncode == 1
    assert says in res.stderr and name in res.stderr
    assert "Traceback" not in res.stderr
