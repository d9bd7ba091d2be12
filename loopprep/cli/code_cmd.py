"""`loopprep code ...`: ML coding problems in your own editor, judged in the sandbox.

Every command that runs code starts its own judge (a sandboxed zygote process) and stops it on the
way out.  Heavy modules are imported inside the command bodies so that ``loopprep --help`` stays fast.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loopprep.cli.code_judge import ready_or_draft as _ready_or_draft
from loopprep.cli.code_judge import warm_judge as _warm_judge
from loopprep.cli.common import GROUP_HELP, JSON_HELP, console, handles_errors, print_json, state

if TYPE_CHECKING:
    from rich.console import Console

    from loopprep.services.code import AttemptResult, CaseView, PerfView

code_app = typer.Typer(
    name="code",
    help=GROUP_HELP["code"],
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
ProblemArg = Annotated[str, typer.Argument(metavar="ID", help="The problem id (see `loopprep code list`).")]
FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="Your solution, a Python file.")]
Elapsed = Annotated[
    float | None,
    typer.Option(
        "--elapsed",
        metavar="SECONDS",
        min=0,
        max=7 * 24 * 3600,
        help="Seconds you spent on the problem so far (the attempt clock).",
    ),
]

STATUS_STYLE = {
    "passed": "green",
    "wrong": "red",
    "error": "red",
    "timeout": "magenta",
    "memory": "magenta",
    "forbidden": "red",
    "not-run": "dim",
}
PROBLEM_STATUS = {"solved": "[green]solved[/]", "attempted": "[yellow]attempted[/]", "new": "[dim]new[/]"}
MAX_CELL = 70


# ---- helpers --------------------------------------------------------------------------------------


def _esc(text: Any) -> str:
    from rich.markup import escape

    return escape(str(text))


def _show(v: Any) -> str:
    """Python-like text for a test value; floats with 10 significant digits (``--json`` has them all)."""
    if isinstance(v, bool) or v is None:
        return repr(v)
    if isinstance(v, float):
        if v != v or abs(v) == float("inf"):
            return "nan" if v != v else ("inf" if v > 0 else "-inf")
        text = f"{v:.10g}"
        return text if any(ch in text for ch in ".en") else text + ".0"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_show(k)}: {_show(x)}" for k, x in v.items()) + "}"
    return repr(v)


def _value(v: Any, limit: int = MAX_CELL) -> str:
    """A one-line rendering of a test value, cut at ``limit`` characters."""
    text = _show(v)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _call(args: list[Any] | None, kwargs: dict[str, Any] | None, names: list[str], limit: int = MAX_CELL) -> str:
    """The arguments as a call would spell them, each named after its parameter."""
    padded = names + [""] * len(args or [])
    named = [f"{n}={_show(a)}" if n else _show(a) for n, a in zip(padded, args or [], strict=False)]
    parts = named + [f"{k}={_show(v)}" for k, v in (kwargs or {}).items()]
    text = ", ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ms(v: float | None) -> str:
    return "—" if v is None else (f"{v:.1f} ms" if v < 100 else f"{v:,.0f} ms")


def _mib(n: int | None) -> str:
    return "—" if n is None else f"{n / 2**20:.1f} MiB"


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def _read_source(file: Path) -> str:
    from loopprep.services.code_watch import read_solution

    return read_solution(file)


def _now() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC)


# ---- list / show ----------------------------------------------------------------------------------


@code_app.command("list")
@handles_errors
def list_cmd(
    ctx: typer.Context,
    topic: Annotated[str | None, typer.Option(help="Only this topic, e.g. deep-learning or metrics.")] = None,
    difficulty: Annotated[str | None, typer.Option(help="easy, medium or hard.")] = None,
    status: Annotated[str | None, typer.Option(help="solved, attempted or new.")] = None,
    json: JsonOpt = False,
) -> None:
    """The problems, easiest first, with your status on each."""
    from rich.table import Table

    from loopprep.services.code import list_problems

    view = list_problems(state(ctx).context(), topic=topic, difficulty=difficulty, status=status)
    if json:
        print_json(view)
        return
    err = console(stderr=True)
    for e in view.errors:
        err.print(f"[yellow]Left out:[/] {_esc(e)}", markup=True)
    out = console()
    if not view.problems:
        out.print("No problem matches these filters.")
        out.print(f"[dim]Topics: {', '.join(view.topics)}.[/]")
        return
    from rich import box

    wide = out.width >= 110  # topics only where they fit beside the titles
    t = Table(
        title=f"ML coding problems ({len(view.problems)} of {view.total})",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    t.add_column("id", no_wrap=True)  # never cut: it is what the other commands take
    t.add_column("title", ratio=3)
    t.add_column("level", no_wrap=True)
    if wide:
        t.add_column("topics", ratio=2)
    t.add_column("status", no_wrap=True)
    t.add_column("tries", justify="right", no_wrap=True)
    for p in view.problems:
        title = _esc(p.title) + (" [dim](yours)[/]" if p.origin == "yours" else "")
        cells = [p.id, title, p.difficulty] + ([", ".join(p.topics)] if wide else [])
        t.add_row(*cells, PROBLEM_STATUS[p.status], str(p.attempts or ""))
    out.print(t)
    out.print(
        f"Solved {view.solved} · attempted {view.attempted} · {view.total} in the bank. "
        "Start one with: [bold]loopprep code start ID[/]"
    )


@code_app.command("show")
@handles_errors
def show_cmd(ctx: typer.Context, problem_id: ProblemArg, json: JsonOpt = False) -> None:
    """A problem in full: statement, signature, parameter types, examples, limits."""
    from rich.markdown import Markdown
    from rich.panel import Panel
    from rich.syntax import Syntax
    from rich.table import Table

    from loopprep.services.code import describe_draft, show_problem

    v = show_problem(state(ctx).context(), problem_id)
    if json:
        print_json(v)
        return
    out = console()
    facts = f"{v.id} · {v.difficulty} · {', '.join(v.topics)} · {PROBLEM_STATUS[v.status]}"
    if v.vectorised:
        facts += " · vectorise"
    out.print(
        Panel(
            Markdown(v.statement),
            title=f"[bold]{_esc(v.title)}[/]",
            subtitle=facts,
            title_align="left",
            subtitle_align="left",
        )
    )
    out.print("\n[bold]Signature[/]")
    out.print(Syntax(v.signature, "python", theme="ansi_dark", background_color="default"))
    params = Table(show_header=True, box=None, padding=(0, 2))
    params.add_column("parameter")
    params.add_column("type")
    for name, typ in v.params.items():
        params.add_row(name, _esc(typ))
    params.add_row("[italic]returns[/]", _esc(v.returns))
    out.print(params)
    ex = Table(title=f"Examples ({len(v.examples)} visible)", title_justify="left")
    ex.add_column("#", justify="right")
    ex.add_column("input")
    ex.add_column("expected")
    ex.add_column("note")
    for e in v.examples:
        given = _call(e.args, e.kwargs, list(v.params), 400)
        ex.add_row(str(e.index + 1), _esc(given), _esc(_value(e.expected, 400)), _esc(e.note))
    out.print(ex)
    out.print(f"Hidden tests: {v.hidden_count} (a failure names its category, never its data).")
    if v.random_cases:
        out.print(f"Random cases on Submit: {v.random_cases}, each checked against the reference's answer.")
    else:
        out.print("Random testing skipped: this problem has no random case generator.")
    out.print(f"Limits: {v.time_limit_s:g} s CPU, {v.memory_limit_mb} MiB of memory.")
    out.print(f"Forbidden: {_esc(', '.join(v.forbidden)) if v.forbidden else 'nothing beyond the sandbox rules'}.")
    pace = v.pacing
    out.print(
        f"[dim]Pacing: about {pace.expected_minutes} minutes, the time an interviewer would give it "
        f"(a {pace.round_minutes}-minute implementation round usually holds one problem and its follow-ups).[/]"
    )
    if v.history:
        last = v.history[0]
        out.print(f"Your attempts: {len(v.history)}; the last: {last.verdict_label} ({last.passed}/{last.total}).")
    if v.draft is not None:
        out.print(f"[yellow]You have a draft the judge never graded, {_esc(describe_draft(v.draft))}.[/]")
    out.print(f"Next: [bold]loopprep code start {v.id}[/]")


# ---- start ----------------------------------------------------------------------------------------


@code_app.command("start")
@handles_errors
def start_cmd(
    ctx: typer.Context,
    problem_id: ProblemArg,
    directory: Annotated[
        Path | None, typer.Argument(metavar="[DIR]", help="Where to write ID.py (default: the current directory).")
    ] = None,
    last: Annotated[bool, typer.Option("--last", help="Write your last attempt instead of the starter.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
    json: JsonOpt = False,
) -> None:
    """Write the starter (or your last attempt) to DIR/ID.py, ready for your editor."""
    from loopprep.errors import InvalidInput
    from loopprep.services.code import describe_draft, show_problem

    v = show_problem(state(ctx).context(), problem_id)
    folder = directory if directory is not None else Path.cwd()
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(
            f"{folder} is a file, not a directory.", "Give a directory to write the starter into.", field="dir"
        )
    target = folder / f"{v.id}.py"
    if target.exists() and not force:
        raise InvalidInput(
            f"{target} already exists; it was left unchanged.",
            "Add --force to overwrite it, or pass another directory.",
            field="file",
        )
    note = ""
    source = "starter"
    code = v.starter
    if last and v.history:
        code, source = v.code, "last attempt"
    elif last:
        note = "You have no attempt at this problem yet; wrote the starter."
    if v.draft is not None and (not last or code == v.draft.code):  # a draft the judge never graded wins
        code, source = v.draft.code, "draft"
        note = f"Wrote your draft ({describe_draft(v.draft)}), not the {'last attempt' if last else 'starter'}."
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(code if code.endswith("\n") else code + "\n", encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(
            f"Cannot write {target}: {exc.strerror or exc}.", "Check the directory's permissions.", field="dir"
        ) from None
    quoted = shlex.quote(str(target))
    steps = [f"loopprep code run {v.id} {quoted}", f"loopprep code submit {v.id} {quoted}"]
    if json:
        print_json({"problem_id": v.id, "file": str(target), "source": source, "next": steps})
        return
    out = console()
    if note:
        out.print(f"[yellow]{note}[/]")
    out.print(f"Wrote the {source} of [bold]{_esc(v.title)}[/] to [bold]{_esc(target)}[/].", soft_wrap=True)
    out.print(f"Read the problem: loopprep code show {v.id}")
    out.print("Then edit the file and run:")
    for s in steps:
        out.print(f"  {_esc(s)}", soft_wrap=True)
    out.print(
        f"[dim]Pace yourself: about {v.pacing.expected_minutes} minutes; pass --elapsed SECONDS to record your time.[/]"
    )


# ---- run / submit ---------------------------------------------------------------------------------


def _status(c: CaseView) -> str:
    style = STATUS_STYLE.get(c.status, "")
    return f"[{style}]{c.status}[/]" if style else c.status


def _case_tables(out: Console, r: AttemptResult, names: list[str]) -> None:
    """The visible cases with their data; the hidden ones by category only."""
    from rich.table import Table

    visible = [c for c in r.cases if c.visible]
    hidden = [c for c in r.cases if not c.visible]
    if visible:
        t = Table(title="Examples", title_justify="left")
        for col in ("#", "input", "expected", "got", "time", "status"):
            t.add_column(col, justify="right" if col in ("#", "time") else "left", overflow="fold")
        for c in visible:
            got = "—" if c.got is None and c.status != "passed" else _value(c.got)
            t.add_row(
                str(c.index + 1),
                _esc(_call(c.args, c.kwargs, names)),
                _esc(_value(c.expected)),
                _esc(got),
                _ms(c.ms),
                _status(c),
            )
        out.print(t)
    if hidden and all(c.status == "passed" for c in hidden):
        slowest = max((c.ms for c in hidden if c.ms is not None), default=None)
        out.print(f"Hidden tests: all {len(hidden)} passed" + (f" (slowest {_ms(slowest)})." if slowest else "."))
    elif hidden:
        passed = sum(c.status == "passed" for c in hidden)
        t = Table(title=f"Hidden tests ({passed}/{len(hidden)} passed)", title_justify="left")
        for col in ("#", "category", "time", "status"):
            t.add_column(col, justify="right" if col in ("#", "time") else "left")
        for c in hidden:
            t.add_row(str(c.index + 1), _esc(c.note or "hidden case"), _ms(c.ms), _status(c))
        out.print(t)


def _print_result(out: Console, r: AttemptResult, names: list[str], file: Path, code: str) -> None:
    from rich.text import Text

    colour = "green" if r.accepted else ("yellow" if r.verdict == "judge-error" else "red")
    kind = "Examples" if r.mode == "run" else "Submission"
    out.print(
        f"[bold {colour}]{r.verdict_label}[/] · {kind}: {r.passed}/{r.total} passed · judged in "
        f"{_ms(r.latency_ms)}" + (f" · your clock {_minutes(r.elapsed_s)}" if r.elapsed_s is not None else "")
    )
    if not r.accepted:
        first = r.message.split("\n", 1)[0]
        out.print(Text(first + (f" (line {r.line})" if r.line and f"line {r.line}" not in first else "")))
    lines = code.splitlines()
    if r.line and 0 < r.line <= len(lines):
        out.print(Text(f"  {file}:{r.line} | {lines[r.line - 1]}", style="dim"), soft_wrap=True)
    if all(c.status == "not-run" for c in r.cases):  # it failed before any test: no table of empty rows
        out.print(f"[dim]No test ran ({r.total} would have).[/]")
    else:
        _case_tables(out, r, names)
    shown: set[str] = set()
    for c in r.cases:
        if c.status in ("passed", "not-run") or not (c.message or c.traceback):
            continue
        where = f"example {c.index + 1}" if c.visible else f"hidden case ({c.note or c.index + 1})"
        message = c.message.rstrip().removesuffix(":")
        trace = c.traceback.rstrip().replace('File "<solution>"', f'File "{file}"')
        if trace and trace in shown:
            out.print(Text(f"{where}: {message} (the same traceback as above)", style="red"))
            continue
        if message:
            out.print(Text(f"{where}: {message}", style="red"))
        if trace:
            shown.add(trace)
            out.print(Text(trace, style="dim"), soft_wrap=True)
    if "\n" in r.message and not shown:  # a load-time traceback rides in the message
        out.print(
            Text(r.message.split("\n", 1)[1].rstrip().replace('File "<solution>"', f'File "{file}"'), style="dim"),
            soft_wrap=True,
        )
    if r.mutated:
        out.print(
            f"[yellow]Your code changed its inputs in place:[/] {_esc(', '.join(r.mutated))}. Copy before modifying."
        )
    if r.stdout.strip():
        out.print("[bold]Your prints[/]")
        out.print(Text(r.stdout.rstrip().replace("<solution>:", f"{file}:")), soft_wrap=True)
    if r.random and r.random.get("failed_seed") is not None:
        out.print(f"[yellow]Replay the failing random case:[/] loopprep code replay {r.id}")


def _print_perf(out: Console, p: PerfView, mutated_by_verdict: list[str]) -> None:
    from rich.table import Table

    out.print("\n[bold]More than correctness[/]")
    if not p.available:
        out.print(f"  {_esc(p.note)}")
        return
    t = Table(show_header=True, box=None, padding=(0, 2))
    t.add_column("")
    t.add_column("yours", justify="right")
    t.add_column("reference", justify="right")
    t.add_column("ratio", justify="right")
    ratio = "—" if p.ratio is None else f"{p.ratio:.2f}×"
    mem_ratio = "—" if p.memory_ratio is None else f"{p.memory_ratio:.2f}×"
    t.add_row("time on the larger input", _ms(p.ms), _ms(p.reference_ms), f"[red]{ratio}[/]" if p.slow else ratio)
    t.add_row("peak memory", _mib(p.peak_bytes), _mib(p.reference_peak_bytes), mem_ratio)
    out.print(t)
    out.print("  [dim]ratio = yours / the reference's (under 1 is faster or smaller)[/]")
    if p.slow:
        out.print(f"  [red]Slow:[/] {_esc(p.note)}")
    elif p.note:
        out.print(f"  {_esc(p.note)}")
    mutated = sorted(set(p.mutated) | set(mutated_by_verdict))
    if mutated:
        out.print(f"  [yellow]Inputs mutated:[/] {_esc(', '.join(mutated))}.")
    else:
        out.print("  Inputs left unchanged.")


@code_app.command("run")
@handles_errors
def run_cmd(
    ctx: typer.Context, problem_id: ProblemArg, file: FileArg, elapsed: Elapsed = None, json: JsonOpt = False
) -> None:
    """Run FILE on the visible examples: input, expected and got for each.

    Exit code 0 when every example passes, 1 otherwise.
    """
    from loopprep.services.code import get_problem, run_code

    st = state(ctx)
    code = _read_source(file)  # a missing file fails before the judge starts
    with _warm_judge(st) as ready:  # the zygote starts while the content loads
        app_ctx = st.context()
        names = list(get_problem(app_ctx, problem_id).params)
        j = _ready_or_draft(ready, app_ctx, problem_id, code, now=_now())
        r = run_code(app_ctx, j, problem_id, code, elapsed_s=elapsed, now=_now())
    if json:
        print_json(r)
    else:
        _print_result(console(), r, names, file, code)
        if r.accepted:
            console().print(f"Next: [bold]loopprep code submit {problem_id} {_esc(shlex.quote(str(file)))}[/]")
    if not r.accepted:
        raise typer.Exit(1)


@code_app.command("submit")
@handles_errors
def submit_cmd(
    ctx: typer.Context,
    problem_id: ProblemArg,
    file: FileArg,
    elapsed: Elapsed = None,
    no_perf: Annotated[
        bool, typer.Option("--no-perf", help="Skip timing your accepted code against the reference.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Submit FILE: every test, hidden ones included; then speed and memory against the reference.

    A hidden failure names its category (e.g. "edge case: empty input"), never its data.
    With --json: the attempt result, plus "perf" (null when not measured).
    Exit code 0 when accepted, 1 otherwise.
    """
    from loopprep.services.code import get_problem, measure_attempt, submit_code

    st = state(ctx)
    app_ctx = st.context()
    names = list(get_problem(app_ctx, problem_id).params)
    code = _read_source(file)
    out = console()
    with _warm_judge(st) as ready:
        j = _ready_or_draft(ready, app_ctx, problem_id, code, now=_now())
        r = submit_code(app_ctx, j, problem_id, code, elapsed_s=elapsed, now=_now())
        if not json:  # the verdict first; the measurement comes after it
            _print_result(out, r, names, file, code)
            if r.plan_task:
                out.print(f"[green]Plan task marked done:[/] {_esc(r.plan_task)}")
        perf = None
        if r.accepted and not no_perf:
            if not json:
                with out.status("Timing your solution and the reference on the larger input…"):
                    perf = measure_attempt(app_ctx, j, r.id, now=_now())
            else:
                perf = measure_attempt(app_ctx, j, r.id, now=_now())
    if json:
        print_json({**r.model_dump(mode="json"), "perf": None if perf is None else perf.model_dump(mode="json")})
    elif perf is not None:
        _print_perf(out, perf, r.mutated)
    if not r.accepted:
        raise typer.Exit(1)


