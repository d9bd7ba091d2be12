"""`loopprep serve`: run the web app."""

from __future__ import annotations

from typing import Annotated

import typer

from loopprep.cli.common import console, handles_errors, state

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    def serve(
        ctx: typer.Context,
        host: Annotated[
            str | None, typer.Option(help="Address to bind (default 127.0.0.1; env LOOPPREP_HOST).")
        ] = None,
        port: Annotated[int | None, typer.Option(help="Port (default 8000; env LOOPPREP_PORT).")] = None,
        workers: Annotated[
            int | None, typer.Option(min=1, max=64, help="Worker processes (default 1; env LOOPPREP_WORKERS).")
        ] = None,
    ) -> None:
        """Start the web app (creating and migrating the database on first start)."""
        import os

        import uvicorn

        from loopprep.services.context import open_context
        from loopprep.web.app import create_app

        st = state(ctx)
        for key, value in (("host", host), ("port", port), ("workers", workers)):
            if value is not None:
                st.overrides[key] = value
        st._settings = None
        settings = st.settings()
        out = console()
        if settings.host not in LOOPBACK:
            out.print(
                f"[yellow]Warning:[/] binding to {settings.host} exposes loopprep beyond this machine, "
                "and loopprep has no user accounts yet. Anyone who can reach it can read and change your data."
            )
        app_ctx = open_context(settings)  # fails here, clearly, on broken content or a newer database
        url = f"http://{settings.host}:{settings.port}"
        out.print(
            f"loopprep is running at [bold]{url}[/] (database: "
            f"{app_ctx.engine.url.render_as_string(hide_password=True)}). Press Ctrl+C to stop.",
            soft_wrap=True,
        )
        if settings.workers == 1:
            uvicorn.run(
                create_app(settings, context=app_ctx),
                host=settings.host,
                port=settings.port,
                log_level="warning",
                access_log=False,
            )
            return
        app_ctx.engine.dispose()
        for name, value in st.overrides.items():
            os.environ[f"LOOPPREP_{name.upper()}"] = str(value)
        uvicorn.run(
            "loopprep.web.app:app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level="warning",
            access_log=False,
        )
