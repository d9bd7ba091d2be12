from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

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
