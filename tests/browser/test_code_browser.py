"""ML coding in a real browser: type a solution with the keyboard, see "Wrong answer", fix it, see
"Accepted" and the perf figures; Ctrl+Enter runs the examples; Esc then Tab leaves the editor; the
page also works with JavaScript off."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

SHOTS = Path("/tmp/shots")
PID = "stable-softmax"
BUGGY = (
    "import numpy as np\n"
    "\n"
    "\n"
    "def softmax(x, axis=-1):\n"
    "    if x.size == 0:\n"
    '        raise ValueError("empty")\n'
    "    e = np.exp(x)\n"
    "    return e / np.sum(e, axis=axis, keepdims=True)"
)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def _value(page: Page) -> str:
    return str(page.locator("#code").input_value())


def test_solve_a_problem_with_the_keyboard(page: Page, live_server: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/code")
    expect(page.locator("h1")).to_have_text("ML coding")
    expect(page.locator("#count-total")).not_to_have_text("0")
    _shot(page, "code-list.png")
    page.select_option("#f-difficulty", "easy")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/code\?topic=&difficulty=easy&status="))
    page.get_by_role("link", name="Numerically stable softmax").click()
    expect(page).to_have_url(f"{live_server}/code/{PID}")
    expect(page.locator("#clock-time")).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(page.locator("#clock-restart")).to_be_visible()
    _shot(page, "code-problem-before.png")

    editor = page.locator("#code")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    kb = page.keyboard
    kb.type("import numpy as np")
    kb.press("Enter")
    kb.press("Enter")
    kb.press("Enter")
    kb.type("def softmax(x, axis=-1):")
    kb.press("Enter")  # a block opens: indented by 4
    assert _value(page).endswith(":\n    ")
    kb.press("Shift+Tab")  # dedents the line...
    assert _value(page).endswith(":\n")
    kb.press("Tab")  # ...and Tab indents it again by 4 spaces
    assert _value(page).endswith(":\n    ")
    kb.type("if x.size == 0:")
    kb.press("Enter")
    kb.type('raise ValueError("empty")')
    kb.press("Enter")  # keeps the indentation of the line above (8)
    kb.press("Shift+Tab")
    kb.type("e = np.exp(x)")
    kb.press("Enter")
    kb.type("return e / np.sum(e, axis=axis, keepdims=True)")
    assert _value(page) == BUGGY

    # Esc, then Tab: focus leaves the editor (keyboard users are never trapped).
    kb.press("Escape")
    kb.press("Tab")
    assert page.evaluate("document.activeElement.id") == "run-btn"
    assert _value(page) == BUGGY

    page.locator("#submit-btn").click()
    verdict = page.locator("#result #verdict")
    expect(verdict).to_have_text("Wrong answer")
    expect(page.locator("#result")).to_contain_text("numerical stability")
    expect(page.locator("#result")).to_contain_text("the test's data stays hidden")
    expect(page.locator("#history-rows tr")).to_have_count(1)
    _shot(page, "code-problem-wrong.png")

    # Fix it: select the raw exponent and type the shifted one.
    start = BUGGY.index("np.exp(x)")
    editor.evaluate(f"el => {{ el.focus(); el.setSelectionRange({start}, {start + len('np.exp(x)')}); }}")
    kb.type("np.exp(x - np.max(x, axis=axis, keepdims=True))")
    assert "np.exp(x - np.max(x, axis=axis, keepdims=True))" in _value(page)
    page.locator("#submit-btn").click()
    expect(verdict).to_have_text("Accepted")
    expect(page.locator("#perf-h")).to_have_text("More than correctness")
    expect(page.locator("#perf-ratio")).to_have_text(re.compile(r"^\d+\.\d\d×$"), timeout=20_000)
    expect(page.locator("#problem-status")).to_have_text("Solved")
    expect(page.locator("#history-rows tr")).to_have_count(2)
    expect(page.locator("#history-rows tr").first).to_contain_text("Accepted")
    expect(page.locator("#history-rows tr").first.locator("td").last).to_have_text(re.compile(r"\d+\.\d\d×"))
    _shot(page, "code-problem-after.png")

    # Ctrl+Enter runs the visible examples.
    editor.click()
    kb.press("Control+Enter")
    expect(page.locator("#result .code-verdict-meta")).to_contain_text("Run: the visible examples")
    expect(verdict).to_have_text("Accepted")
    expect(page.locator("#history-rows tr")).to_have_count(3)

    # A compile error names the line and the gutter marks it.
    editor.fill("import numpy as np\n\ndef softmax(x, axis=-1):\n    return (\n")
    kb.press("Control+Enter")
    expect(verdict).to_have_text("Compile error")
    page.locator("a.code-goto").click()
    expect(page.locator("#code-gutter b")).to_have_text("4")

    # After a reload the editor holds the last attempt and the clock kept running.
    page.reload()
    assert "return (" in _value(page)
    expect(page.locator("#history-rows tr")).to_have_count(4)
    assert errors == []


def test_the_form_works_without_javascript(browser: Browser, live_server: str) -> None:
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(f"{live_server}/code/stable-sigmoid")
        expect(page.locator("#clock-time")).to_have_text("--:--")
        page.locator("#code").fill("def nothing():\n    pass\n")
        page.locator("#run-btn").click()
        expect(page).to_have_url(f"{live_server}/code/stable-sigmoid/run")
        expect(page.locator("#verdict")).to_be_visible()
        assert page.locator("#code").input_value() == "def nothing():\n    pass\n"
        expect(page.locator("#history-rows tr")).to_have_count(1)
    finally:
        ctx.close()


def test_a_restored_draft_fills_the_editor_until_a_graded_run(page: Page, fresh_server: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    fixture = Path(__file__).parent.parent / "fixtures" / "export-v5.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOPPREP_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "loopprep",
            "--data-dir",
            str(tmp_path / "data"),
            "import",
            str(fixture),
            "--replace",
            "-y",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{fresh_server}/code/{PID}")
    note = page.locator("#draft-note")
    expect(note).to_contain_text("saved 2026-12-07 21:45 UTC because the judge was busy")
    assert _value(page).startswith("import numpy as np") and "z = x - np.max" in _value(page)
    page.get_by_role("button", name="Run examples").click()
    expect(page.locator("#verdict")).to_have_text("Accepted")
    expect(note).to_have_count(0)  # graded: the draft is gone from the page and the database
    page.reload()
    expect(page.locator("#draft-note")).to_have_count(0)
    assert "z = x - np.max" in _value(page)  # now the last attempt's code
    assert errors == []
