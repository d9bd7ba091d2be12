"""Knowledge-base commands: dashboard, rounds, bar, companies, roles, frameworks, search, settings."""

from __future__ import annotations

from typing import Annotated

import typer

from loopprep.cli.common import JSON_HELP, console, handles_errors, print_json, state

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


def _range(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}–{hi}"


def register(app: typer.Typer) -> None:  # noqa: C901 - one function per command, kept together
    @app.command()
    @handles_errors
    def dashboard(ctx: typer.Context, json: JsonOpt = False) -> None:
        """Days to your loop and where to spend your depth."""
        import datetime as dt

        from rich.table import Table

        from loopprep.services.dashboard import dashboard as build

        view = build(state(ctx).context(), today=dt.date.today())
        if json:
            print_json(view)
            return
        out = console()
        p = view.profile
        if p.profile is None:
            out.print(
                "No profile yet. Set one with [bold]loopprep profile set[/] (or open the web app: loopprep serve)."
            )
            return
        days = p.days_to_loop or 0
        head = (
            f"{days} day{'s' if days != 1 else ''} to your loop"
            if days > 0
            else ("Your loop is today" if days == 0 else "Your loop date has passed")
        )
        out.print(f"[bold]{head}[/] ({p.profile.loop_date:%a %d %b %Y})")
        out.print(f"{p.role_name} · {p.level_name} · {', '.join(p.company_names)}")
        if view.weights:
            t = Table(title="Where to spend your depth", show_lines=False)
            t.add_column("Round")
            t.add_column("Share", justify="right")
            t.add_column("Why", overflow="fold")
            for w in view.weights.items:
                t.add_row(w.title, f"{w.percent} %", w.reason)
            out.print(t)
        for cw in view.content_warnings:
            out.print(f"[yellow]Skipped your content:[/] {cw.file}: {cw.message}")

    @app.command()
    @handles_errors
    def rounds(
        ctx: typer.Context,
        round_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="A round id, e.g. ml-coding.")] = None,
        json: JsonOpt = False,
    ) -> None:
        """The five rounds (or one of them in full)."""
        from loopprep.services import knowledge

        bank = state(ctx).bank()
        out = console()
        if round_id is None:
            view = knowledge.list_rounds(bank)
            if json:
                print_json(view)
                return
            for rs in view.rounds:
                freq = "; ".join(f"{_range(f.min, f.max)} {f.where}" for f in rs.frequency)
                out.print(f"[bold]{rs.number:02d} {rs.title}[/]  [dim]{rs.id.value}[/]")
                out.print(f"   {rs.tagline}")
                out.print(
                    f"   [dim]{_range(rs.duration.min, rs.duration.max)} min · {freq} · from {rs.from_level.label}[/]"
                )
            return
        rv = knowledge.get_round(bank, round_id)
        if json:
            print_json(rv)
            return
        r = rv.round
        out.print(f"[bold]{r.title}[/] — {r.tagline}")
        out.print(
            f"[dim]{_range(r.duration.min, r.duration.max)} min · "
            + "; ".join(f"{_range(f.min, f.max)} {f.where}" for f in r.frequency)
            + f" · from {r.from_level.label}[/]\n"
        )
        out.print(r.summary + "\n")
        out.print("[bold]What it tests[/]")
        for f in r.focus_areas:
            out.print(f" • [bold]{f.title}[/]: {f.detail}")
        out.print("\n[bold]By level[/]")
        for e in r.expectations:
            out.print(f" • {'/'.join(lv.label for lv in e.levels)}: {e.text}")
        if rv.roles:
            out.print("\n[bold]By role[/]")
            for u in rv.roles:
                out.print(f" • {u.name}: {u.tier.value} ({u.rounds_per_loop})")

    @app.command()
    @handles_errors
    def bar(ctx: typer.Context, json: JsonOpt = False) -> None:
        """The bar by level, and which company levels are L4, L5 and L6+."""
        from rich.table import Table

        from loopprep.services import knowledge

        view = knowledge.get_bar(state(ctx).bank())
        if json:
            print_json(view)
            return
        out = console()
        lv = view.levels
        out.print(lv.intro)
        levels = Table(title="Levels", show_lines=True)
        levels.add_column("Company", style="bold")
        for row in lv.rows:
            levels.add_column(row.name, overflow="fold")
        levels.add_row("What it means", *(row.meaning for row in lv.rows))
        for i, company in enumerate(lv.companies):
            levels.add_row(company, *(row.ladders[i].titles for row in lv.rows))
        out.print(levels)
        out.print(f"[dim]{lv.note}[/]\n")
        names = {row.level: row.name for row in lv.rows}
        out.print(view.intro)
        t = Table(show_lines=True)
        t.add_column("Dimension", style="bold")
        for s in view.sides:
            t.add_column(f"{s.name} ({', '.join(names[lv] for lv in s.levels)})", overflow="fold")
        for d in view.dimensions:
            t.add_row(d.name, d.execution, d.strategy)
        out.print(t)
        out.print(f"[bold]{view.biggest_shift.title}[/]\n{view.biggest_shift.body}")

    @app.command()
    @handles_errors
    def companies(ctx: typer.Context, json: JsonOpt = False) -> None:
        """How each kind of company weights the rounds."""
        from loopprep.services import knowledge

        view = knowledge.list_companies(state(ctx).bank())
        if json:
            print_json(view)
            return
        out = console()
        for c in view.companies:
            out.print(f"\n[bold]{c.name}[/]  [dim]{c.id.value} · {', '.join(c.examples)}[/]")
            for e in c.emphases:
                label = f" [{e.label.replace('-', ' ')}]" if e.label else ""
                out.print(f" • [bold]{e.topic}[/]{label}: {e.detail}", markup=True)
            out.print(f" [green]Key differentiator:[/] {c.differentiator}")

    @app.command()
    @handles_errors
    def roles(ctx: typer.Context, json: JsonOpt = False) -> None:
        """Which rounds are primary, important and lighter for each role."""
        from loopprep.services import knowledge

        view = knowledge.list_roles(state(ctx).bank())
        if json:
            print_json(view)
            return
        out = console()
        for p in view.roles:
            out.print(f"\n[bold]{p.name}[/]  [dim]{p.id.value}[/] — {p.tagline}")
            for rr in p.rounds:
                out.print(f" • {rr.tier.value:<9} {view.round_titles[rr.round]} ({rr.rounds_per_loop}): {rr.detail}")
            out.print(f" [green]Focus:[/] {p.focus}")

    @app.command()
    @handles_errors
    def frameworks(
        ctx: typer.Context,
        framework_id: Annotated[
            str | None, typer.Argument(metavar="[ID]", help="A framework id, e.g. five-phases.")
        ] = None,
        json: JsonOpt = False,
    ) -> None:
        """The interview-day frameworks (or one in full)."""
        from rich.markdown import Markdown

        from loopprep.services import knowledge

        bank = state(ctx).bank()
        out = console()
        if framework_id is None:
            view = knowledge.list_frameworks(bank)
            if json:
                print_json(view)
                return
            for cat in view.categories:
                out.print(f"\n[bold]{cat.title}[/]")
                for fs in cat.frameworks:
                    out.print(f" • [bold]{fs.id}[/]: {fs.title}")
            out.print("\n[dim]loopprep frameworks ID shows one in full.[/]")
            return
        fv = knowledge.get_framework(bank, framework_id)
        if json:
            print_json(fv)
            return
        f = fv.framework
        out.print(f"[bold]{f.title}[/]  [dim]{fv.category_title}[/]\n{f.summary}\n")
        if f.body:
            out.print(Markdown(f.body))
        for g in f.groups:
            budget = f" ({g.budget_minutes} min)" if g.budget_minutes else ""
            out.print(f"\n[bold underline]{g.title}{budget}[/]")
            if g.intro:
                out.print(g.intro)
            for i in g.items:
                mins = f" [{i.minutes} min]" if i.minutes is not None else ""
                if i.split:
                    mins += f" ({', '.join(fv.split_levels[i.split])})"
                out.print(f" • [bold]{i.title}[/]{mins}: {i.detail}", markup=True)
                if i.example:
                    out.print(f"   [italic dim]{i.example}[/]")
                if i.do:
                    out.print(f"   [green]Do:[/] {i.do}")
                if i.avoid:
                    out.print(f"   [red]Avoid:[/] {i.avoid}")
        if f.decision_tree:
            out.print("\n[bold underline]Decision tree[/]")
            for n in f.decision_tree:
                out.print(f" ? {n.question}  yes → {n.yes}, no → {n.no}")

    @app.command()
    @handles_errors
    def search(
        ctx: typer.Context,
        query: Annotated[str, typer.Argument(help="Words to look for (all must match).")],
        limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many results.")] = 10,
        json: JsonOpt = False,
    ) -> None:
        """Search all content, ranked, with highlighted snippets."""
        import html
        import re

        from loopprep.services.search import search as run

        view = run(state(ctx).context(index=True), query, limit=limit)
        if json:
            print_json(view)
            return
        from loopprep.web.urls import link_url

        out = console()
        if not view.hits:
            out.print(f"Nothing matched every word of “{view.query}”. Try fewer or different words.")
            return
        for h in view.hits:
            snippet = html.unescape(
                re.sub(
                    r"</?mark>",
                    lambda m: "[/]" if m.group().startswith("</") else "[reverse]",
                    h.snippet_html.replace("[", "\\["),
                )
            )
            out.print(f"[bold]{h.title}[/]  [dim]{h.kind_title} · {link_url(h.link)}[/]")
            out.print(f"   {snippet}")

    @app.command("settings")
    @handles_errors
    def settings_cmd(ctx: typer.Context, json: JsonOpt = False) -> None:
        """Every setting with its current value and description."""
        from rich.table import Table

        from loopprep.settings import describe

        rows = describe(state(ctx).settings())
        if json:
            print_json(rows)
            return
        t = Table()
        for col in ("Setting", "Environment variable", "Value", "Description"):
            t.add_column(col, overflow="fold")
        for r in rows:
            t.add_row(r["name"], r["env"], r["value"], r["description"])
        console().print(t)
