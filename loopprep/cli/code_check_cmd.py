"""`loopprep code check` (problem CI) and `loopprep code protections` (the sandbox's layers)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loopprep.cli.common import JSON_HELP, console, handles_errors, print_json, state

if TYPE_CHECKING:
    from rich.console import Console

    from loopprep.services.code import CheckReport

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


# ---- problem CI -----------------------------------------------------------------------------------


def _print_check(out: Console, rep: CheckReport) -> None:
    from rich.text import Text

    from loopprep.cli.code_cmd import _esc, _mib, _ms

    for p in rep.problems:
        mark = "[green]✓[/]" if p.ok else "[red]✗[/]"
        ref_colour = "green" if p.reference_verdict == "accepted" else "red"
        perf = ""
        if p.perf_ms is not None:
            perf = f" · larger input {_ms(p.perf_ms)}, {_mib(p.perf_peak_bytes)} peak"
        out.print(
            f"{mark} [bold]{p.id}[/]  reference [{ref_colour}]{p.reference_verdict}[/] ({_ms(p.reference_ms)}){perf}"
        )
        score_colour = "green" if p.mutation_score >= 1 else "red"
        random = f"{p.random_cases} random cases" if p.random_cases is not None else "random testing skipped"
        out.print(
            f"    mutation score [{score_colour}]{p.mutation_score:.0%}[/] "
            f"({sum(m['verdict'] != 'accepted' for m in p.mutants)} of {len(p.mutants)} mutants killed; {random})"
        )
        for n, m in enumerate(p.mutants, 1):
            if m["verdict"] == "accepted":
                line = Text(f"    mutant {n}: passes every test — {m['bug']}", style="red")
            else:
                by = f", caught by {m['caught_by']}" if m["caught_by"] else ""
                line = Text(f"    mutant {n}: {m['verdict']}{by} — {m['bug']}")
            line.truncate(200, overflow="ellipsis")
            out.print(line, no_wrap=True, overflow="ellipsis")
        for issue in p.issues:
            out.print(Text(f"    problem: {issue}", style="red"))
    for e in rep.schema_errors:
        out.print(Text("✗ ", style="red") + Text(f"{e}", style="red"))
    if rep.problems:
        killed = sum(m["verdict"] != "accepted" for p in rep.problems for m in p.mutants)
        total = sum(len(p.mutants) for p in rep.problems)
        out.print(f"\nMutation score: {killed / max(total, 1):.1%} ({killed} of {total} mutants killed).")
    verdict = "[green]every problem is sound[/]" if rep.ok else f"[red]{rep.failed} failed[/]"
    out.print(
        f"\nChecked {rep.checked} problem(s) in {_esc(rep.directory)}"
        + (f" and {len(rep.schema_errors)} file(s) that break the schema" if rep.schema_errors else "")
        + f": {verdict}.",
        soft_wrap=True,
    )


@handles_errors
def check_cmd(
    ctx: typer.Context,
    directory: Annotated[
        Path | None,
        typer.Argument(metavar="[DIR]", help="A directory of problem files (default: the shipped bank and yours)."),
    ] = None,
    only: Annotated[
        list[str] | None, typer.Option("--only", metavar="ID", help="Check only this problem (repeat).")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Problem CI: the schema, the reference accepted in the sandbox, random cases sound, every mutant caught.

    Prints each problem's mutation score (mutants killed by the tests and random cases); below 100 % fails.

    Reference timings on the larger input are cached for `code submit`.
    Exit code 0 when every problem is sound, 1 otherwise.
    """
    from loopprep.cli.code_cmd import _now
    from loopprep.cli.code_judge import started_judge
    from loopprep.errors import InvalidInput
    from loopprep.services.code import check_problems

    if directory is not None and not directory.is_dir():
        raise InvalidInput(
            f"There is no directory at {directory}.", "Give the directory that holds the YAML files.", field="dir"
        )
    st = state(ctx)
    app_ctx = st.context()
    with started_judge(st) as j:
        err = console(stderr=True)
        if json or not err.is_terminal:  # the bar is for people watching; pipes and logs get the report only
            rep = check_problems(app_ctx, j, directory, only=only or None, now=_now())
        else:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as bar:
                task = bar.add_task("Checking", total=None)

                def progress(pid: str, n: int, total: int) -> None:
                    bar.update(task, description=f"Checking {pid}", completed=n - 1, total=total)

                rep = check_problems(app_ctx, j, directory, only=only or None, progress=progress, now=_now())
    if json:
        print_json(rep)
    else:
        _print_check(console(), rep)
    if not rep.ok:
        raise typer.Exit(1)


# ---- protections ----------------------------------------------------------------------------------


@handles_errors
def protections_cmd(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Which sandbox layers are on on this machine, and how (starts the judge to find out)."""
    from rich.table import Table

    from loopprep.cli.code_cmd import _esc
    from loopprep.cli.code_judge import started_judge
    from loopprep.services.code import protections

    st = state(ctx)
    with started_judge(st) as j:
        view = protections(j, st.context())
    if json:
        print_json(view)
        return
    out = console()
    t = Table(title="Sandbox protections", title_justify="left")
    t.add_column("layer")
    t.add_column("state")
    t.add_column("how")
    for name, layer in view.layers.items():
        t.add_row(name, "[green]on[/]" if layer.get("on") else "[red]off[/]", _esc(layer.get("how", "")))
    out.print(t)
    if view.off:
        out.print(
            f"[yellow]Off: {', '.join(view.off)}.[/] Submitted code is less contained on this machine; "
            "LOOPPREP_JUDGE_PROTECTIONS_OFF lists the layers turned off by setting."
        )
    else:
        out.print("Every layer is on.")
