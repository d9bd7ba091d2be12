"""The estimation kit in Chromium: fill a calculator form, share its URL, run a drill."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_fill_a_calculator_form_and_share_the_url(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/estimate")
    page.get_by_role("link", name="KV budget: what fits on a GPU").click()
    expect(page.locator("h1")).to_have_text("KV budget: what fits on a GPU")
    # pre-filled from the presets
    expect(page.locator("#f-model")).to_have_value("llama-3-70b")
    expect(page.locator("#f-gpu")).to_have_value("h100-sxm")

    page.locator("#f-model").select_option("llama-3-8b")
    page.locator("#f-tp").fill("1")
    page.locator("#f-reserve_gb").fill("4")
    page.get_by_role("button", name="Calculate").click()

    query = parse_qs(urlsplit(page.url).query)
    assert query["model"] == ["llama-3-8b"] and query["tp"] == ["1"] and query["reserve_gb"] == ["4"]
    # 80 GiB read as GiB, vLLM's 0.9 of it, minus 8,030,261,248 x 2 bytes and 4 GiB; 131,072 bytes per token
    free = int(0.9 * 80 * 2**30 - 8_030_261_248 * 2 - 4 * 2**30)
    expect(page.locator("[data-result=max_tokens]")).to_have_text(f"{free // 131_072:,} tokens")
    expect(page.locator(".whiteboard .est-steps li")).not_to_have_count(0)

    shared = page.locator("#share-link").get_attribute("href")
    assert shared
    page.goto(f"{live_server}{shared}")
    expect(page.locator("#f-model")).to_have_value("llama-3-8b")
    expect(page.locator("[data-result=max_tokens]")).to_have_text(f"{free // 131_072:,} tokens")

    # unticking the GiB box switches to the decimal reading (the hidden "false" is what is sent)
    page.get_by_label("Read the data sheet's GB as GiB", exact=False).uncheck()
    page.get_by_role("button", name="Calculate").click()
    assert parse_qs(urlsplit(page.url).query)["binary"] == ["false"]
    decimal = int(0.9 * 80 * 10**9 - 8_030_261_248 * 2 - 4 * 10**9)
    expect(page.locator("[data-result=max_tokens]")).to_have_text(f"{decimal // 131_072:,} tokens")

    # a bad value: 422 and the message next to the field
    page.locator("#f-tp").fill("0")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator("#tp-error")).to_contain_text("greater than or equal to 1")
    expect(page.locator("#f-tp")).to_have_attribute("aria-invalid", "true")


def test_run_a_drill(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/estimate/drill?kind=inflight&seed=4")
    countdown = page.locator("#est-countdown")
    expect(countdown).to_be_visible()
    start = int(countdown.inner_text())
    expect(countdown).not_to_have_text(str(start), timeout=3000)  # it ticks

    truth = page.request.get(f"{live_server}/api/estimate/inflight?arrival_rate=1&latency_s=1")  # API is up
    assert truth.ok
    question = page.locator(".est-q").inner_text()
    assert "requests/s arrive" in question
    qps = float(question.split(" requests/s")[0].replace(",", ""))
    ms = float(question.split("mean latency is ")[1].split(" ms")[0].replace(",", ""))
    page.locator("#answer").fill(f"{qps * ms}")  # the classic slip: milliseconds, not seconds
    page.get_by_role("button", name="Check my answer").click()

    expect(page.locator("#grade")).to_have_text("Off")
    expect(page.locator(".est-diagnosis")).to_contain_text("milliseconds")
    expect(page.locator(".whiteboard")).to_contain_text("Little's law")
    expect(page.locator("table").first).to_contain_text("Requests in flight")

    page.locator("#next-drill").click()
    expect(page.locator("#est-countdown")).to_be_visible()
    # the type just missed comes back first
    expect(page.locator("h1")).to_have_text("Requests in flight")
