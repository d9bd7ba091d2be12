"""`loopprep estimate ...`: the calculators (each with --json), presets, the audit and drills.

The calculator commands are generated from the service's parameter models, so the CLI options,
the web form fields and the /api query parameters are the same names (``--dau`` = ``dau``).
"""

from __future__ import annotations

import inspect
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    # typer vendors click (typer._click); TyperGroup's methods take and return those classes, and
    # `click` itself is not a dependency of loopprep (it was only present through uvicorn).
    from typer._click.core import Command, Context

from loopprep.cli.common import JSON_HELP, console, handles_errors, print_json, state

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_HELP)]

# name -> (calculator id, help).  Imported lazily: the service pulls in pydantic and SQLAlchemy.
COMMANDS = {
    "qps": "Average and peak QPS (and tokens/s) from daily users.",
    "inflight": "Little's law: requests in flight from arrival rate and MEAN latency.",
    "gpus": "GPUs for a serving load, with headroom, rounded up to whole TP replicas.",
    "weights": "Weights memory of a model in a dtype (per GPU under TP).",
    "kv": "KV cache per token, per request and per batch (per GPU under TP).",
    "kv-budget": "Memory left for the KV cache after weights, vLLM's memory share and a reserve "
    "(80 GB read as 80 GiB); max tokens and requests.",
    "roofline": "Decode/prefill upper bounds on tokens/s from bandwidth and compute.",
    "train": "Training compute (6 x params x tokens) and GPU-days at an MFU.",
    "index": "Vector index memory (Flat, HNSW, IVF-Flat, IVF-PQ; Faiss per-vector costs).",
    "storage": "Log and feature-store storage with retention and replication.",
    "cost": "Cost per month from GPUs and a price per GPU-hour.",
}
MODEL_CALCS = {"weights", "kv", "kv-budget", "roofline", "train"}


def fmt(value: float | str, unit: str) -> str:
    """A value for people: bytes in both MB and MiB, counts with separators."""
    from loopprep.services.estimate import bytes_text, num

    if isinstance(value, str):
        return f"{value} {unit}".strip()
    if unit == "bytes":
        return f"{num(value)} bytes ({bytes_text(value)})" if value >= 1000 else f"{num(value)} bytes"
    return f"{num(value)} {unit}"


def print_estimate(title: str, view: Any) -> None:
    out = console()
    out.print(f"[bold]{title}[/]")
    for s in view.steps:
        out.print(f"  {s.label}", highlight=False)
        out.print(f"      {s.formula} [bold]= {fmt(s.value, s.unit)}[/]", markup=True, highlight=False)
    out.print("[bold]Result[/]")
    for name, q in view.result.items():
        out.print(f"  {name}: [bold]{fmt(q.value, q.unit)}[/]")
    for w in view.warnings:
        out.print(f"[yellow]! {w}[/]")


def _option_type(annotation: Any) -> tuple[Any, str]:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return str, " (" + ", ".join(typing.get_args(annotation)) + ")"
    return annotation, ""


def _make_command(app: typer.Typer, name: str, help_text: str) -> None:
    from loopprep.services.estimate import CALCULATORS

    calc = CALCULATORS[name]

    def command(ctx: typer.Context, **kwargs: Any) -> None:
        from loopprep.services.estimate import run
        from loopprep.services.user_models import load_config_file

        json_out = kwargs.pop("json", False)
        config: Path | None = kwargs.pop("config", None)
        extra = []
        if config is not None:
            preset = load_config_file(config)
            extra.append(preset)
            kwargs["model"] = preset.id
        view = run(state(ctx).context(), name, kwargs, extra_models=extra)
        if json_out:
            print_json(view)
        else:
            print_estimate(calc.title, view)

    params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)]
    for field, info in calc.params.model_fields.items():
        typ, choices = _option_type(info.annotation)
        flag = "--" + field.replace("_", "-")
        decl = [f"{flag}/--no-{field.replace('_', '-')}"] if typ is bool else [flag]
        params.append(
            inspect.Parameter(
                field,
                inspect.Parameter.KEYWORD_ONLY,
                default=typer.Option(info.default, *decl, help=(info.description or "") + choices),
                annotation=typ,
            )
        )
    if name in MODEL_CALCS:
        params.append(
            inspect.Parameter(
                "config",
                inspect.Parameter.KEYWORD_ONLY,
                default=typer.Option(None, "--config", help="Use a Hugging Face config.json instead of --model."),
                annotation=Path | None,
            )
        )
    params.append(
        inspect.Parameter(
            "json",
            inspect.Parameter.KEYWORD_ONLY,
            default=typer.Option(False, "--json", help=JSON_HELP),
            annotation=bool,
        )
    )
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__name__ = name.replace("-", "_")
    command.__doc__ = help_text
    app.command(name)(handles_errors(command))


