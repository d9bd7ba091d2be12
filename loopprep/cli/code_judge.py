"""The judge as a CLI command uses it: started in the background, stopped on the way out."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from loopprep.cli.common import State, console

if TYPE_CHECKING:
    from loopprep.services.judge import Judge


@contextlib.contextmanager
def warm_judge(st: State) -> Iterator[Callable[[], Judge]]:
    """Start the judge in the background, so that its zygote imports numpy while this process
    loads the content; the callable waits until it is ready (and warns when a layer is off)."""
    import threading

    from loopprep.services.judge import Judge

    settings = st.settings()
    j = Judge(protections_off=tuple(settings.judge_protections_off), max_waiting=settings.judge_max_waiting)
    failed: list[BaseException] = []

    def start() -> None:
        try:
            j.start()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread by ready()
            failed.append(exc)

    starter = threading.Thread(target=start, name="judge-start", daemon=True)
    starter.start()
    warned = False

    def ready() -> Judge:
        nonlocal warned
        starter.join()
        if failed:
            raise failed[0]
        off = [name for name, layer in j.protections.items() if not layer.get("on")]
        if off and not warned:
            warned = True
            console(stderr=True).print(
                f"[yellow]Warning:[/] sandbox protections off: {', '.join(off)} (see `loopprep code protections`).",
                markup=True,
            )
        return j

    try:
        yield ready
    finally:
        starter.join()
        j.close()


@contextlib.contextmanager
def started_judge(st: State) -> Iterator[Judge]:
    """A started judge for this command, with a one-line warning on stderr when a layer is off."""
    with warm_judge(st) as ready:
        yield ready()


if TYPE_CHECKING:
    import datetime as dt

    from loopprep.services.context import AppContext


def ready_or_draft(
    ready: Callable[[], Judge], ctx: AppContext, problem_id: str, code: str, *, now: dt.datetime
) -> Judge:
    """The started judge; when it could not start, the code is kept as the problem's draft (as a
    run or submit does when the judge fails) and the error says so."""
    from loopprep.services.code import JudgeUnavailable, keep_as_draft

    try:
        return ready()
    except JudgeUnavailable as exc:
        raise keep_as_draft(ctx, problem_id, code, exc, now=now) from None
