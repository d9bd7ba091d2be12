"""The ``loopprep`` Typer app: a thin adapter over the services.

Heavy modules (SQLAlchemy, FastAPI, pydantic content models) are imported inside command
bodies; ``loopprep --help`` itself is answered in :mod:`loopprep.cli` without importing this.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from loopprep.cli.common import State, add_lazy_group

# Every top-level command, by the module that registers it (in the order `--help` lists them);
# "lazy:" marks a group whose commands are built on first use.  A test keeps this complete.
COMMANDS: dict[str, str] = {
    "serve": "serve_cmd",
    **dict.fromkeys(
        ("dashboard", "rounds", "bar", "companies", "roles", "frameworks", "search", "settings"), "knowledge_cmd"
    ),
    "export": "backup_cmd",
    "import": "backup_cmd",
    "profile": "profile_cmd",
    "content": "content_cmd",
    "estimate": "estimate_cmd",
    "stats": "lazy:loopprep.cli.stats_cmd:stats_app",
    "plan": "plan_cmd",
    "code": "lazy:loopprep.cli.code_cmd:code_app",
}
# The root options that take a value (to find the command name after them in argv).
_VALUE_OPTIONS = ("--data-dir", "--database-url", "--content-dir")


def _new_app() -> typer.Typer:
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

    return app


def _register(app: typer.Typer, modules: Sequence[str]) -> typer.Typer:
    for target in dict.fromkeys(modules):  # each module once, in order
        if target.startswith("lazy:"):
            name = next(k for k, v in COMMANDS.items() if v == target)
            add_lazy_group(app, name, target.removeprefix("lazy:"))
        else:
            importlib.import_module(f"loopprep.cli.{target}").register(app)
    return app


def _command_name(argv: Sequence[str]) -> str | None:
    """The top-level command ``argv`` invokes (after any root options), or None."""
    args = iter(argv)
    for arg in args:
        if arg in _VALUE_OPTIONS:
            next(args, None)
        elif arg.startswith("-"):
            if arg.split("=", 1)[0] not in _VALUE_OPTIONS:
                return None  # --help, or an unknown option: the whole app answers
        else:
            return arg
    return None


def app_for(argv: Sequence[str]) -> typer.Typer:
    """The app with only the commands of the module ``argv`` invokes (building every command's
    options costs more than some commands take to run); the whole app for anything else: no
    command, ``--help``, an unknown or mistyped command."""
    module = COMMANDS.get(_command_name(argv) or "")
    return _register(_new_app(), [module] if module else list(COMMANDS.values()))


def __getattr__(name: str) -> typer.Typer:  # `app`, the whole app, built on first use
    if name == "app":
        app = globals()["app"] = _register(_new_app(), list(COMMANDS.values()))
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
