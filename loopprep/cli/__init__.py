"""The ``loopprep`` command line.

``main`` answers a bare ``loopprep --help`` from :mod:`loopprep.cli.root_help` without importing
Typer or any command module (the start-up target is six bare interpreter starts); every other
invocation goes to the Typer app in :mod:`loopprep.cli.root`, imported on first use.
"""

from __future__ import annotations

import os
import sys

HELP_FLAGS = ("--help", "-h")


def _help_width() -> int:
    """The width click would wrap the help to (its formatter: min(terminal, 80) - 2, at least 50)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 80
        except (AttributeError, ValueError, OSError):
            columns = 80
    return max(min(columns, 80) - 2, 50)


def main() -> None:
    if len(sys.argv) == 2 and sys.argv[1] in HELP_FLAGS and _help_width() == 78:
        from loopprep.cli.root_help import ROOT_HELP

        sys.stdout.write(ROOT_HELP)
        sys.stdout.flush()
        return
    from loopprep.cli.root import app_for

    app_for(sys.argv[1:])()


def __getattr__(name: str) -> object:  # `from loopprep.cli import app` keeps working, lazily
    if name == "app":
        from loopprep.cli.root import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
