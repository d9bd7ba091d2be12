"""`loopprep code watch`: the visible examples re-run each time a solution file is saved.

The editor-side loop of the ML coding area.  One judge stays warm for the whole session; each save
(debounced, so an editor's write-then-rename counts once) is one :func:`run_code`, recorded like
``loopprep code run``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from loopprep.engines.judge.problem import MAX_SOURCE_BYTES
from loopprep.errors import InvalidInput, LoopprepError

if TYPE_CHECKING:
    from loopprep.judge.client import Judge
    from loopprep.services.code import AttemptResult
    from loopprep.services.context import AppContext

DEBOUNCE_MS = 150  # an editor's save is often a truncate then a write, or a temp file then a rename


def read_solution(file: Path) -> str:
    """The text of a solution file; ``InvalidInput`` (naming the file) when it is missing, a
    directory, unreadable, not UTF-8, empty or larger than a solution may be."""
    hint = "Give the path of your solution file (`loopprep code start ID` writes one)."
    if not file.exists():
        raise InvalidInput(f"There is no file at {file}.", hint, field="file")
    if file.is_dir():
        raise InvalidInput(f"{file} is a directory, not a Python file.", hint, field="file")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            f"Cannot read {file}: {exc.strerror or exc}.", "Check the file's permissions.", field="file"
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{file} is not UTF-8 text (byte {exc.start} cannot be decoded).",
            "Save the file as UTF-8 in your editor.",
            field="file",
        ) from None
    if len(data) > MAX_SOURCE_BYTES:
        raise InvalidInput(
            f"{file} is {len(data) // 1024} KiB; a solution may be at most {MAX_SOURCE_BYTES // 1024} KiB.",
            "Trim it; a solution fits in a page.",
            field="file",
        )
    if not text.strip():
        raise InvalidInput(
            f"{file} is empty.", "Write your solution first; the starter shows the signature.", field="file"
        )
    return text.removeprefix("\ufeff")


@dataclass(frozen=True)
class WatchRun:
    """One pass of the loop: a verdict, or why the file could not be judged this time."""

    at: dt.datetime
    code: str = ""
    result: AttemptResult | None = None
    deleted: bool = False  # the file is gone; watching goes on until it comes back
    error: LoopprepError | None = None  # unreadable, empty, not UTF-8 ...


def watch_runs(
    ctx: AppContext,
    j: Judge,
    problem_id: str,
    file: Path,
    *,
    now: Callable[[], dt.datetime],
    debounce_ms: int = DEBOUNCE_MS,
) -> Iterator[WatchRun]:
    """Judge ``file`` on the visible examples of ``problem_id`` now, then after every save, forever.

    Raises ``NotFound`` for an unknown problem and ``InvalidInput`` when the file cannot be read
    at the start, before anything runs; later a deleted or unreadable file is yielded as a
    :class:`WatchRun` and watching continues.  Ctrl+C (``KeyboardInterrupt``) ends the iteration.
    """
    import watchfiles

    from loopprep.services.code import get_problem, run_code

    get_problem(ctx, problem_id)
    read_solution(file)
    target = file.resolve()

    def judge_now() -> WatchRun:
        try:
            code = read_solution(target)
        except InvalidInput as exc:
            return WatchRun(at=now(), error=exc)
        return WatchRun(at=now(), code=code, result=run_code(ctx, j, problem_id, code, now=now()))

    seen = _stamp(target)
    yield judge_now()
    # The watcher starts only when the loop below first asks it for changes, so a save made while
    # the first verdict printed would be missed: each quiet second (and each batch of events) also
    # compares the file's stamp with the one last judged.
    for changes in watchfiles.watch(
        target.parent,
        watch_filter=lambda _change, path: Path(path) == target,
        debounce=debounce_ms,
        step=50,
        rust_timeout=1000,
        yield_on_timeout=True,
        recursive=False,
    ):
        stamp = _stamp(target)
        if not changes and stamp == seen:
            continue
        was, seen = seen, stamp
        if stamp is None:
            if was is not None:  # a deletion is reported once, however many events follow it
                yield WatchRun(at=now(), deleted=True)
            continue
        yield judge_now()


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is saved (inode, size, modification time); None when it is gone."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