# ---- history --------------------------------------------------------------------------------------


@code_app.command("history")
@handles_errors
def history_cmd(
    ctx: typer.Context,
    problem_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="Only this problem.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="How many attempts, newest first.")] = 20,
    json: JsonOpt = False,
) -> None:
    """Your attempts, newest first: verdict, tests passed, your clock, the judge's time, speed ratio."""
    from rich.table import Table

    from loopprep.services.code import history

    items = history(state(ctx).context(), problem_id, limit=limit)
    if json:
        print_json([a.model_dump(mode="json") for a in items])
        return
    out = console()
    if not items:
        out.print("No attempts yet." + ("" if problem_id else " Start with: loopprep code list"))
        return
    import datetime as dt

    from rich import box

    wide = out.width >= 100 or problem_id is not None  # on a narrow screen: a shorter date, no judge time
    t = Table(
        title="Attempts" + (f" at {problem_id}" if problem_id else ""),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    t.add_column("#", justify="right", no_wrap=True)
    t.add_column("when (UTC)", no_wrap=True)
    if not problem_id:
        t.add_column("problem", overflow="fold")
    t.add_column("mode", no_wrap=True)
    t.add_column("verdict", min_width=8)
    for col in ("tests", "clock", "judged", "speed") if wide else ("tests", "clock", "speed"):
        t.add_column(col, justify="right", no_wrap=True)
    for a in items:
        colour = "green" if a.verdict == "accepted" else "red"
        ratio = a.perf.get("ratio") if a.perf else None
        when = a.created_at.astimezone(dt.UTC) if a.created_at.tzinfo else a.created_at
        cells = [str(a.id), when.strftime("%Y-%m-%d %H:%M" if wide else "%m-%d %H:%M")]
        cells += [] if problem_id else [a.problem_id]
        cells += [a.mode, f"[{colour}]{a.verdict_label}[/]", f"{a.passed}/{a.total}", _minutes(a.elapsed_s)]
        cells += [_ms(a.latency_ms)] if wide else []
        t.add_row(*cells, "—" if ratio is None else f"{ratio:.2f}×")
    out.print(t)
    out.print(
        "[dim]clock: your time on the problem (--elapsed); speed: your time / the reference's on the larger input.[/]"
    )


from loopprep.cli.code_check_cmd import check_cmd, protections_cmd  # noqa: E402 - they use the helpers above
from loopprep.cli.code_replay_cmd import replay_cmd  # noqa: E402
from loopprep.cli.code_watch_cmd import watch_cmd  # noqa: E402

code_app.command("check")(check_cmd)
code_app.command("protections")(protections_cmd)
code_app.command("watch")(watch_cmd)
code_app.command("replay")(replay_cmd)
