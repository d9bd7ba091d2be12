"""Promises about the project itself: the README, the settings, the wheel, the CLI's imports."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from loopprep.settings import Settings

ROOT = Path(__file__).parent.parent


def test_readme_opens_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    blocks = text.split("```")
    assert "./scripts/serve" in blocks[1] and "./scripts/test" in blocks[3]
    assert (ROOT / "scripts" / "serve").exists() and (ROOT / "scripts" / "test").exists()
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_readme_settings_table_is_complete() -> None:
    text = (ROOT / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"`LOOPPREP_{name.upper()}`" in text, f"README's settings table lacks {name}"


def test_cli_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from loopprep.cli import app; "
        "heavy = [m for m in ('sqlalchemy', 'fastapi', 'alembic', 'uvicorn', 'pydantic', 'numpy', 'scipy', "
        "'statsmodels', 'icalendar', 'yaml', 'loopprep.services', 'loopprep.content.loader') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.slow
def test_wheel_contains_content_templates_static_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("loopprep-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    data = (ROOT / "loopprep/content/data").rglob("*")
    shipped = {p.relative_to(ROOT).as_posix() for p in data if p.suffix in {".yaml", ".md"}}
    assert len(shipped) >= 50 and not shipped - names, sorted(shipped - names)
    for required in (
        "loopprep/content/data/knowledge/rounds.yaml",
        "loopprep/content/data/problems/README.md",
        "loopprep/content/data/stats-cases/cases.yaml",
        "loopprep/content/data/estimate-presets/models.yaml",
        "loopprep/content/data/plan/plan.yaml",
        "loopprep/content/schema/__init__.py",
        "loopprep/web/templates/base.html",
        "loopprep/web/templates/dashboard/index.html",
        "loopprep/web/static/app.css",
        "loopprep/web/static/app.js",
        "loopprep/store/migrations/env.py",
        "loopprep/store/migrations/versions/0001_foundation.py",
        "loopprep/store/migrations/script.py.mako",
    ):
        assert required in names, required
    assert not any(n.startswith("tests/") for n in names)
