"""Local single-user mode in the real app: a saved plan survives a restart and opens from the caseload.

Starts ``streamlit run app.py`` twice on the same database file (an app restart), driving
Debian's Chromium through Playwright; skips with the reason when either is missing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    STARTUP_SECONDS,
    UI_MS,
    VIEWPORT,
    _free_port,
    _healthy,
    _settle,
)
from tests.conftest import ROOT

pytestmark = pytest.mark.browser


@contextlib.contextmanager
def _app(database: str, log: Path) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PLANNER_DATABASE_URL": database}
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env,
        )
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start; see {log}")
                time.sleep(0.5)
            yield url
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


def test_a_plan_saved_locally_survives_a_restart_and_opens_from_the_caseload(tmp_path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (install Debian's 'chromium' package)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the 'playwright' Python package is not installed")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    database = f"sqlite:///{tmp_path / 'planner.sqlite3'}"
    log = ARTIFACTS / "streamlit-records.log"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            with _app(database, log) as url:
                page = browser.new_page(viewport=VIEWPORT)
                page.set_default_timeout(UI_MS)
                page.goto(f"{url}/?target=role:data-analyst&budget=1500&currency=EUR")
                page.get_by_text("Route 1", exact=True).first.wait_for()
                page.get_by_role("button", name="Save to your plans").click()
                page.get_by_text("Saved as version 1 of your plan (plan 1).").wait_for()
                page.close()
            with _app(database, log) as url:  # the app restarted: same database, new process
                page = browser.new_page(viewport=VIEWPORT)
                page.set_default_timeout(UI_MS)
                page.goto(f"{url}/caseload")
                page.get_by_role("heading", name="Caseload").wait_for()
                _settle(page)
                sync_api.expect(page.get_by_text("1 of 1 learners · 0 plans no longer hold")).to_be_visible()
                page.screenshot(path=str(ARTIFACTS / "caseload.png"))
                # single-user mode: the one person there is, chosen already in the sidebar
                sync_api.expect(page.locator('[data-testid="stSidebar"]').get_by_role(
                    "combobox", name="Working on")).to_have_value("Local user (you)", timeout=UI_MS)
                page.get_by_role("button", name="Plan for this learner").click()
                page.get_by_role("heading", name="Plan a route").wait_for()  # the default page: URL "/"
                page.get_by_text("Route 1", exact=True).first.wait_for()
                _settle(page)
                page.screenshot(path=str(ARTIFACTS / "caseload-opened.png"))
                sync_api.expect(page.get_by_role("button", name="Save as version 2 of your plan")).to_be_visible(
                    timeout=UI_MS)
                sync_api.expect(page.get_by_label("Budget", exact=True)).to_have_value("1500.00", timeout=UI_MS)
        finally:
            browser.close()
