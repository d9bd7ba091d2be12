from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient

from loopprep.web.app import create_app

BASE = "http://127.0.0.1:8000"
T = TypeVar("T")


@pytest.fixture
def client(ctx) -> Iterator[TestClient]:  # noqa: ANN001
    app = create_app(ctx.settings, context=ctx)
    # A browser names the page a form came from (Origin); the guard refuses a form post without it.
    with TestClient(app, base_url=BASE, headers={"Origin": BASE}, follow_redirects=False) as c:
        yield c


def csrf(client: TestClient) -> str:
    page = client.get("/profile")
    token = client.cookies.get("loopprep_csrf")
    assert token and f'value="{token}"' in page.text
    return token


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    """``anyio.run(fn)`` on a thread of its own: the browser tests' Playwright keeps an event loop
    running on the main thread for the whole session, and anyio refuses to start a second one."""
    import anyio

    out: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            out.append(anyio.run(fn))
        except BaseException as exc:  # noqa: BLE001 - re-raised on the test's thread
            errors.append(exc)

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if errors:
        raise errors[0]
    return out[0]


def assert_answers_during(
    app: Any, big: Callable[[Any], Awaitable[Any]], *, headers: dict[str, str] | None = None
) -> None:
    """While ``big(client)`` runs (a heavy upload), small API requests keep being answered: at least
    five of them, and no stretch of the big request's life longer than a third of it goes
    unanswered.  Relative, not absolute, so a busy machine does not fail it."""
    import time

    import anyio
    import httpx2

    async def scenario() -> tuple[float, float, list[float]]:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url=BASE, headers=headers or {}) as c:
            done: list[float] = []
            finished: list[float] = []

            async def heavy() -> None:
                await big(c)
                finished.append(time.perf_counter())

            async def small() -> None:
                while not finished:
                    r = await c.get("/api/stats/cuped", params={"rho": "0.5"})
                    assert r.status_code == 200
                    done.append(time.perf_counter())
                    await anyio.sleep(0.02)

            start = time.perf_counter()
            async with anyio.create_task_group() as tg:
                tg.start_soon(heavy)
                tg.start_soon(small)
            return start, finished[0], done

    start, end, done = run_async(scenario)
    during = [t for t in done if t < end]
    stamps = [start, *during, end]
    longest_wait = max(b - a for a, b in zip(stamps, stamps[1:], strict=False))
    assert len(during) >= 5, (len(during), end - start)
    assert longest_wait < (end - start) / 3, (longest_wait, end - start)
