"""`loopprep stats ...`: the experimentation calculators, the CSV analyser and the cases."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loopprep.cli.common import GROUP_HELP, JSON_HELP, console, handles_errors, print_json, state

if TYPE_CHECKING:
    from loopprep.services.stats import StatsAnswer

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
F = Annotated[float | None, typer.Option()]

stats_app = typer.Typer(
    name="stats",
    help=GROUP_HELP["stats"],
    no_args_is_help=True,
)


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.6g}"
    if isinstance(v, int):
        return f"{v:,}"
    return "—" if v is None else str(v)


def show(answer: StatsAnswer, json: bool) -> None:
    """Print an answer: the words, the figures, the method, the alternatives, the steps."""
    if json:
        print_json(answer)
        return
    from rich.table import Table

    out = console()
    out.print(f"[bold]{answer.summary}[/]")
    out.print(f"[dim]Method: {answer.method}[/]")
    t = Table(show_header=True)
    t.add_column("result")
    t.add_column("value", justify="right")
    t.add_column("unit")
    for k, v in answer.result.items():
        t.add_row(k, _fmt(v.value), v.unit)
    out.print(t)
    for alt in answer.alternatives:
        figures = ", ".join(f"{k} {_fmt(v.value)}" for k, v in list(alt.result.items())[:4])
        out.print(f"[cyan]Alternative[/] {alt.method}: {figures}")
    if answer.steps:
        out.print("[bold]Steps[/]")
        for s in answer.steps:
            val = f" = {_fmt(s.value)}" if s.value not in ("", None) else ""
            out.print(f"  {s.label}: {s.formula}{val}")
    for w in answer.warnings:
        out.print(f"[yellow]Warning:[/] {w}")


def _run(name: str, json: bool, **raw: Any) -> None:
    from loopprep.services.stats import calculate

    show(calculate(name, {k: v for k, v in raw.items() if v is not None}), json)


Metric = Annotated[str, typer.Option(help="proportion (0/1 outcome) or mean.")]
Method = Annotated[str, typer.Option(help="pooled (default), arcsine or baseline (Evan Miller).")]
Sided = Annotated[int, typer.Option(help="1 or 2 sided test.")]
Ratio = Annotated[float, typer.Option(help="Treatment size / control size.")]
OneSample = Annotated[bool, typer.Option("--one-sample", help="One-sample (or paired) t-test.")]


@stats_app.command("sample-size")
@handles_errors
def sample_size(
    metric: Metric = "proportion",
    baseline: Annotated[float | None, typer.Option(help="Control rate, 0-1 (proportions).")] = None,
    target: Annotated[float | None, typer.Option(help="Treatment rate to detect, 0-1.")] = None,
    relative: Annotated[float | None, typer.Option(help="Or a relative lift (0.1 = +10 %).")] = None,
    effect: Annotated[float | None, typer.Option(help="Difference in means (means).")] = None,
    sd: Annotated[float | None, typer.Option(help="Standard deviation (means).")] = None,
    d: Annotated[float | None, typer.Option(help="Or Cohen's d (means).")] = None,
    alpha: float = 0.05,
    power: float = 0.8,
    sided: Sided = 2,
    ratio: Ratio = 1.0,
    method: Method = "pooled",
    one_sample: OneSample = False,
    json: JsonOpt = False,
) -> None:
    """Users per arm to detect an effect."""
    _run(
        "sample-size",
        json,
        metric=metric,
        baseline=baseline,
        target=target,
        relative=relative,
        effect=effect,
        sd=sd,
        d=d,
        alpha=alpha,
        power=power,
        sided=sided,
        ratio=ratio,
        method=method,
        one_sample=one_sample,
    )


@stats_app.command("power")
@handles_errors
def power_cmd(
    n: Annotated[float | None, typer.Option(help="Users in the control arm (or the one sample).")] = None,
    metric: Metric = "proportion",
    baseline: F = None,
    target: F = None,
    relative: F = None,
    effect: F = None,
    sd: F = None,
    d: F = None,
    alpha: float = 0.05,
    sided: Sided = 2,
    ratio: Ratio = 1.0,
    method: Method = "pooled",
    one_sample: OneSample = False,
    json: JsonOpt = False,
) -> None:
    """Power of a test with n users per arm."""
    _run(
        "power",
        json,
        n=n,
        metric=metric,
        baseline=baseline,
        target=target,
        relative=relative,
        effect=effect,
        sd=sd,
        d=d,
        alpha=alpha,
        sided=sided,
        ratio=ratio,
        method=method,
        one_sample=one_sample,
    )


@stats_app.command("mde")
@handles_errors
def mde_cmd(
    n: Annotated[float | None, typer.Option(help="Users in the control arm (or the one sample).")] = None,
    metric: Metric = "proportion",
    baseline: F = None,
    sd: F = None,
    alpha: float = 0.05,
    power: float = 0.8,
    sided: Sided = 2,
    ratio: Ratio = 1.0,
    method: Method = "pooled",
    one_sample: OneSample = False,
    json: JsonOpt = False,
) -> None:
    """The minimum detectable effect (absolute and relative) with n users per arm."""
    _run(
        "mde",
        json,
        n=n,
        metric=metric,
        baseline=baseline,
        sd=sd,
        alpha=alpha,
        power=power,
        sided=sided,
        ratio=ratio,
        method=method,
        one_sample=one_sample,
    )


@stats_app.command("ci")
@handles_errors
def ci_cmd(
    kind: Annotated[str, typer.Option(help="diff-proportions, welch, binomial or ratio.")] = "diff-proportions",
    method: Annotated[str, typer.Option(help="newcombe (default), wald or mn (Miettinen-Nurminen).")] = "newcombe",
    x1: F = None,
    n1: F = None,
    x2: F = None,
    n2: F = None,
    x: F = None,
    n: F = None,
    p0: float = 0.5,
    mean1: F = None,
    sd1: F = None,
    mean2: F = None,
    sd2: F = None,
    confidence: float = 0.95,
    json: JsonOpt = False,
) -> None:
    """Confidence intervals: difference of proportions, Welch, exact binomial, ratio of means."""
    _run(
        "ci",
        json,
        kind=kind,
        method=method,
        x1=x1,
        n1=n1,
        x2=x2,
        n2=n2,
        x=x,
        n=n,
        p0=p0,
        mean1=mean1,
        sd1=sd1,
        mean2=mean2,
        sd2=sd2,
        confidence=confidence,
    )


@stats_app.command("srm")
@handles_errors
def srm_cmd(
    counts: Annotated[str, typer.Option(help="Units per arm, comma-separated, e.g. 50000,51000.")],
    split: Annotated[str | None, typer.Option(help="Planned split, e.g. 50,50 (default equal).")] = None,
    threshold: Annotated[float, typer.Option(help="Flag SRM when p is below this.")] = 0.001,
    json: JsonOpt = False,
) -> None:
    """Sample ratio mismatch: chi-square test of the arm sizes against the planned split."""
    _run("srm", json, counts=counts, split=split, threshold=threshold)


@stats_app.command("adjust")
@handles_errors
def adjust_cmd(
    pvalues: Annotated[str, typer.Option(help="Comma-separated p-values.")],
    alpha: float = 0.05,
    method: Annotated[str, typer.Option(help="holm (default), bonferroni, bh or by.")] = "holm",
    json: JsonOpt = False,
) -> None:
    """Adjusted p-values and rejections for several tests."""
    _run("adjust", json, pvalues=pvalues, alpha=alpha, method=method)


@stats_app.command("cuped")
@handles_errors
def cuped_cmd(
    rho: Annotated[float, typer.Option(help="Correlation of the metric with its pre-period value.")],
    n: Annotated[float | None, typer.Option(help="Users per arm without CUPED.")] = None,
    json: JsonOpt = False,
) -> None:
    """What CUPED saves: the variance factor 1 - rho^2 and the users needed."""
    _run("cuped", json, rho=rho, n=n)


@stats_app.command("did")
@handles_errors
def did_cmd(
    ctx: typer.Context,
    treat_pre: F = None,
    treat_post: F = None,
    control_pre: F = None,
    control_post: F = None,
    se_treat_pre: F = None,
    se_treat_post: F = None,
    se_control_pre: F = None,
    se_control_post: F = None,
    panel: Annotated[
        Path | None, typer.Option(help="A CSV with columns unit,treated,post,y: regression with clustered SEs.")
    ] = None,
    confidence: float = 0.95,
    json: JsonOpt = False,
) -> None:
    """Difference-in-differences from four means, or from panel data with a standard error."""
    if panel is not None:
        from loopprep.services.stats_analysis import did_from_csv

        show(did_from_csv(panel, confidence=confidence), json)
        return
    _run(
        "did",
        json,
        treat_pre=treat_pre,
        treat_post=treat_post,
        control_pre=control_pre,
        control_post=control_post,
        se_treat_pre=se_treat_pre,
        se_treat_post=se_treat_post,
        se_control_pre=se_control_pre,
        se_control_post=se_control_post,
        confidence=confidence,
    )


@stats_app.command("peeking")
@handles_errors
def peeking_cmd(
    baseline: float = 0.1,
    users_per_day: int = 1000,
    days: int = 14,
    alpha: float = 0.05,
    simulations: int = 2000,
    seed: int = 7,
    json: JsonOpt = False,
) -> None:
    """Simulate daily peeking at an A/A test, and a valid sequential alternative (mSPRT)."""
    _run(
        "peeking",
        json,
        baseline=baseline,
        users_per_day=users_per_day,
        days=days,
        alpha=alpha,
        simulations=simulations,
        seed=seed,
    )


@stats_app.command("analyze")
@handles_errors
def analyze_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            help="The experiment CSV: unit id, variant, metrics, pre_*; text and segment_* columns are segments."
        ),
    ],
    control: Annotated[str, typer.Option(help="The control variant's label.")] = "control",
    variant_col: Annotated[str, typer.Option(help="The variant column.")] = "variant",
    unit_col: Annotated[str | None, typer.Option(help="The unit id column (default: the first).")] = None,
    split: Annotated[str | None, typer.Option(help="Planned split, control first, e.g. 50,50.")] = None,
    threshold: Annotated[float, typer.Option(help="SRM threshold.")] = 0.001,
    adjust: Annotated[str, typer.Option(help="Correction across metrics: holm, bonferroni, bh or by.")] = "holm",
    json: JsonOpt = False,
) -> None:
    """Analyse an experiment CSV: SRM first, then effects, CUPED, segments, corrections."""
    from loopprep.services.stats_analysis import analyse_csv

    if json:
        ans = analyse_csv(
            file,
            control=control,
            variant_col=variant_col,
            unit_col=unit_col,
            split=split,
            threshold=threshold,
            adjust=adjust,
        )
        print_json(ans)
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(f"Reading {file.name}", total=file.stat().st_size if file.is_file() else None)
        ans = analyse_csv(
            file,
            control=control,
            variant_col=variant_col,
            unit_col=unit_col,
            split=split,
            threshold=threshold,
            adjust=adjust,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    _print_analysis(ans)


def _print_analysis(ans: Any) -> None:
    from rich.table import Table

    out = console()
    r = ans.report
    colour = "red" if r.srm else "green"
    out.print(f"[bold {colour}]{r.verdict}[/]")
    out.print(f"[dim]{r.rows:,} rows · " + " · ".join(f"{v}: {n:,}" for v, n in r.counts.items()) + "[/]")
    out.print(f"SRM: {r.srm_verdict}")
    t = Table(title="Effects (treatment - control)")
    for col in ("metric", "variant", "control", "treatment", "effect", "interval", "p", "p adjusted", "CUPED effect"):
        t.add_column(col, justify="left" if col in ("metric", "variant") else "right")
    for e in r.effects:
        cu = "—" if e.cuped_effect is None else f"{e.cuped_effect:+.4g} [{e.cuped_lower:+.4g}, {e.cuped_upper:+.4g}]"
        t.add_row(
            e.metric,
            e.variant,
            f"{e.mean_control:.4g}",
            f"{e.mean_treatment:.4g}",
            f"{e.effect:+.4g}",
            f"[{e.lower:+.4g}, {e.upper:+.4g}]",
            f"{e.p_value:.3g}",
            _fmt(e.p_adjusted),
            cu,
        )
    out.print(t)
    if r.segment_effects:
        s = Table(title="Segments: " + ", ".join(r.segments) + " (text and segment_ columns)")
        for col in ("segment", "metric", "variant", "effect", "interval", "p"):
            s.add_column(col)
        for e in r.segment_effects:
            s.add_row(
                f"{e.segment}={e.segment_value}",
                e.metric,
                e.variant,
                f"{e.effect:+.4g}",
                f"[{e.lower:+.4g}, {e.upper:+.4g}]",
                f"{e.p_value:.3g}",
            )
        out.print(s)
    for w in ans.warnings:
        out.print(f"[yellow]Warning:[/] {w}")


@stats_app.command("cases")
@handles_errors
def cases_cmd(
    ctx: typer.Context,
    case_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="A case id (see the list).")] = None,
    json: JsonOpt = False,
) -> None:
    """The experimentation cases, or one case in full (prompt, sub-questions, checklist)."""
    from loopprep.services.stats_cases import get_case, list_cases

    app_ctx = state(ctx).context()
    out = console()
    if case_id is None:
        view = list_cases(app_ctx)
        if json:
            print_json(view)
            return
        for c in view.cases:
            tried = f"{c.attempts} attempt(s)" if c.attempts else "not tried"
            out.print(f"[bold]{c.title}[/]  [dim]{c.id} · {', '.join(c.pitfalls)} · {tried}[/]")
        return
    cv = get_case(app_ctx, case_id)
    if json:
        print_json(cv)
        return
    out.print(f"[bold]{cv.case.title}[/]\n")
    out.print(cv.case.prompt + "\n")
    out.print("[bold]Numeric sub-questions[/] (answer with: loopprep stats attempt " + case_id + " --numeric ID=VALUE)")
    for q in cv.numeric:
        out.print(f" • [cyan]{q.id}[/]: {q.question}")
    out.print("\n[bold]Checklist[/] (self-score with --checked 0,1,...)")
    for i, item in enumerate(cv.case.checklist):
        out.print(f" {i}. {item.area}: {item.text}")
    out.print("\n[dim]Sources: " + "; ".join(s.title for s in cv.sources) + "[/]")


@stats_app.command("attempt")
@handles_errors
def attempt_cmd(
    ctx: typer.Context,
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case id.")],
    numeric: Annotated[list[str] | None, typer.Option("--numeric", help="A sub-answer as ID=VALUE (repeat).")] = None,
    checked: Annotated[str, typer.Option(help="Checklist items you covered, e.g. 0,1,4.")] = "",
    answer_file: Annotated[Path | None, typer.Option(help="A text file with your written answer.")] = None,
    json: JsonOpt = False,
) -> None:
    """Save an attempt: numeric answers graded against the calculators, plus your self-score."""
    import datetime as dt

    from loopprep.errors import InvalidInput
    from loopprep.services.stats_cases import submit_attempt

    pairs: dict[str, str] = {}
    for item in numeric or []:
        if "=" not in item:
            raise InvalidInput(f"--numeric must look like ID=VALUE; got '{item}'.", field="numeric")
        k, v = item.split("=", 1)
        pairs[k.strip()] = v.strip()
    try:
        ticks = [int(x) for x in checked.split(",") if x.strip()]
    except ValueError:
        raise InvalidInput(
            f"--checked must be item numbers separated by commas; got '{checked}'.", field="checked"
        ) from None
    text = ""
    if answer_file is not None:
        if not answer_file.is_file():
            raise InvalidInput(f"There is no file at {answer_file}.", field="answer_file")
        text = answer_file.read_text(encoding="utf-8")
    res = submit_attempt(
        state(ctx).context(), case_id, answer=text, checked=ticks, numeric=pairs, now=dt.datetime.now(dt.UTC)
    )
    if json:
        print_json(res)
        return
    out = console()
    a = res.attempt
    out.print(
        f"[bold]Saved.[/] Numeric {a.numeric_correct}/{a.numeric_total} correct · checklist "
        f"{len(a.checked)}/{a.checklist_total} covered."
    )
    for g in res.graded:
        said = "not answered" if g.given is None else f"you said {_fmt(g.given)}"
        mark = "[green]correct[/]" if g.correct else "[red]not within tolerance[/]"
        out.print(f" • {g.id}: {said}; the calculator gives {_fmt(g.expected)} {g.unit} — {mark}")
