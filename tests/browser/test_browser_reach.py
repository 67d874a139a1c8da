"""The "Where can I get?" page in headless Chromium: the list, chart and table drawn, a point's name on
hover, one click to the route on Plan, and axe-core finding no serious violation.

Screenshots go to ``tests/artifacts/`` (and to ``$PLANNER_SCREENSHOTS`` when set).
"""

from __future__ import annotations

import pytest

from tests.browser.browser_support import UI_MS, settle, shoot

pytestmark = pytest.mark.browser


def _open_reach(page, app: str) -> None:
    page.goto(f"{app}/reach")
    page.get_by_role("heading", name="Where can I get?").wait_for()
    page.get_by_text("Your next best step").wait_for()
    settle(page, pause_ms=500)


def test_the_page_draws_the_ranked_targets_and_opens_one_on_plan(page, app) -> None:
    _open_reach(page, app)
    table = page.locator('[data-testid="stTable"] table')
    assert table.locator("tbody tr").count() == 10
    first = table.locator("tbody tr").first.inner_text()
    assert "Sustainability manager" in first
    chart = page.locator('[data-testid="stPlotlyChart"]')
    assert chart.locator("g.points path").count() >= 10
    shoot(page, "reach-page", grow=True)
    # a point's name is on hover
    chart.locator("g.points path").first.hover(force=True)
    page.locator("g.hovertext").first.wait_for(timeout=UI_MS)
    assert (page.locator("g.hovertext").first.text_content() or "").strip()
    # one click opens that target's route on Plan, where it can be saved
    page.get_by_role("button", name="Open on Plan: Energy manager").click()
    page.wait_for_url(f"{app}/plan**")
    page.get_by_role("heading", name="Plan a route").wait_for()
    settle(page, pause_ms=500)
    # the Plan page writes its scenario into the address: the target chosen on this page
    page.wait_for_url("**target=role%3Aenergy-manager**", timeout=UI_MS)
    page.get_by_text("Route 1", exact=True).first.wait_for()
    page.get_by_role("button", name="Save to your plans").wait_for()
    shoot(page, "reach-opened-on-plan", grow=True)


def test_axe_finds_no_serious_violation(page, app) -> None:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright",
                                     reason="axe-playwright-python (axe-core for Playwright) is not installed")
    _open_reach(page, app)
    results = axe_module.Axe().run(page)
    serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:5]) for v in serious]
