"""`loopprep export FILE` and `loopprep import FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loopprep.cli.common import console, fail, handles_errors, state


def register(app: typer.Typer) -> None:
    @app.command("export")
    @handles_errors
    def export(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="Where to write the JSON document ('-' for standard output).")],
        force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    ) -> None:
        """Write all your own data as one versioned JSON document."""
        import datetime as dt
        import json
        import os
        import tempfile

        from loopprep.services.backup import export_document

        doc = export_document(state(ctx).context(), now=dt.datetime.now(dt.UTC))
        text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        if str(file) == "-":
            typer.echo(text, nl=False)
            return
        if file.exists() and not force:
            fail(f"{file} already exists.", "Choose another name, or add --force to overwrite it.")
        if not file.parent.exists():
            fail(f"The folder {file.parent} does not exist.", "Create it first or choose another path.")
        # Write beside the target and rename, so an interrupted export never leaves half a file.
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".loopprep-export-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, file)
        from loopprep.services.backup import describe_counts

        counts = describe_counts({k: len(v) for k, v in doc["data"].items()})
        console().print(f"[green]Exported[/] {counts} to {file} (format version {doc['version']}).")

    @app.command("import")
    @handles_errors
    def import_(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="A file written by `loopprep export`.")],
        replace: Annotated[
            bool, typer.Option("--replace", help="Overwrite the data already in this database.")
        ] = False,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before replacing.")] = False,
    ) -> None:
        """Restore an export into an empty database (or, with --replace, over existing data)."""
        from loopprep.services.backup import import_document, plan_import

        try:
            raw = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            fail(f"{file} does not exist.", "Give the path of a file written by `loopprep export`.")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"Cannot read {file}: {exc}.", "Give the path of a file written by `loopprep export`.")
        app_ctx = state(ctx).context()
        plan = plan_import(app_ctx, raw)
        out = console()
        if plan.would_overwrite:
            if not replace:
                fail(
                    f"This database already has data ({plan.existing_text}); loopprep never merges an import.",
                    "Re-run with --replace to overwrite it (export it first if you want a copy).",
                )
            out.print(f"[yellow]This will overwrite:[/] {plan.existing_text}")
            out.print(f"[yellow]with the file's:[/] {plan.incoming_text}")
            if not yes and not typer.confirm("Replace?", default=False):
                fail("Import cancelled; nothing was changed.")
        result = import_document(app_ctx, raw, replace=replace)
        out.print(f"[green]Imported[/] {result.imported_text} from {file}.")
