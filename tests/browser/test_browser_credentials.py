"""In headless Chromium: a learner uploads a signed CLR on the Plan page, it verifies, and the route,
the holdings and the handout say so. A full-page screenshot is saved for people to look at."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.browser_support import ARTIFACTS, UI_MS, require_browser, running_app, settle
from tests.verify.test_verify_holdings import _clr
from tests.verify.test_verify_review import CLR20, CONTEXTS, OB30

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app() -> Iterator[str]:
    require_browser()
    if not CONTEXTS.is_dir():
        pytest.skip(f"reference contexts not found at {CONTEXTS}")
    before = os.environ.get("PLANNER_CONTEXT_DIR")
    os.environ["PLANNER_CONTEXT_DIR"] = str(CONTEXTS)  # the server verifies offline against these
    try:
        with running_app(name="streamlit-credentials") as url:
            yield url
    finally:
        if before is None:
            os.environ.pop("PLANNER_CONTEXT_DIR", None)
        else:
            os.environ["PLANNER_CONTEXT_DIR"] = before


def test_a_verified_clr_counts_on_the_plan_page(app: str, page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    reference = CLR20 / "simple.json"  # "Teamwork": verified, but not in the bundled catalogue
    if not reference.is_file():
        pytest.skip(f"reference file not found: {reference}")
    clr = _clr(tmp_path)  # a signed transcript holding the bundled catalogue's Python for Data Analysis
    page.goto(f"{app}/plan?target=role:data-analyst")
    page.get_by_text("Route 1", exact=True).first.wait_for(timeout=UI_MS)
    steps = page.locator('[data-testid="stTabs"]').first
    steps.get_by_text("Python for Data Analysis", exact=False).first.wait_for(timeout=UI_MS)  # taught: not held
    page.get_by_text("Credentials you hold as Open Badges 3.0 / CLR 2.0 files", exact=False).click()
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Add credentials you hold")
    expired = OB30 / "simple-err-expired.json"  # expired in 2010: listed with its reason, never counted
    uploader.locator('input[type="file"]').set_input_files([str(clr), str(reference), str(expired)])
    counted = page.locator(".st-key-plan_counted")
    counted.get_by_text("verified: its signed credential checked", exact=False).wait_for(timeout=UI_MS)
    settle(page, pause_ms=500)
    assert counted.get_by_text("Python for Data Analysis", exact=False).count() == 1
    assert counted.get_by_text("Teamwork", exact=False).count() == 0  # not in this catalogue: not counted
    assert page.get_by_text("Counted from these files: Python for Data Analysis (verified)").count() == 1
    expect(steps.get_by_text("Python for Data Analysis", exact=False)).to_have_count(0, timeout=UI_MS)  # held
    # the app scrolls inside its main block, so a full-page picture needs a window as tall as the content
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(max(int(height) + 100, 1000), 8000)})
    settle(page, pause_ms=500)
    shot = tmp_path / "plan-verified-credentials.png"
    page.screenshot(path=str(shot), full_page=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / shot.name)
    assert shot.read_bytes().startswith(b"\x89PNG")
    with page.expect_download() as info:
        page.get_by_role("button", name="Markdown handout").click()
    handout = Path(info.value.path()).read_text(encoding="utf-8").replace("\\", "")
    assert "Holds Python for Data Analysis (earned 01 Jun 2025, verified)." in handout
    # another page and back: the uploader forgets its files, the verified holding stays
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Explore the catalogue", exact=True).click()
    page.get_by_text("EU standard elements").first.wait_for(timeout=UI_MS)
    settle(page, pause_ms=500)
    nav.get_by_text("Plan a route", exact=True).click()
    counted.get_by_text("verified: its signed credential checked", exact=False).wait_for(timeout=UI_MS)
    assert counted.get_by_text("Python for Data Analysis", exact=False).count() == 1
