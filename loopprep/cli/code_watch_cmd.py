"""`loopprep code watch ID FILE`: the visible examples re-run on every save, with one warm judge."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loopprep.cli.common import console, handles_errors, state

ProblemArg = Annotated[str, typer.Argument(metavar="ID", help="The problem id (see `loopprep code list`).")]
FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="Your solution, a Python file.")]


@handles_errors
def watch_cmd(ctx: typer.Context, problem_id: ProblemArg, file: FileArg) -> None:
    """Judge FILE on the visible examples now and again each time you save it; Ctrl+C stops.

    One judge stays running, so a verdict takes milliseconds. A deleted file is reported, then judged again.

    Each run is recorded, as with `loopprep code run`.
    """
    import sys

    from rich.rule import Rule
    from rich.text import Text

    from loopprep.cli.code_cmd import _esc, _now, _print_result, _read_source
    from loopprep.cli.code_judge import warm_judge
    from loopprep.services.code import get_problem
    from loopprep.services.code_watch import watch_runs

    st = state(ctx)
    _read_source(file)  # a missing file fails before the judge starts
    out = console()
    try:
        with warm_judge(st) as ready:
            app_ctx = st.context()
            names = list(get_problem(app_ctx, problem_id).params)
            j = ready()
            out.print(f"Watching [bold]{_esc(file)}[/] for {problem_id}: save it to run the examples; Ctrl+C stops.")
            for run in watch_runs(app_ctx, j, problem_id, file, now=_now):
                stamp = run.at.astimezone().strftime("%H:%M:%S")
                out.print(Rule(f"{stamp} · {_esc(file.name)}", align="left", style="dim"))
                if run.deleted:
                    out.print(f"[yellow]{_esc(file)} was deleted;[/] still watching, it runs again once it is back.")
                elif run.error is not None:
                    out.print(Text(run.error.message, style="red"))
                    if run.error.hint:
                        out.print(Text(run.error.hint, style="yellow"))
                elif run.result is not None:
                    _print_result(out, run.result, names, file, run.code)
                sys.stdout.flush()  # the verdict shows at once, even through a pipe
    except KeyboardInterrupt:
        out.print("Stopped watching.")
