from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from loopprep.cli import app


class Cli:
    """Run ``loopprep`` in-process against the test's database."""

    def __init__(self, settings) -> None:  # noqa: ANN001
        self.args = ["--data-dir", str(settings.data_dir)]
        if settings.database_url:
            self.args += ["--database-url", settings.database_url]
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Any:  # noqa: A002
        return self.runner.invoke(app, [*self.args, *args], input=input, catch_exceptions=False)

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli(ctx) -> Cli:  # noqa: ANN001
    return Cli(ctx.settings)
