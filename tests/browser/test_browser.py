"""The real app in headless Chromium: start ``streamlit run app.py``, plan a route, take screenshots.

Uses Debian's Chromium (``/usr/bin/chromium``) through Playwright's Python package; it never
downloads a browser. Skips with the reason when either is missing. Screenshots go to
``tests/artifacts/`` (gitignored); set ``PLANNER_SCREENSHOTS=docs/screenshots`` to refresh the
README's pictures.
"""

from __future__ import annotations

import pytest

from tests.browser.browser_support import UI_MS, settle, shoot

pytestmark = pytest.mark.browser


def test_plan_a_route_end_to_end(app: str, page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{app}/?target=role:data-analyst&budget=1500&currency=EUR&hours_per_week=12")
    page.get_by_text("Route 1", exact=True).first.wait_for(timeout=UI_MS)
    # the form holds what the link said (the input may repaint a moment after the routes)
    expect(page.get_by_label("Budget", exact=True)).to_have_value("1500.00", timeout=UI_MS)
    page.get_by_role("tab", name="Timeline").first.click()
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    chart.wait_for(state="visible", timeout=UI_MS)
    assert chart.locator(".bars .point, .barlayer .point").count() > 0  # one bar per scheduled step
    settle(page, pause_ms=0)
    shot = shoot(page, "plan")
    assert shot.stat().st_size > 10_000


def test_diagnosis_and_one_click_relaxation(app: str, page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{app}/?target=role:data-analyst&budget=20&currency=EUR")
    page.get_by_text("No route reaches this target", exact=False).first.wait_for(timeout=UI_MS)
    settle(page, pause_ms=0)
    shoot(page, "plan-diagnosis")
    page.get_by_role("button", name="Apply:").first.click()
    page.get_by_text("Route 1", exact=True).first.wait_for(timeout=UI_MS)
    budget = page.get_by_label("Budget", exact=True)
    expect(budget).not_to_have_value("20.00", timeout=UI_MS)
    assert float(budget.input_value()) > 20


def test_credit_stacking_towards_an_award(app: str, page) -> None:
    page.goto(f"{app}/?target=award:nhu-cert-applied-data-analytics")
    page.get_by_text("Route 1", exact=True).first.wait_for(timeout=UI_MS)
    page.get_by_role("tab", name="Credit stacking").first.click()
    sankey = page.locator('[data-testid="stPlotlyChart"]').filter(has=page.locator(".sankey")).first
    sankey.wait_for(state="visible", timeout=UI_MS)
    settle(page, pause_ms=0)
    sankey.scroll_into_view_if_needed()
    page.mouse.wheel(0, 250)  # the tab bar and the chart together
    page.wait_for_timeout(500)
    shoot(page, "plan-stacking")


def test_change_target_in_the_ui(app: str, page) -> None:
    page.goto(f"{app}/?target=role:data-analyst")
    page.get_by_text("Route 1", exact=True).first.wait_for(timeout=UI_MS)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Target role or award").first
    box.click()
    page.keyboard.type("Energy manager")
    page.keyboard.press("Enter")
    # the URL follows the new scenario, and the first step is an energy course
    page.wait_for_url("**target=role%3Aenergy-manager**", timeout=UI_MS)
    page.get_by_text("Energy Auditing", exact=False).first.wait_for(timeout=UI_MS)


def test_what_if_excluding_a_provider(app: str, page) -> None:
    page.goto(f"{app}/compare?target=role:data-analyst")
    page.get_by_text("What if A", exact=True).first.wait_for(timeout=UI_MS)
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Exclude providers").first
    box.click()
    page.keyboard.type("OpenSkills")
    # the option itself: Enter can land while the page is still redrawing and choose nothing
    page.get_by_role("option", name="OpenSkills Academy").first.click(timeout=UI_MS)
    page.keyboard.press("Escape")
    page.get_by_text("Differs from the current plan", exact=False).first.wait_for(timeout=UI_MS)
    settle(page, pause_ms=0)
    assert page.locator('[data-testid="stException"]').count() == 0
    shoot(page, "compare")


def test_coverage_heatmap(app: str, page) -> None:
    page.goto(f"{app}/coverage")
    page.get_by_text("Awards stackable").first.wait_for(timeout=UI_MS)
    page.get_by_role("tab", name="Heatmap").first.click()
    rows = page.locator('[data-testid="stRadio"]').filter(has_text="Rows").first
    rows.get_by_text("roles", exact=True).click()  # roles × competencies
    page.get_by_text("Roles × competencies", exact=False).first.wait_for(state="visible", timeout=UI_MS)
    settle(page, pause_ms=0)
    assert page.locator('[data-testid="stPlotlyChart"] .heatmaplayer').count() >= 1
    shoot(page, "coverage-heatmap")


def test_explore_a_credential(app: str, page) -> None:
    page.goto(f"{app}/explore")
    page.get_by_text("EU standard elements").first.wait_for(timeout=UI_MS)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Details of").first
    box.click()
    page.keyboard.type("Applied Machine Learning")
    page.keyboard.press("Enter")
    page.get_by_text("Noordhaven University", exact=True).first.wait_for(timeout=UI_MS)
    settle(page, pause_ms=0)
    # the detail view at the top of the picture, with the selectbox just above it
    page.get_by_text("Details of", exact=True).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    assert page.get_by_text("Applied Machine Learning", exact=True).count() >= 1
    shoot(page, "explore-detail")


@pytest.mark.parametrize(("path", "ready"), [
    ("coverage", "Awards stackable"),
    ("explore", "EU standard elements"),
    ("catalogue", "Catalogue files"),
])
def test_every_page_in_the_browser(app: str, page, path: str, ready: str) -> None:
    page.goto(f"{app}/{path}")
    page.get_by_text(ready, exact=False).first.wait_for(timeout=UI_MS)
    settle(page, pause_ms=0)
    assert page.locator('[data-testid="stException"]').count() == 0
    shoot(page, path.split("?")[0])
