"""The problem page says whether Submit runs random cases, or that random testing was skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from loopprep.content.loader import load_bank
from loopprep.services.context import AppContext
from loopprep.web.app import create_app
from tests.judge.random_problem import counting_problem
from tests.web.conftest import BASE


@pytest.fixture
def client(ctx: AppContext, tmp_path: Path) -> Iterator[TestClient]:
    d = tmp_path / "problems"
    d.mkdir()
    data = counting_problem().model_dump(mode="json", exclude_none=True)
    (d / "count-positive.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    del data["random"]
    (d / "count-plain.yaml").write_text(yaml.safe_dump({**data, "id": "count-plain"}, sort_keys=False))
    settings = ctx.settings.model_copy(update={"problems_dir": d})
    mine = AppContext(settings=settings, engine=ctx.engine, bank=load_bank(problems_dir=d))
    with TestClient(
        create_app(settings, context=mine), base_url=BASE, headers={"Origin": BASE}, follow_redirects=False
    ) as c:
        yield c


def test_the_problem_page_says_when_random_testing_is_skipped(client: TestClient) -> None:
    plain = client.get("/code/count-plain")
    assert plain.status_code == 200
    assert "Random testing skipped" in plain.text
    with_random = client.get("/code/count-positive")
    assert "Random testing skipped" not in with_random.text
    assert "40 random cases" in with_random.text


def test_a_failing_random_case_names_the_replay_command(client: TestClient) -> None:
    from tests.judge.random_problem import ZERO_COUNTS
    from tests.web.conftest import csrf

    token = csrf(client)
    r = client.post("/code/count-positive/submit", data={"code": ZERO_COUNTS, "csrf_token": token})
    assert r.status_code == 200, r.text[:500]
    assert "random case" in r.text and "loopprep code replay" in r.text
