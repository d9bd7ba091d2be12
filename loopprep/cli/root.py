"""The ``loopprep`` Typer app: a thin adapter over the services.

Heavy modules (SQLAlchemy, FastAPI, pydantic content models) are imported inside command
bodies; ``loopprep --help`` itself is answered in :mod:`loopprep.cli` without importing this.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import loopprep.cli.plan_cmd as plan_cmd
from loopprep.cli import backup_cmd, content_cmd, estimate_cmd, knowledge_cmd, profile_cmd, serve_cmd
from loopprep.cli.common import State, add_lazy_group

app = typer.Typer(
    name="loopprep",
    help="Practise the ML / AI engineer and data scientist interview loop, locally.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: Rich-formatted help costs ~50 ms of imports on every `--help`
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the database and your files live (env LOOPPREP_DATA_DIR).")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="SQLAlchemy database URL (env LOOPPREP_DATABASE_URL).")
    ] = None,
    content_dir: Annotated[
        Path | None, typer.Option(help="Directory of your own content (env LOOPPREP_CONTENT_DIR).")
    ] = None,
) -> None:
    overrides = {"data_dir": data_dir, "database_url": database_url, "content_dir": content_dir}
    ctx.obj = State({k: v for k, v in overrides.items() if v is not None})


serve_cmd.register(app)
knowledge_cmd.register(app)
profile_cmd.register(app)
backup_cmd.register(app)
content_cmd.register(app)
estimate_cmd.register(app)
add_lazy_group(app, "stats", "loopprep.cli.stats_cmd:stats_app")
plan_cmd.register(app)
add_lazy_group(app, "code", "loopprep.cli.code_cmd:code_app")
