"""Real-browser tests: ``loopprep serve`` in a subprocess, driven by Debian's Chromium via Playwright.

* ``live_server`` - one server (and one SQLite database) for the whole session; tests that need a
  profile set it themselves through the form (see ``save_profile``), so their order does not matter.
* ``fresh_server`` - a server on an empty database, for the first-run flow.
* ``browser`` / ``page`` - one Chromium per session, a new context and page per test.  Requests
  that leave 127.0.0.1 are aborted, so the tests never touch the network.

When a test here fails, the tail of the server log is added to its report.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 20.0
LOG_TAIL_LINES = 60
HERE = Path(__file__).parent.resolve()

# Server logs per owner: "session" for live_server, a test's nodeid for fresh_server.
_SERVER_LOGS: dict[str, Path] = {}


# --------------------------------------------------------------------------- the server


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    base_url: str
    log_path: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(cannot read {path}: {exc})"
    tail = text.splitlines()[-lines:]
    return "\n".join(tail) if tail else "(the server wrote nothing)"


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _answers(url: str) -> bool:
    try:
        with _NO_PROXY.open(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait()


def _start_server(data_dir: Path, log_path: Path, attempts: int = 3) -> Server:
    """Start ``python -m loopprep serve`` on a free port and wait until /welcome answers.

    A free port can be taken by someone else between picking and binding it, so a server that
    could not bind is retried on another port (the log keeps every attempt)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOPPREP_")}
    env.update(LOOPPREP_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    failure = ""
    with log_path.open("ab") as log:
        for attempt in range(1, attempts + 1):
            port = _free_port()
            base_url = f"http://127.0.0.1:{port}"
            log.write(f"--- loopprep serve --port {port} (attempt {attempt}) ---\n".encode())
            log.flush()
            start_offset = log.tell()
            proc = subprocess.Popen(
                [sys.executable, "-m", "loopprep", "serve", "--port", str(port)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    failure = f"exited with status {proc.returncode}"
                    break
                if _answers(f"{base_url}/welcome"):
                    return Server(proc, base_url, log_path)
                time.sleep(0.1)
            else:
                failure = f"did not answer {base_url}/welcome within {START_TIMEOUT:.0f} s"
            _stop(proc)
            with log_path.open("rb") as f:
                f.seek(start_offset)
                if b"address already in use" not in f.read().lower():
                    break
    pytest.fail(
        f"loopprep serve {failure}; last lines of its log ({log_path}):\n{_log_tail(log_path, 20)}", pytrace=False
    )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:<port>``) of a server shared by the whole session."""
    root = tmp_path_factory.mktemp("live-server")
    log_path = root / "server.log"
    _SERVER_LOGS["session"] = log_path
    server = _start_server(root / "data", log_path)
    try:
        yield server.base_url
    finally:
        _stop(server.proc)


@pytest.fixture
def fresh_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Base URL of a server of this test's own, on an empty database (no profile yet)."""
    log_path = tmp_path / "server.log"
    _SERVER_LOGS[request.node.nodeid] = log_path
    server = _start_server(tmp_path / "data", log_path)
    try:
        yield server.base_url
    finally:
        _stop(server.proc)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not report.failed or not Path(str(item.path)).resolve().is_relative_to(HERE):
        return
    logs: list[tuple[str, Path]] = []
    if "live_server" in item.fixturenames and "session" in _SERVER_LOGS:
        logs.append(("live_server", _SERVER_LOGS["session"]))
    if item.nodeid in _SERVER_LOGS:
        logs.append(("fresh_server", _SERVER_LOGS[item.nodeid]))
    for name, path in logs:
        report.sections.append(
            (f"loopprep server log, {name} ({call.when}): last {LOG_TAIL_LINES} lines of {path}", _log_tail(path))
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.path)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "Run scripts/test (it installs it via scripts/install-chromium).",
            pytrace=False,
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


_LOCAL = re.compile(r"^(https?://127\.0\.0\.1(:\d+)?/|about:|data:|blob:)")


def _only_local(route: Route) -> None:
    if _LOCAL.match(route.request.url):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(10_000)
    ctx.set_default_navigation_timeout(15_000)
    ctx.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/])"), _only_local)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    pg = context.new_page()
    try:
        yield pg
    finally:
        pg.close()


# --------------------------------------------------------------------------- the profile form
# Helpers are fixtures (not imports), so they work under any --import-mode.

ROLES = ("ml-engineer", "ai-llm-engineer", "data-scientist")
LEVELS = ("l4", "l5", "l6-plus")
COMPANY_TYPES = ("faang", "ai-first-lab", "product-company", "startup")


def _fill_profile_form(
    page: Page,
    *,
    role: str,
    level: str,
    company_types: Iterable[str],
    loop_date: dt.date,
    target_companies: str = "",
) -> None:
    """Fill every field of the profile form on the current page (checkboxes set exactly)."""
    wanted = set(company_types)
    assert role in ROLES and level in LEVELS and wanted <= set(COMPANY_TYPES)
    page.check(f"input[name=role][value={role}]")
    page.check(f"input[name=level][value={level}]")
    for company in COMPANY_TYPES:
        page.locator(f"input[name=company_types][value={company}]").set_checked(company in wanted)
    page.fill("#loop_date", loop_date.isoformat())
    page.fill("#target_companies", target_companies)


def _save_profile(
    page: Page,
    base_url: str,
    *,
    role: str,
    level: str = "l5",
    company_types: Iterable[str] = ("product-company",),
    loop_date: dt.date | None = None,
    target_companies: str = "",
) -> None:
    """Set the profile through /profile (first run or edit alike) and land on the dashboard."""
    page.goto(f"{base_url}/profile")
    _fill_profile_form(
        page,
        role=role,
        level=level,
        company_types=company_types,
        loop_date=loop_date or dt.date.today() + dt.timedelta(days=30),
        target_companies=target_companies,
    )
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator("ol#weights li.weight").first).to_be_visible()


@pytest.fixture
def fill_profile_form() -> Callable[..., None]:
    """``fill_profile_form(page, role=, level=, company_types=, loop_date=, target_companies=)``."""
    return _fill_profile_form


@pytest.fixture
def save_profile() -> Callable[..., None]:
    """``save_profile(page, base_url, role=, level=, company_types=, ...)``: via the form, to the dashboard."""
    return _save_profile
