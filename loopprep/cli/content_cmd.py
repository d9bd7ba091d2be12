"""`loopprep content check [DIR]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loopprep.cli.common import JSON_HELP, console, handles_errors, print_json, state


def register(app: typer.Typer) -> None:
    content = typer.Typer(help="Check the content bank or your own content files.", no_args_is_help=True)
    app.add_typer(content, name="content")

    @content.command("check")
    @handles_errors
    def check(
        ctx: typer.Context,
        directory: Annotated[
            Path | None,
            typer.Argument(
                metavar="[DIR]",
                help="A content directory (YAML files of sources, frameworks, model presets, and a problems/ folder); "
                "default: the shipped content plus your content directory, if set.",
            ),
        ] = None,
        json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Validate every content file of every kind against its schema; exit 1 if any is broken."""
        from loopprep.services.content import check_content

        target = directory or state(ctx).settings().content_dir
        problems = check_content(target)
        checked = "the shipped content" + (f" and {target}" if target else "")
        if json:
            print_json({"checked": checked, "ok": not problems, "problems": [p.as_dict() for p in problems]})
        elif problems:
            err = console(stderr=True)
            err.print(f"[bold red]{len(problems)} problem(s)[/] in {checked}:")
            for p in problems:
                err.print(f" • {p}", markup=False)
        else:
            console().print(f"[green]OK:[/] {checked} passed every check.")
        if problems:
            raise typer.Exit(1)
