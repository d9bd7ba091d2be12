"""`loopprep profile show|set`."""

from __future__ import annotations

from typing import Annotated

import typer

from loopprep.cli.common import JSON_HELP, console, handles_errors, print_json, state

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
# What each level means (the company ladders are content, knowledge/levels.yaml; a test keeps this
# in step with it).  A literal, not domain.LEVEL_HELP, so `loopprep --help` does not import pydantic.
LEVEL_HELP = (
    "l4 (mid-level: Google L4, Meta E4, Amazon L5), l5 (senior: Google L5, Meta E5, Amazon L6) or "
    "l6-plus (staff and above: Google L6, Meta E6, Amazon L7). `loopprep bar` shows the full table."
)


def register(app: typer.Typer) -> None:
    profile = typer.Typer(help="Show or set your role, level, company types and loop date.", no_args_is_help=True)
    app.add_typer(profile, name="profile")

    def _print(view: object) -> None:
        out = console()
        p = view.profile  # type: ignore[attr-defined]
        if p is None:
            out.print(
                "No profile yet. Set one with: loopprep profile set --role ml-engineer --level l5 "
                "--company faang --loop-date YYYY-MM-DD"
            )
            return
        out.print(f"Role:            {view.role_name} ({p.role.value})")  # type: ignore[attr-defined]
        out.print(f"Level:           {view.level_name}")  # type: ignore[attr-defined]
        out.print(f"Company types:   {', '.join(view.company_names)}")  # type: ignore[attr-defined]
        out.print(f"Loop date:       {p.loop_date.isoformat()} ({view.days_to_loop} days from today)")  # type: ignore[attr-defined]
        out.print(f"Target companies: {', '.join(p.target_companies) or '—'}")

    @profile.command("show")
    @handles_errors
    def show(ctx: typer.Context, json: JsonOpt = False) -> None:
        """Show your profile."""
        import datetime as dt

        from loopprep.services.profile import show_profile

        view = show_profile(state(ctx).context(), today=dt.date.today())
        print_json(view) if json else _print(view)

    @profile.command("set")
    @handles_errors
    def set_(
        ctx: typer.Context,
        role: Annotated[str | None, typer.Option(help="ml-engineer, ai-llm-engineer or data-scientist.")] = None,
        level: Annotated[str | None, typer.Option(help=LEVEL_HELP)] = None,
        company: Annotated[
            list[str] | None,
            typer.Option(
                "--company",
                "-c",
                help="A company type (repeat for several): faang, ai-first-lab, product-company, startup.",
            ),
        ] = None,
        loop_date: Annotated[str | None, typer.Option(help="First day of the loop, YYYY-MM-DD.")] = None,
        target: Annotated[
            list[str] | None, typer.Option("--target", "-t", help="A target company name (repeat for several).")
        ] = None,
        clear_targets: Annotated[bool, typer.Option(help="Remove all target company names.")] = False,
        json: JsonOpt = False,
    ) -> None:
        """Set your profile. The first time, --role, --level, --company and --loop-date are
        needed; later, give only what changes."""
        import datetime as dt

        from loopprep.services.profile import set_profile, show_profile

        changes: dict[str, object] = {"role": role, "level": level, "loop_date": loop_date}
        if company:
            changes["company_types"] = company
        if target:
            changes["target_companies"] = target
        elif clear_targets:
            changes["target_companies"] = []
        app_ctx = state(ctx).context()
        set_profile(app_ctx, changes, today=dt.date.today(), now=dt.datetime.now(dt.UTC))
        view = show_profile(app_ctx, today=dt.date.today())
        if json:
            print_json(view)
        else:
            console().print("[green]Profile saved.[/]")
            _print(view)
