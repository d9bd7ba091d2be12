"""Stats lab in Chromium: upload an experiment CSV and read the verdict; a calculator answer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from playwright.sync_api import Page, expect

_spec = importlib.util.spec_from_file_location(
    "stats_experiment_data", Path(__file__).parents[1] / "fixtures" / "stats" / "experiment_data.py"
)
assert _spec and _spec.loader
data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(data)


def test_upload_a_csv_and_read_the_verdict(page: Page, live_server: str, tmp_path: Path) -> None:
    csv = tmp_path / "experiment.csv"
    csv.write_bytes(data.experiment_csv(20000, seed=2, treat_share=0.53))
    page.goto(f"{live_server}/stats")
    page.get_by_role("link", name="Analyse an experiment").click()
    expect(page.locator("h1")).to_have_text("Analyse an experiment")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.locator("form.stats-form button[type=submit]").click()
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("Sample ratio mismatch")
    expect(verdict).to_contain_text("cannot be trusted")
    expect(page.locator("svg.stats-chart").first).to_be_visible()

    csv.write_bytes(data.experiment_csv(20000, seed=1, lift=0.02))
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.locator("form.stats-form button[type=submit]").click()
    expect(page.locator("#verdict")).to_contain_text(
        "No sample ratio mismatch. Significant after correction: converted"
    )


def test_sample_size_calculator_names_its_method(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/stats/sample-size")
    page.get_by_label("Baseline rate").fill("0.2")
    page.get_by_label("Target rate").fill("0.25")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator(".stats-summary")).to_contain_text("1,094 users in control")
    expect(page.locator(".stats-answer")).to_contain_text("Evan Miller")
    page.get_by_label("Baseline rate").fill("1.4")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator("#baseline-error")).to_contain_text("between 0 and 1")
