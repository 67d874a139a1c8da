"""The "Where can I get?" page in headless Chromium: the list, chart and table drawn, a point's name on
hover, one click to the route on Plan, and axe-core finding no serious violation.

Screenshots go to ``tests/artifacts/`` (and to ``$PLANNER_SCREENSHOTS`` when set).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.browser_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, require_browser, running_app
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

UI_MS = 120_000


@pytest.fixture(scope="module")
def app() -> Iterator[str]:
    require_browser()
    with running_app(name="streamlit-reach") as url:
        yield url


@pytest.fixture(scope="module")
def chromium(app: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium) -> Iterator[object]:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(UI_MS)
    try:
        yield page
    finally:
        context.close()


def _settle(page) -> None:
    page.wait_for_load_state("networkidle", timeout=UI_MS)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=UI_MS)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=UI_MS)
    page.wait_for_timeout(500)


def _shoot(page, name: str) -> Path:
    """The whole page: Streamlit scrolls inside its main block, so the window grows to its height first."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    height = page.evaluate("() => (document.querySelector('[data-testid=\"stMain\"]') || document.body).scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(max(int(height) + 40, 1000), 6000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})
    extra = os.environ.get("PLANNER_SCREENSHOTS")
    if extra:
        (ROOT / extra).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, ROOT / extra / path.name)
    return path


def _open_reach(page, app: str) -> None:
    page.goto(f"{app}/reach")
    page.get_by_role("heading", name="Where can I get?").wait_for()
    page.get_by_text("Your next best step").wait_for()
    _settle(page)


def test_the_page_draws_the_ranked_targets_and_opens_one_on_plan(page, app) -> None:
    _open_reach(page, app)
    table = page.locator('[data-testid="stTable"] table')
    assert table.locator("tbody tr").count() == 10
    first = table.locator("tbody tr").first.inner_text()
    assert "Sustainability manager" in first
    chart = page.locator('[data-testid="stPlotlyChart"]')
    assert chart.locator("g.points path").count() >= 10
    _shoot(page, "reach-page")
    # a point's name is on hover
    chart.locator("g.points path").first.hover(force=True)
    page.locator("g.hovertext").first.wait_for(timeout=UI_MS)
    assert (page.locator("g.hovertext").first.text_content() or "").strip()
    # one click opens that target's route on Plan, where it can be saved
    page.get_by_role("button", name="Open on Plan: Energy manager").click()
    page.wait_for_url(f"{app}/plan**")
    page.get_by_role("heading", name="Plan a route").wait_for()
    _settle(page)
    # the Plan page writes its scenario into the address: the target chosen on this page
    page.wait_for_url("**target=role%3Aenergy-manager**", timeout=UI_MS)
    page.get_by_text("Route 1", exact=True).first.wait_for()
    page.get_by_role("button", name="Save to your plans").wait_for()
    _shoot(page, "reach-opened-on-plan")


def test_axe_finds_no_serious_violation(page, app) -> None:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright",
                                     reason="axe-playwright-python (axe-core for Playwright) is not installed")
    _open_reach(page, app)
    results = axe_module.Axe().run(page)
    serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:5]) for v in serious]