class _CalculatorGroup(TyperGroup):
    """The `estimate` group: adds the calculator commands on first use, so that
    `loopprep --help` does not import the estimation service."""

    _loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        calculators = typer.Typer()
        for name, help_text in COMMANDS.items():
            _make_command(calculators, name, help_text)
        group = typer.main.get_command(calculators)
        for name, command in group.commands.items():  # type: ignore[attr-defined]
            self.add_command(command, name)

    def list_commands(self, ctx: Context) -> list[str]:
        self._load()
        return super().list_commands(ctx)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        self._load()
        return super().get_command(ctx, cmd_name)


def register(app: typer.Typer) -> None:  # noqa: C901 - the sub-app's commands, kept together
    sub = typer.Typer(
        cls=_CalculatorGroup,
        name="estimate",
        help="Exact napkin math for ML and LLM systems, with the working shown; timed drills.",
        no_args_is_help=True,
    )
    app.add_typer(sub, name="estimate")

    @sub.command("models")
    @handles_errors
    def models(
        ctx: typer.Context,
        config: Annotated[
            Path | None, typer.Option("--config", help="Also show a model from a Hugging Face config.json.")
        ] = None,
        add: Annotated[
            str | None,
            typer.Option("--add", help="Save the --config model as user-NAME for every calculator and the web."),
        ] = None,
        json: JsonOpt = False,
    ) -> None:
        """Model presets with their parameter counts (computed from the config) and sources."""
        from rich.table import Table

        from loopprep.errors import InvalidInput
        from loopprep.services.estimate import list_presets, num
        from loopprep.services.user_models import add_user_model, load_config_file

        extra = [load_config_file(config)] if config else []
        if add is not None:
            if config is None:
                raise InvalidInput("--add needs --config FILE (the config.json to save).", field="config")
            saved = add_user_model(state(ctx).context(), add, config.read_text(encoding="utf-8"))
            console(stderr=True).print(f"Saved {saved.id}: use --model {saved.id}.")
            extra = []
        view = list_presets(state(ctx).context(), extra=extra)
        if json:
            print_json(
                {
                    "models": [m.model_dump(mode="json") for m in view.models],
                    "parameter_formula": view.parameter_formula,
                }
            )
            return
        t = Table(
            "id",
            "layers",
            "hidden",
            "heads/KV",
            "head_dim",
            "FFN",
            "vocab",
            "window",
            "params",
            "KV bytes/token (BF16)",
        )
        for m in view.models:
            params = f"{m.parameters / 1e9:.2f}B"
            if m.active_parameters != m.parameters:
                params += f" ({m.active_parameters / 1e9:.2f}B active)"
            t.add_row(
                m.id,
                str(m.layers),
                num(m.hidden),
                f"{m.heads}/{m.kv_heads}",
                str(m.head_dim),
                num(m.ffn),
                num(m.vocab),
                f"{num(m.sliding_window)} on {m.local_layers}" if m.sliding_window else "-",
                params,
                num(m.kv_bytes_per_token_bf16),
            )
        out = console()
        if out.width >= 110:
            out.print(t)
        else:  # too narrow for the table: one line per model
            for m in view.models:
                window = f", window {num(m.sliding_window)} on {m.local_layers} layers" if m.sliding_window else ""
                active = f" ({m.active_parameters / 1e9:.2f}B active)" if m.active_parameters != m.parameters else ""
                out.print(
                    f"[bold]{m.id}[/]: {m.layers} layers, hidden {num(m.hidden)}, {m.heads}/{m.kv_heads} heads/KV, "
                    f"head_dim {m.head_dim}, FFN {num(m.ffn)}, vocab {num(m.vocab)}{window}; "
                    f"{m.parameters / 1e9:.2f}B params{active}; KV {num(m.kv_bytes_per_token_bf16)} bytes/token (BF16)"
                )
        out.print(f"[dim]Parameters: {view.parameter_formula}[/]")
        for m in view.models:
            out.print(f"[dim]{m.id}: {m.source.title} <{m.source.url}>[/]")

    @sub.command("gpus-list")
    @handles_errors
    def gpus_list(ctx: typer.Context, json: JsonOpt = False) -> None:
        """Accelerator presets (memory in bytes both ways, bandwidth, dense BF16/FP8/INT8/FP4) and dtypes."""
        from rich.table import Table

        from loopprep.services.estimate import list_presets, num

        view = list_presets(state(ctx).context())
        if json:
            print_json(
                {
                    "gpus": [g.model_dump(mode="json") for g in view.gpus],
                    "dtypes": [d.model_dump(mode="json") for d in view.dtypes],
                }
            )
            return
        t = Table(
            "id",
            "name",
            "memory",
            "bytes (GiB, default)",
            "bytes (GB)",
            "bandwidth",
            "BF16 dense",
            "FP8 dense",
            "INT8 dense",
            "FP4 dense",
        )
        for g in view.gpus:
            t.add_row(
                g.id,
                g.name,
                f"{num(g.memory_gb)} GB",
                num(g.memory_bytes_binary),
                num(g.memory_bytes_decimal),
                f"{num(g.bandwidth_gbs)} GB/s",
                f"{num(g.bf16_tflops)} TFLOP/s",
                f"{num(g.fp8_tflops)} TFLOP/s" if g.fp8_tflops else "none",
                f"{num(g.int8_tops)} TOP/s" if g.int8_tops else "none",
                f"{num(g.fp4_tflops)} TFLOP/s" if g.fp4_tflops else "none",
            )
        out = console()
        out.print(t)
        d = Table("dtype", "name", "bytes/element", "multiply rate")
        for x in view.dtypes:
            rate = f"{x.rate.upper()} with {x.activation} activations" if x.activation else "BF16 (weight-only)"
            d.add_row(x.id, x.name, num(x.bytes), rate if x.bytes < 2 else x.rate.upper())
        out.print(d)
        for g in view.gpus:
            out.print(f"[dim]{g.id}: {g.source.title} <{g.source.url}>{' ' + g.note if g.note else ''}[/]")

    # The calculator commands are built from the service's parameter models, which is slow to
    # import; _CalculatorGroup builds them only when the `estimate` group itself is used.

    @sub.command("check")
    @handles_errors
    def check(json: JsonOpt = False) -> None:
        """Check the numbers: the chapter's worked estimation example, claim by claim."""
        from loopprep.services.estimate import check_the_numbers

        view = check_the_numbers()
        if json:
            print_json(view)
            return
        out = console()
        colour = {"right": "green", "rough": "yellow", "wrong": "red"}
        out.print(f"[bold]Check the numbers[/]: {view.source}")
        for c in view.claims:
            out.print(f"[{colour[c.verdict]}]{c.verdict.upper():5}[/] {c.quote}")
            out.print(f"      claimed {c.claimed}; exact {c.exact}")
            out.print(f"      [dim]{c.explanation}[/]")
        out.print(", ".join(f"{n} {k}" for k, n in view.counts.items()))

    @sub.command("drill")
    @handles_errors
    def drill(
        ctx: typer.Context,
        kind: Annotated[
            str | None, typer.Option("--kind", help="Drill type (default: the type you miss most).")
        ] = None,
        seed: Annotated[int | None, typer.Option("--seed", help="Repeat a particular drill.")] = None,
        count: Annotated[int, typer.Option("--count", min=1, max=50, help="How many drills in a row.")] = 1,
        answer: Annotated[
            str | None, typer.Option("--answer", help="Answer without the prompt (needs --kind and --seed).")
        ] = None,
        json: JsonOpt = False,
    ) -> None:
        """A 60-second estimation drill in the terminal: answer, then see the reference chain."""
        import datetime as dt
        import time

        from loopprep.errors import InvalidInput
        from loopprep.services.estimate import answer_drill, new_drill, parse_answer

        c = state(ctx).context()
        out = console()
        if answer is not None:
            if kind is None or seed is None:
                raise InvalidInput("--answer needs --kind and --seed (the drill to grade).", field="answer")
            result = answer_drill(
                c, kind=kind, seed=seed, answer=parse_answer(answer), now=dt.datetime.now(dt.UTC), today=dt.date.today()
            )
            if json:
                print_json(result)
            else:
                _print_result(result)
            return
        if json:
            print_json(new_drill(c, kind=kind, seed=seed))
            return
        for i in range(count):
            d = new_drill(c, kind=kind, seed=seed if i == 0 else None)
            out.print(f"\n[bold]{d.title}[/] (drill {d.kind} #{d.seed}; {d.seconds} s)")
            out.print(d.question)
            out.print("[dim]Apply: " + "; ".join(d.factors) + f". Answer in {d.unit}.[/]")
            start = time.monotonic()
            while True:
                text = typer.prompt("Your answer", default="", show_default=False)
                if not text.strip():
                    out.print("[yellow]Type a number (e.g. 350, 3.5e2 or 350k), or press Ctrl-C to stop.[/]")
                    continue
                try:
                    value = parse_answer(text)
                    break
                except InvalidInput as exc:
                    out.print(f"[yellow]{exc.message} {exc.hint}[/]")
            took = time.monotonic() - start
            result = answer_drill(
                c,
                kind=d.kind,
                seed=d.seed,
                answer=value,
                seconds=took,
                now=dt.datetime.now(dt.UTC),
                today=dt.date.today(),
            )
            _print_result(result)
            if took > d.seconds:
                out.print(f"[yellow]Over time: {took:.0f} s of {d.seconds}.[/]")

    @sub.command("history")
    @handles_errors
    def history(ctx: typer.Context, json: JsonOpt = False) -> None:
        """Drill accuracy by type, and your latest attempts."""
        from rich.table import Table

        from loopprep.services.estimate import drill_history

        view = drill_history(state(ctx).context())
        if json:
            print_json(view)
            return
        t = Table("type", "attempts", "exact", "good", "order", "off", "hit rate", "last 10")
        for k in view.by_kind:
            t.add_row(
                k.title,
                str(k.attempts),
                str(k.exact),
                str(k.good),
                str(k.order),
                str(k.off),
                "-" if k.hit_rate is None else f"{k.hit_rate * 100:.0f} %",
                "-" if k.recent_hit_rate is None else f"{k.recent_hit_rate * 100:.0f} %",
            )
        out = console()
        out.print(t)
        for w in view.by_week:
            out.print(
                f"Week of {w.week:%d %b %Y}: {w.attempts} drills, {w.hit_rate * 100:.0f} % hit, median ratio "
                f"{w.median_ratio:.2f}x"
            )
        out.print(f"Next drill: {view.next_kind} ({view.total} attempts in all)")


def _print_result(result: Any) -> None:
    from loopprep.services.estimate import num

    out = console()
    colour = {"exact": "green", "good": "green", "order": "yellow", "off": "red"}[result.grade]
    out.print(
        f"[{colour}]{result.grade_label}[/]: you said {num(result.answer)}, the reference is "
        f"{num(result.truth)} {result.unit} (ratio {num(result.ratio, 3)})."
    )
    if result.diagnosis:
        out.print(f"[yellow]{result.diagnosis}[/]")
    if result.plan_task_done:
        out.print(f"[green]Plan task {result.plan_task_done} marked done.[/]")
    for s in result.steps:
        out.print(f"  {s.label}: {s.formula} = {fmt(s.value, s.unit)}", highlight=False)
