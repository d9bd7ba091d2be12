"""The plan in Chromium: make a plan, check a task off in place, see the progress update."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect


def test_create_a_plan_check_off_a_task_and_see_progress(
    page: Page, fresh_server: str, save_profile: Callable[..., None]
) -> None:
    save_profile(page, fresh_server, role="ai-llm-engineer", company_types=("faang",))
    page.get_by_role("link", name="Plan", exact=True).first.click()
    expect(page.locator("h1")).to_have_text("Your plan")
    page.fill("#-plan-weekday_minutes", "120")
    page.get_by_role("button", name="Make my plan").click()

    expect(page).to_have_url(f"{fresh_server}/plan")
    expect(page.locator("ol.plan-phases li.seg")).to_have_count(6)
    expect(page.locator("ol.plan-phases li.seg.current strong")).to_have_text("Ramp-up")
    expect(page.locator("#plan-percent")).to_have_text("0 %")
    today = page.locator("#today li.plan-task").first
    key = today.get_attribute("data-key")
    total = int(re.search(r"of (\d+) done", page.locator("#plan-counts").inner_text()).group(1))

    today.get_by_role("button", name=re.compile("^Mark done")).click()
    # in place: no navigation, the row and the progress change
    expect(page.locator(f'#today li[data-key="{key}"]')).to_have_class(re.compile("status-done"))
    expect(page.locator("#plan-counts")).to_have_text(f"1 of {total} done")
    expect(page.locator("#plan-percent")).to_have_text(f"{round(100 / total)} %")
    assert page.url == f"{fresh_server}/plan"

    page.reload()  # and it was saved
    expect(page.locator("#plan-counts")).to_have_text(f"1 of {total} done")
    page.goto(f"{fresh_server}/")
    expect(page.locator("#today-card")).to_contain_text(f"{round(100 / total)} % of the plan done")


def test_check_off_works_without_javascript(
    browser: Browser, fresh_server: str, save_profile: Callable[..., None]
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        save_profile(page, fresh_server, role="data-scientist")
        page.goto(f"{fresh_server}/plan")
        page.get_by_role("button", name="Make my plan").click()
        expect(page.locator("#plan-percent")).to_have_text("0 %")
        row = page.locator("#today li.plan-task").first
        key = row.get_attribute("data-key")
        row.get_by_role("button", name=re.compile("^Skip")).click()
        expect(page).to_have_url(re.compile(rf"/plan\?week=1#task-{re.escape(key)}$"))
        expect(page.locator(f'#today li[data-key="{key}"]')).to_have_class(re.compile("status-skipped"))
    finally:
        context.close()
