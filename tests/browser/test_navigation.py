"""Moving around the app in Chromium: links, search, the "/" shortcut, error pages, every page's shape."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from playwright.sync_api import Page, expect

STATS = "Statistics & Experimentation"


def test_a_round_page_opens_from_the_rounds_list(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/rounds")
    expect(page.locator("h1")).to_have_text("The five rounds")
    expect(page.locator("ol.rounds a.tile")).to_have_count(5)
    page.locator("ol.rounds a.tile", has=page.locator("strong", has_text=STATS)).click()

    expect(page).to_have_url(f"{live_server}/rounds/stats-experimentation")
    expect(page.locator("h1")).to_have_text(STATS)
    expect(page).to_have_title(f"{STATS} · loopprep")
    expect(page.locator("nav[aria-label=Main] a[aria-current=page]")).to_have_text("Rounds")

    focus = page.locator("section[aria-labelledby=focus-h]")
    expect(focus.locator("h2")).to_have_text("What it tests")
    expected = [
        f["title"]
        for f in page.request.get(f"{live_server}/api/rounds/stats-experimentation").json()["round"]["focus_areas"]
    ]
    assert expected, "the round has no focus areas in the API"
    expect(focus.locator("li.card h3")).to_have_text(expected)
    expect(focus.locator("li.card").first).to_be_visible()

    page.get_by_role("link", name="Rounds", exact=True).first.click()
    expect(page).to_have_url(f"{live_server}/rounds")


def test_a_round_page_opens_from_the_dashboard(page: Page, live_server: str, save_profile: Callable[..., None]) -> None:
    save_profile(page, live_server, role="ml-engineer", level="l6-plus", company_types=["faang"])
    first = page.locator("ol#weights li.weight").first
    round_id = first.get_attribute("data-round")
    link = first.locator(".weight-head a")
    title = link.inner_text().strip()
    link.click()
    expect(page).to_have_url(f"{live_server}/rounds/{round_id}")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("section[aria-labelledby=focus-h] li.card").first).to_be_visible()


def test_the_bar_page_shows_the_levels_table(page: Page, live_server: str) -> None:
    page.goto(live_server)  # any page: the nav link is everywhere
    page.get_by_role("navigation", name="Main").get_by_role("link", name="The bar").click()
    expect(page).to_have_url(f"{live_server}/bar")
    expect(page.locator("h1")).to_have_text("The bar")
    table = page.locator("table.bar-table")
    expect(table).to_be_visible()
    header = table.locator("thead")
    expect(header).to_contain_text("L4")
    expect(header).to_contain_text("L6+")
    assert table.locator("tbody tr").count() >= 1


def test_searching_from_the_search_box(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/frameworks")
    box = page.locator("#search-q")
    box.click()
    box.press_sequentially("silence")
    box.press("Enter")

    expect(page).to_have_url(f"{live_server}/search?q=silence")
    expect(page).to_have_title("Search: silence · loopprep")
    results = page.locator("ol.results li.result")
    expect(results.first).to_be_visible()
    count = results.count()
    assert count >= 1
    expect(page.locator("#result-count")).to_have_text(f"{count} result{'' if count == 1 else 's'} for “silence”")
    mark = page.locator("li.result p.snippet mark").filter(has_text=re.compile("silence", re.IGNORECASE)).first
    expect(mark).to_be_visible()
    # Both boxes keep the query.
    expect(page.locator("#search-q")).to_have_value("silence")
    expect(page.locator("#search-big")).to_have_value("silence")

    # A result links to its page.
    first = results.first.locator("a")
    href = first.get_attribute("href")
    assert href and href.startswith("/")
    first.click()
    expect(page).to_have_url(re.compile(re.escape(live_server + urldefrag(href).url)))


def test_a_search_with_no_hits_says_so(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/search?q=zzqxjv")
    expect(page.locator("#result-count")).to_have_text("0 results for “zzqxjv”")
    expect(page.locator("li.result")).to_have_count(0)
    expect(page.locator("ol.results")).to_contain_text("Nothing matched every word.")


def test_slash_focuses_the_search_box(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/bar")
    box = page.locator("#search-q")
    expect(box).not_to_be_focused()
    page.keyboard.press("/")
    expect(box).to_be_focused()
    expect(box).to_have_value("")  # the "/" itself is not typed into the box

    # Typing "/" in a field types it; it does not jump to the search box.
    page.goto(f"{live_server}/search?q=kv+cache")
    big = page.locator("#search-big")
    big.click()
    page.keyboard.press("End")
    page.keyboard.type(" a/b")
    expect(big).to_be_focused()
    expect(big).to_have_value("kv cache a/b")

    # From the page, "/" selects the current query, so typing replaces it.
    page.locator("h1").click()
    page.keyboard.press("/")
    expect(page.locator("#search-q")).to_be_focused()
    page.keyboard.type("silence")
    expect(page.locator("#search-q")).to_have_value("silence")


def test_an_unknown_page_is_a_404_page(page: Page, live_server: str) -> None:
    response = page.goto(f"{live_server}/no-such-page/xyz")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page).to_have_title("Page not found · loopprep")
    expect(page.locator("main")).to_contain_text("There is no page at /no-such-page/xyz.")
    expect(page.locator("#search-q")).to_be_visible()  # the layout, not a bare error
    page.get_by_role("link", name="Back to the dashboard").click()
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/(welcome)?$"))


def test_an_unknown_round_is_a_404_page(page: Page, live_server: str) -> None:
    response = page.goto(f"{live_server}/rounds/no-such-round")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator("#search-q")).to_be_visible()


def _internal_links(page: Page, base_url: str) -> set[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    out = set()
    for href in hrefs:
        url = urldefrag(href).url
        if url.startswith(base_url + "/") and not urlsplit(url).path.startswith(("/api", "/static")):
            out.add(url)
    return out


def test_every_page_has_a_title_and_one_h1(page: Page, live_server: str, save_profile: Callable[..., None]) -> None:
    """Crawl every page reachable from the dashboard (plus search, the 404 page and /welcome)."""
    save_profile(page, live_server, role="ai-llm-engineer", level="l5", company_types=["startup"])
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    start = {f"{live_server}/", f"{live_server}/welcome", f"{live_server}/search?q=silence", f"{live_server}/search"}
    todo, seen = sorted(start), set(start)
    not_found = f"{live_server}/definitely/not/here"
    checked: list[str] = []
    while todo:
        url = todo.pop()
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{url}: status {response and response.status}"
        title = page.title().strip()
        assert title and title != "· loopprep" and not title.startswith("·"), f"{url}: empty <title> {title!r}"
        assert page.locator("h1").count() == 1, f"{url}: {page.locator('h1').count()} h1 elements"
        assert page.locator("h1").inner_text().strip(), f"{url}: empty h1"
        checked.append(url)
        for link in _internal_links(page, live_server) - seen:
            seen.add(link)
            todo.append(link)

    assert not errors, f"browser errors: {errors}"
    page.goto(not_found)  # (its 404 status is itself logged as a console error)
    assert page.title().strip() and page.locator("h1").count() == 1

    paths = {urlsplit(u).path for u in checked}
    expected = {"/", "/rounds", "/bar", "/companies", "/roles", "/frameworks", "/profile", "/welcome", "/search"}
    expected |= {
        f"/rounds/{r}" for r in ("ml-system-design", "ai-systems-design", "ml-coding", "stats-experimentation")
    }
    assert expected <= paths, f"never reached: {sorted(expected - paths)}"
    assert any(p.startswith("/frameworks/") for p in paths)


def test_dashboard_screenshot(page: Page, live_server: str, save_profile: Callable[..., None], tmp_path: Path) -> None:
    save_profile(page, live_server, role="data-scientist", level="l4", company_types=["faang", "product-company"])
    page.goto(live_server)
    expect(page.locator("h1")).to_contain_text("to your loop")
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.exists()
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000, f"screenshot is only {len(data)} bytes"


def test_the_api_reference_runs_from_local_files_under_the_csp(page: Page, live_server: str) -> None:
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    remote: list[str] = []
    page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(live_server) else None)
    page.goto(f"{live_server}/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator(".swagger-ui .opblock-summary-path", has_text="/api/dashboard").first).to_be_visible()
    assert blocked == [] and remote == []
