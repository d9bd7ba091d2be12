"""`loopprep code ...`: ML coding problems in your own editor, judged in the sandbox."""

from __future__ import annotations

import typer

code_app = typer.Typer(name="code", help="ML coding problems: list, show, start, run, submit, history, check.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(code_app, name="code")
