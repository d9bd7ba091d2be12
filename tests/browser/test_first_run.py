"""First run and profile editing, through the real form in Chromium."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from playwright.sync_api import Page, expect


def _percentages(page: Page) -> list[int]:
    texts = page.locator("ol#weights li.weight .weight-pct").all_inner_texts()
    values = []
    for t in texts:
        m = re.fullmatch(r"\s*(\d+)\s*%\s*", t)
        assert m, f"unexpected percentage text {t!r}"
        values.append(int(m.group(1)))
    return values


def _rounds_in_order(page: Page) -> list[str]:
    return [li.get_attribute("data-round") or "" for li in page.locator("ol#weights li.weight").all()]


def test_first_run_form_validates_then_leads_to_the_dashboard(
    page: Page, fresh_server: str, fill_profile_form: Callable[..., None]
) -> None:
    page.goto(fresh_server)
    expect(page).to_have_url(f"{fresh_server}/welcome")
    expect(page.locator("h1")).to_have_text("Welcome to loopprep")
    submit = page.get_by_role("button", name="Start preparing")

    # Nothing filled in: the form comes back (422) with an error per missing field.
    with page.expect_response(lambda r: r.url == f"{fresh_server}/profile" and r.request.method == "POST") as posted:
        submit.click()
    assert posted.value.status == 422
    page.wait_for_load_state()
    expect(page).to_have_url(f"{fresh_server}/profile")
    expect(page.get_by_role("alert")).to_contain_text("Please fix the fields marked below.")
    role_fieldset = page.locator("fieldset", has=page.locator("legend", has_text="Role"))
    expect(role_fieldset).to_have_attribute("aria-invalid", "true")
    expect(role_fieldset.locator("p.field-error")).to_contain_text("This field is required.")
    expect(page.locator("#role-error")).to_contain_text("Choose ml-engineer, ai-llm-engineer or data-scientist.")
    for field in ("level", "company_types", "loop_date"):
        expect(page.locator(f"#{field}-error")).to_be_visible()
    expect(page.locator("p.field-error")).to_have_count(4)  # target companies are optional
    expect(submit).to_be_visible()  # still the first-run form

    # Filled in: saved, and the dashboard counts down and weights the rounds for a data scientist.
    loop_date = dt.date.today() + dt.timedelta(days=30)
    fill_profile_form(
        page,
        role="data-scientist",
        level="l5",
        company_types=["product-company"],
        loop_date=loop_date,
        target_companies="Stripe, Airbnb",
    )
    submit.click()
    expect(page).to_have_url(f"{fresh_server}/")
    expect(page.locator("h1")).to_contain_text("30 days to your loop")
    expect(page.locator(".hero .lead")).to_contain_text(
        "Data scientist · L5 · Product company · targeting Stripe, Airbnb"
    )
    expect(page.locator(".hero")).to_contain_text(loop_date.strftime("%A %d %B %Y"))
    expect(page.locator("ol#weights li.weight").first).to_have_attribute("data-round", "stats-experimentation")

    rounds = _rounds_in_order(page)
    assert sorted(rounds) == sorted(
        ["ml-system-design", "ai-systems-design", "ml-coding", "stats-experimentation", "behavioural"]
    )
    pcts = _percentages(page)
    assert sum(pcts) == 100, pcts
    assert pcts == sorted(pcts, reverse=True), f"not heaviest first: {list(zip(rounds, pcts, strict=True))}"

    # Now that a profile exists, / stays on the dashboard and /welcome shows the saved values.
    page.goto(fresh_server)
    expect(page).to_have_url(f"{fresh_server}/")
    page.goto(f"{fresh_server}/welcome")
    expect(page.locator("input[name=role][value=data-scientist]")).to_be_checked()
    expect(page.locator("#loop_date")).to_have_value(loop_date.isoformat())
    expect(page.locator("#target_companies")).to_have_value("Stripe, Airbnb")


def test_editing_the_profile_reweights_the_rounds(
    page: Page, live_server: str, save_profile: Callable[..., None]
) -> None:
    save_profile(page, live_server, role="data-scientist", level="l5", company_types=["product-company"])
    expect(page.locator("ol#weights li.weight").first).to_have_attribute("data-round", "stats-experimentation")

    page.get_by_role("link", name="edit profile").click()
    expect(page).to_have_url(f"{live_server}/profile")
    expect(page.locator("h1")).to_have_text("Your profile")
    expect(page.locator("input[name=role][value=data-scientist]")).to_be_checked()
    expect(page.locator("input[name=company_types][value=product-company]")).to_be_checked()

    page.check("input[name=role][value=ai-llm-engineer]")
    page.uncheck("input[name=company_types][value=product-company]")
    page.check("input[name=company_types][value=ai-first-lab]")
    page.get_by_role("button", name="Save profile").click()

    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator(".hero .lead")).to_contain_text("AI/LLM engineer · L5 · AI-first lab")
    expect(page.locator(".hero .lead")).not_to_contain_text("Product company")
    expect(page.locator("ol#weights li.weight").first).to_have_attribute("data-round", "ai-systems-design")
    assert sum(_percentages(page)) == 100

    page.goto(f"{live_server}/profile")
    expect(page.locator("input[name=role][value=ai-llm-engineer]")).to_be_checked()
    expect(page.locator("input[name=company_types][value=ai-first-lab]")).to_be_checked()
    expect(page.locator("input[name=company_types][value=product-company]")).not_to_be_checked()


def test_an_emptied_field_is_an_error_when_editing(
    page: Page, live_server: str, save_profile: Callable[..., None]
) -> None:
    save_profile(page, live_server, role="ml-engineer", level="l4", company_types=["faang", "startup"])
    page.goto(f"{live_server}/profile")
    for company in ("faang", "startup"):
        page.uncheck(f"input[name=company_types][value={company}]")
    with page.expect_response(lambda r: r.url == f"{live_server}/profile" and r.request.method == "POST") as posted:
        page.get_by_role("button", name="Save profile").click()
    assert posted.value.status == 422
    expect(page.locator("#company_types-error")).to_contain_text("Choose at least one company type.")
    expect(page.locator("p.field-error")).to_have_count(1)
    # Nothing was saved: the dashboard still shows the old company types.
    page.goto(live_server)
    expect(page.locator(".hero .lead")).to_contain_text("ML engineer · L4 · FAANG, Startup")
