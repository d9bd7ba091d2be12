"""`loopprep code replay ATTEMPT`: the attempt's failing random case, replayed: its input, the
reference's output and yours."""

from __future__ import annotations

import json as jsonlib
from typing import Annotated

import typer

from loopprep.cli.common import JSON_HELP, console, handles_errors, print_json, state


@handles_errors
def replay_cmd(
    ctx: typer.Context,
    attempt_id: Annotated[int, typer.Argument(metavar="ATTEMPT", help="The attempt's id (see `code history`).")],
    json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Replay ATTEMPT's failing random case: print its input, the reference's output and your code's.

    The case is re-generated from its seed and your attempt's code runs on it again, as a visible example.
    """
    from rich.text import Text

    from loopprep.cli.code_judge import started_judge
    from loopprep.services.code_random import replay_attempt

    st = state(ctx)
    with started_judge(st) as j:
        r = replay_attempt(st.context(), j, attempt_id)
    if json:
        print_json(r.model_dump(mode="json"))
        return
    out = console()
    out.print(f"[bold]Attempt {r.attempt_id}[/] · {r.problem_id} · random case {r.case} (seed {r.seed})")
    if r.problem_changed:
        out.print("[yellow]The problem was edited since this attempt; this is the case as it is now.[/]")

    def show(label: str, value: object) -> None:
        out.print(Text(f"{label}: {jsonlib.dumps(value, allow_nan=True)}"), soft_wrap=True)

    show("args", r.args)
    if r.kwargs:
        show("kwargs", r.kwargs)
    show("expected (the reference)", r.expected)
    if r.got is not None or r.status in ("passed", "wrong"):
        show("got (your code)", r.got)
    out.print(
        Text(f"{r.status}: {r.message}" if r.message else r.status, style="red" if r.status != "passed" else "green")
    )
    if r.traceback:
        out.print(Text(r.traceback), soft_wrap=True)
    if r.stdout.strip():
        out.print("[bold]Your prints[/]")
        out.print(Text(r.stdout.rstrip()), soft_wrap=True)
