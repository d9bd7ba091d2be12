"""The web app through its ASGI interface: pages, forms, errors and its guards."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from fastapi.testclient import TestClient

from loopprep.domain import RoundId
from tests.web.conftest import csrf

IN_30_DAYS = (dt.date.today() + dt.timedelta(days=30)).isoformat()
GOOD_FORM = {
    "role": "data-scientist",
    "level": "l5",
    "company_types": ["product-company"],
    "loop_date": IN_30_DAYS,
    "target_companies": "Stripe, Airbnb",
}


def save_profile(client: TestClient, **changes: object) -> None:
    form = {**GOOD_FORM, **changes, "csrf_token": csrf(client)}
    r = client.post("/profile", data=form)
    assert r.status_code == 303, r.text


def test_first_run_redirects_to_the_welcome_page(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/welcome"
    page = client.get("/welcome")
    assert page.status_code == 200
    assert "Welcome to loopprep" in page.text and 'name="csrf_token"' in page.text


def test_saving_the_profile_shows_the_dashboard(client: TestClient) -> None:
    save_profile(client)
    page = client.get("/")
    assert page.status_code == 200
    assert "30 days to your loop" in page.text
    rounds = re.findall(r'data-round="([a-z-]+)"', page.text)
    assert rounds[0] == "stats-experimentation" and len(rounds) == len(RoundId)
    pcts = [int(p) for p in re.findall(r'class="weight-pct">(\d+) %', page.text)]
    assert sum(pcts) == 100
    assert "Stripe, Airbnb" in page.text


def test_invalid_form_is_shown_again_with_messages(client: TestClient) -> None:
    form = {
        "role": "wizard",
        "level": "",
        "loop_date": "2001-01-01",
        "target_companies": "Acme",
        "csrf_token": csrf(client),
    }
    r = client.post("/profile", data=form)
    assert r.status_code == 422
    assert "'wizard' is not a valid choice" in html.unescape(r.text)
    assert 'id="company_types-error"' in r.text and "Choose at least one company type" in r.text
    assert 'id="level-error"' in r.text
    assert 'value="Acme"' in r.text  # what the user typed is kept
    assert "Traceback" not in r.text
    assert client.get("/").status_code == 303  # nothing saved


def test_past_loop_date_is_refused_next_to_the_field(client: TestClient) -> None:
    r = client.post("/profile", data={**GOOD_FORM, "loop_date": "2020-02-02", "csrf_token": csrf(client)})
    assert r.status_code == 422
    assert re.search(r'id="loop_date-error">2020-02-02 is in the past', r.text)


def test_form_without_csrf_token_is_refused(client: TestClient) -> None:
    csrf(client)
    r = client.post("/profile", data={**GOOD_FORM, "csrf_token": "forged"})
    assert r.status_code == 403 and "another site" in r.text
    assert client.get("/").status_code == 303


@pytest.mark.parametrize(
    "path",
    [
        "/rounds",
        "/rounds/ml-system-design",
        "/rounds/ai-systems-design",
        "/rounds/ml-coding",
        "/rounds/stats-experimentation",
        "/rounds/behavioural",
        "/bar",
        "/companies",
        "/roles",
        "/frameworks",
        "/frameworks/five-phases",
        "/frameworks/recovery-moves",
        "/search?q=kv",
        "/search",
        "/welcome",
    ],
)
def test_every_page_renders(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.text.count("<h1") == 1
    assert 'role="search"' in r.text
    assert re.search(r"<title>[^<]+ · loopprep</title>", r.text)


def test_every_framework_page_renders(client: TestClient, bank) -> None:  # noqa: ANN001
    for fid, f in bank.frameworks.items():
        r = client.get(f"/frameworks/{fid}")
        assert r.status_code == 200 and f.title in html.unescape(r.text)


def test_unknown_pages_get_a_404_page(client: TestClient) -> None:
    for path in ("/nope", "/rounds/quantum-design", "/frameworks/nope"):
        r = client.get(path)
        assert r.status_code == 404
        assert "text/html" in r.headers["content-type"]
        assert "Traceback" not in r.text
    r = client.get("/api/rounds/quantum-design")
    assert r.status_code == 404 and "There is no round" in r.json()["message"]


def test_other_host_headers_are_refused(client: TestClient) -> None:
    r = client.get("/", headers={"Host": "evil.example"})
    assert r.status_code == 421
    r = client.get("/api/dashboard", headers={"Host": "attacker.test:8000"})
    assert r.status_code == 421
    assert client.get("/rounds", headers={"Host": "localhost:8000"}).status_code == 200


def test_api_writes_need_json_and_same_origin(client: TestClient) -> None:
    body = {"role": "ml-engineer", "level": "l5", "company_types": ["faang"], "loop_date": IN_30_DAYS}
    r = client.put(
        "/api/profile", content="role=ml-engineer", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 415
    r = client.put("/api/profile", json=body, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.put("/api/profile", json=body, headers={"Origin": "http://127.0.0.1:8000"})
    assert r.status_code == 200 and r.json()["profile"]["role"] == "ml-engineer"


def test_api_profile_validation_names_the_field(client: TestClient) -> None:
    r = client.put("/api/profile", json={"role": "ml-engineer"})
    assert r.status_code == 422
    body = r.json()
    assert "level" in body["fields"] and "company_types" in body["fields"]
    r = client.put(
        "/api/profile",
        json={"role": "ml-engineer", "level": "l5", "company_types": ["faang"], "loop_date": "1999-01-01"},
    )
    assert r.status_code == 422 and "in the past" in r.json()["fields"]["loop_date"]


def test_api_weights_without_a_profile(client: TestClient) -> None:
    r = client.get("/api/weights", params={"role": "ai-llm-engineer", "level": "l5", "company_types": ["ai-first-lab"]})
    assert r.status_code == 200
    assert r.json()["heaviest"] == "ai-systems-design"


def test_openapi_documents_every_api_route(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/dashboard",
        "/api/profile",
        "/api/rounds",
        "/api/rounds/{round_id}",
        "/api/bar",
        "/api/companies",
        "/api/roles",
        "/api/frameworks",
        "/api/frameworks/{framework_id}",
        "/api/search",
        "/api/weights",
    } <= paths
    assert all(p.startswith("/api/") for p in paths)


def test_search_page_highlights(client: TestClient) -> None:
    r = client.get("/search", params={"q": "silences"})
    assert r.status_code == 200 and "<mark>" in r.text
    assert 'href="/frameworks/three-silences"' in r.text
    r = client.get("/search", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in r.text


def test_search_page_links_problems_cases_and_calculators(client: TestClient) -> None:
    page = client.get("/search", params={"q": "stable softmax"}).text
    assert 'href="/code/stable-softmax"' in page and "Coding problem" in page
    page = client.get("/search", params={"q": "session length ranking"}).text
    assert 'href="/stats/cases/ranking-ctr-vs-session-length"' in page and "Stats case" in page
    page = client.get("/search", params={"q": "sample ratio mismatch"}).text
    assert 'href="/stats/srm"' in page and "Calculator" in page
    assert client.get("/stats/srm").status_code == 200


def test_broken_user_content_is_reported_on_the_dashboard(sqlite_ctx, tmp_path) -> None:  # noqa: ANN001
    from loopprep.content.loader import load_bank
    from loopprep.services.context import AppContext
    from loopprep.web.app import create_app

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "oops.yaml").write_text("kind: frameworks\nentries:\n  - id: oops\n    title: Oops\n")
    settings = sqlite_ctx.settings.model_copy(update={"content_dir": mine})
    ctx = AppContext(settings=settings, engine=sqlite_ctx.engine, bank=load_bank(mine))
    app = create_app(settings, context=ctx)
    with TestClient(
        app, base_url="http://127.0.0.1:8000", headers={"Origin": "http://127.0.0.1:8000"}, follow_redirects=False
    ) as client:
        save_profile(client)
        page = client.get("/")
        assert page.status_code == 200
        assert "Some of your own content was skipped" in page.text
        assert "oops.yaml" in page.text and "summary" in page.text
        assert client.get("/frameworks/five-phases").status_code == 200  # the rest is served


LEVEL_PAGES = [
    "/bar",
    "/welcome",
    "/profile",
    "/frameworks/preparation-split",
    "/rounds/ml-system-design",
    "/rounds/behavioural",
    "/roles",
    "/frameworks/first-five-minutes",
]


@pytest.mark.parametrize("path", LEVEL_PAGES)
def test_every_page_naming_a_level_uses_the_mapping(client: TestClient, bank, path: str) -> None:  # noqa: ANN001
    """No page pairs a level with another seniority than levels.yaml gives it."""
    from tests.content.test_levels import level_pairings, wrong_pairings

    text = html.unescape(re.sub(r"<[^>]+>", " ", client.get(path).text))
    assert wrong_pairings(bank, text) == []
    if path in ("/bar", "/welcome", "/profile", "/frameworks/preparation-split"):
        assert level_pairings(text), "the page names levels through the mapping"


def test_bar_and_profile_show_the_level_table(client: TestClient, bank) -> None:  # noqa: ANN001
    bar = html.unescape(client.get("/bar").text)
    profile = html.unescape(client.get("/welcome").text)
    for band in bank.levels.bands:
        assert band.meaning in bar and band.meaning in profile
        for rung in band.ladders:
            assert rung.titles in bar and rung.titles in profile
    assert "Execution bar<br><small>L4 (mid-level), L5 (senior)" in bar
    split = html.unescape(client.get("/frameworks/preparation-split").text)
    assert "L5 (senior)" in split and "L6+ (staff)" in split and "L4 (mid-level)" in split


def test_every_page_names_its_icon_and_the_icon_is_served(client) -> None:  # noqa: ANN001
    # without it the browser asks for /favicon.ico and logs a 404 on every page
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/welcome").text
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
