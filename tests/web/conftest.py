from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from loopprep.web.app import create_app

BASE = "http://127.0.0.1:8000"


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
