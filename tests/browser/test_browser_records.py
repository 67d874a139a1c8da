"""Local single-user mode in the real app: a saved plan survives a restart and opens from the caseload.

Starts ``streamlit run app.py`` twice on the same database file (an app restart), driving
Debian's Chromium through Playwright; skips with the reason when either is missing.
"""

from __future__ import annotations

import pytest

from tests.browser.browser_support import ARTIFACTS, UI_MS, VIEWPORT, running_app, settle

pytestmark = pytest.mark.browser


def test_a_plan_saved_locally_survives_a_restart_and_opens_from_the_caseload(tmp_path, monkeypatch, chromium) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'planner.sqlite3'}")
    with running_app(name="streamlit-records-1") as url:
        page = chromium.new_page(viewport=VIEWPORT)
        page.set_default_timeout(UI_MS)
        page.goto(f"{url}/?target=role:data-analyst&budget=1500&currency=EUR")
        page.get_by_text("Route 1", exact=True).first.wait_for()
        page.get_by_role("button", name="Save to your plans").click()
        page.get_by_text("Saved as version 1 of your plan (plan 1).").wait_for()
        page.close()
    with running_app(name="streamlit-records-2") as url:  # the app restarted: same database, new process
        page = chromium.new_page(viewport=VIEWPORT)
        page.set_default_timeout(UI_MS)
        page.goto(f"{url}/caseload")
        page.get_by_role("heading", name="Caseload").wait_for()
        settle(page, pause_ms=0)
        expect(page.get_by_text("1 of 1 learners · 0 plans no longer hold")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "caseload.png"))
        # single-user mode: the one person there is, chosen already in the sidebar
        expect(page.locator('[data-testid="stSidebar"]').get_by_role(
            "combobox", name="Working on")).to_have_value("Local user (you)", timeout=UI_MS)
        page.get_by_role("button", name="Plan for this learner").click()
        page.get_by_role("heading", name="Plan a route").wait_for()  # the default page: URL "/"
        page.get_by_text("Route 1", exact=True).first.wait_for()
        settle(page, pause_ms=0)
        page.screenshot(path=str(ARTIFACTS / "caseload-opened.png"))
        expect(page.get_by_role("button", name="Save as version 2 of your plan")).to_be_visible(timeout=UI_MS)
        expect(page.get_by_label("Budget", exact=True)).to_have_value("1500.00", timeout=UI_MS)
