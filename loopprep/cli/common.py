"""Shared CLI plumbing: settings with overrides, error printing, JSON output."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer

if TYPE_CHECKING:
    from pydantic import BaseModel
    from rich.console import Console

    from loopprep.services.content import ContentBank
    from loopprep.services.context import AppContext
    from loopprep.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """Per-invocation state: CLI overrides, and the settings/context built from them lazily."""

    def __init__(self, overrides: dict[str, Any]) -> None:
        self.overrides = overrides
        self._settings: Settings | None = None
        self._ctx: AppContext | None = None
        self._indexed = False

    def settings(self) -> Settings:
        if self._settings is None:
            from pydantic import ValidationError
            from pydantic_settings import SettingsError

            from loopprep.errors import LoopprepError
            from loopprep.settings import Settings

            try:
                self._settings = Settings(**self.overrides)
            except SettingsError as exc:  # a value the environment source cannot parse (a list not JSON)
                name = str(exc).split('field "', 1)[-1].split('"', 1)[0]
                raise LoopprepError(
                    f"Setting '{name}' is invalid: LOOPPREP_{name.upper()} could not be read.",
                    f"Fix LOOPPREP_{name.upper()}; a list setting is JSON, e.g. '[\"seccomp\"]'.",
                ) from None
            except ValidationError as exc:
                err = exc.errors(include_url=False)[0]
                name = str(err["loc"][0]) if err["loc"] else "?"
                raise LoopprepError(
                    f"Setting '{name}' is invalid: {err['msg']} (got {err.get('input')!r}).",
                    f"Fix LOOPPREP_{name.upper()} or the matching command-line option; "
                    "`loopprep settings --help` lists them.",
                ) from None
        return self._settings

    def bank(self) -> ContentBank:
        if self._ctx is not None:
            return self._ctx.bank
        from loopprep.services.context import load_content

        return load_content(self.settings())

    def context(self, *, index: bool = False) -> AppContext:
        """The context, opened once; ``index=True`` also brings the search index up to date (only
        `search` reads it, and checking it costs a pass over the whole content)."""
        if self._ctx is None:
            from loopprep.services.context import open_context

            self._ctx = open_context(self.settings(), index=index)
        elif index and not self._indexed:
            from loopprep.services.search import ensure_index

            ensure_index(self._ctx)
        self._indexed = self._indexed or index
        return self._ctx

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.engine.dispose()
            self._ctx = None
            self._indexed = False


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if obj is None:  # invoked without the root callback (tests calling a sub-app)
        obj = ctx.find_root().obj = State({})
    return obj  # type: ignore[no-any-return]


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    # Errors are not hard-wrapped, so a path or a hint stays on one line (and greppable).
    return Console(stderr=stderr, highlight=False, soft_wrap=stderr)


def fail(message: str, hint: str = "") -> None:
    err = console(stderr=True)
    err.print(f"[bold red]Error:[/] {message}", markup=True)
    if hint:
        err.print(f"[yellow]{hint}[/]", markup=True)
    raise typer.Exit(1)


def handles_errors(fn: F) -> F:
    """Turn a LoopprepError (and a broken pipe) into a clear message and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from loopprep.errors import LoopprepError

        try:
            return fn(*args, **kwargs)
        except LoopprepError as exc:
            fail(exc.message, exc.hint)
        except BrokenPipeError:  # `loopprep ... | head`
            sys.stderr.close()
        finally:
            for a in list(args) + list(kwargs.values()):
                if isinstance(a, typer.Context) and isinstance(a.find_root().obj, State):
                    a.find_root().obj.close()
        return None

    return wrapper  # type: ignore[return-value]


def print_json(model: BaseModel | dict[str, Any] | list[Any]) -> None:
    if hasattr(model, "model_dump_json"):
        typer.echo(model.model_dump_json(indent=2))
    else:
        import json

        typer.echo(json.dumps(model, indent=2, default=str))


JSON_HELP = "Print the result as JSON (the same shape as the web app's /api)."


# Groups whose commands are built only when the group is used: typer builds every command of every
# group for `loopprep --help`, and these two hold many commands with many options.
GROUP_HELP = {
    "stats": "Experimentation calculators (power, intervals, SRM, corrections, CUPED, diff-in-diff, peeking), "
    "the CSV analyser and the experiment cases.",
    "code": "ML coding problems in your own editor: list, show, start, run, watch (re-run on every save), submit, "
    "replay (a failing random case), history, check, protections.",
}


def add_lazy_group(app: typer.Typer, name: str, target: str) -> None:
    """Register ``name`` as a group that imports ``target`` ("module:attribute", a Typer app) and
    builds its commands on first use."""
    from typer.core import TyperGroup

    class LazyGroup(TyperGroup):
        _loaded = False

        def _load(self) -> None:
            if self._loaded:
                return
            self._loaded = True
            import importlib

            module, attr = target.split(":")
            group = typer.main.get_command(getattr(importlib.import_module(module), attr))
            for cmd_name, command in group.commands.items():  # type: ignore[attr-defined]
                self.add_command(command, cmd_name)

        def list_commands(self, ctx: Any) -> list[str]:
            self._load()
            return super().list_commands(ctx)

        def get_command(self, ctx: Any, cmd_name: str) -> Any:
            self._load()
            return super().get_command(ctx, cmd_name)

    app.add_typer(typer.Typer(cls=LazyGroup, name=name, help=GROUP_HELP[name], no_args_is_help=True), name=name)
