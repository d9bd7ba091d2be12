"""`loopprep estimate models --add` and `--config`: absurd or malformed configs are a red line."""

from __future__ import annotations

from tests.cli.conftest import Cli
from tests.services.test_user_models import BAD_CONFIGS


def test_cli_upload_of_absurd_configs_is_a_red_line(sqlite_ctx, tmp_path) -> None:  # noqa: ANN001
    sq_cli = Cli(sqlite_ctx.settings)
    path = tmp_path / "config.json"
    for text, named in BAD_CONFIGS.values():
        path.write_text(text)
        r = sq_cli("estimate", "models", "--config", str(path), "--add", "bad")
        assert r.exit_code == 1 and named in r.stderr and "Traceback" not in r.output
        r = sq_cli("estimate", "kv", "--config", str(path), "--context", "1", "--batch", "1")
        assert r.exit_code == 1 and named in r.stderr
