"""The real app in headless Chromium: start ``streamlit run app.py``, plan a route, take screenshots.

Uses Debian's Chromium (``/usr/bin/chromium``) through Playwright's Python package; it never
downloads a browser. Skips with the reason when either is missing. Screenshots go to
``tests/artifacts/`` (gitignored); set ``PLANNER_SCREENSHOTS=docs/screenshots`` to refresh the
README's pictures.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
STARTUP_SECONDS = 120  # a loaded 2-core CI machine imports plotly and streamlit slowly
UI_MS = 120_000
VIEWPORT = {"width": 1400, "height": 1000}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A Streamlit server running app.py on a free port; killed at teardown."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (install Debian's 'chromium' package)")
    pytest.importorskip("playwright.sync_api", reason="the 'playwright' Python package is not installed")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTIFACTS / "streamlit-server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(url):
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}; see {log.name}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit not healthy after {STARTUP_SECONDS} s; see {log.name}")
            time.sleep(0.5)
        yield url
    finally:
        # the server and anything it started share its own process group
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
        log.close()


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(UI_MS)
    try:
        yield page
    finally:
        context.close()


def _settle(page) -> None:
    # Streamlit shows a "running" indicator while the script runs; wait until it is gone
    page.wait_for_load_state("networkidle", timeout=UI_MS)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=UI_MS)


def _shoot(page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    extra = os.environ.get("PLANNER_SCREENSHOTS")
    if extra:
        target = ROOT / extra
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / path.name)
    return path


def test_plan_a_route_end_to_end(server: str, page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server}/?target=role:data-analyst&budget=1500&currency=EUR&hours_per_week=12")
    page.get_by_text("Route 1", exact=True).first.wait_for(timeout=UI_MS)
    # the form holds what the link said (the input may repaint a moment after the routes)
    expect(page.get_by_label("Budget", exact=True)).to_have_value("1500.00", timeout=UI_MS)
    page.get_by_role("tab", name="Timeline").first.click()
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    chart.wait_for(state="visible", timeout=UI_MS)
    assert chart.locator(".bars .point, .barlayer .point").count() > 0  # one bar per scheduled step
    _settle(page)
    shot = _shoot(page, "plan")
    assert shot.stat().st_size > 10_000


def test_diagnosis_and_one_click_relaxation(server: str, page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server}/?target=role:data-analyst&budget=20&currency=EUR")
    page.get_by_text("No route reaches this target", exact=False).first.wait_for(timeout=UI_MS)
    _settle(page)
    _shoot(page, "plan-diagnosis")
    page.get_by_role("button", name="Apply:").first.click()
    page.get_by_text("Route 1", exact=True).first.wait_for(timeout=UI_MS)
    budget = page.get_by_label("Budget", exact=True)
    expect(budget).not_to_have_value("20.00", timeout=UI_MS)
    assert float(budget.input_value()) > 20


def test_credit_stacking_towards_an_award(server: str, page) -> None:
    page.goto(f"{server}/?target=award:nhu-cert-applied-data-analytics")
    page.get_by_text("Route 1", exact=True).first.wait_for(timeout=UI_MS)
    page.get_by_role("tab", name="Credit stacking").first.click()
    sankey = page.locator('[data-testid="stPlotlyChart"]').filter(has=page.locator(".sankey")).first
    sankey.wait_for(state="visible", timeout=UI_MS)
    _settle(page)
    sankey.scroll_into_view_if_needed()
    page.mouse.wheel(0, 250)  # the tab bar and the chart together
    page.wait_for_timeout(500)
    _shoot(page, "plan-stacking")


def test_change_target_in_the_ui(server: str, page) -> None:
    page.goto(f"{server}/?target=role:data-analyst")
    page.get_by_text("Route 1", exact=True).first.wait_for(timeout=UI_MS)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Target role or award").first
    box.click()
    page.keyboard.type("Energy manager")
    page.keyboard.press("Enter")
    # the URL follows the new scenario, and the first step is an energy course
    page.wait_for_url("**target=role%3Aenergy-manager**", timeout=UI_MS)
    page.get_by_text("Energy Auditing", exact=False).first.wait_for(timeout=UI_MS)


def test_what_if_excluding_a_provider(server: str, page) -> None:
    page.goto(f"{server}/compare?target=role:data-analyst")
    page.get_by_text("What if A", exact=True).first.wait_for(timeout=UI_MS)
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Exclude providers").first
    box.click()
    page.keyboard.type("OpenSkills")
    # the option itself: Enter can land while the page is still redrawing and choose nothing
    page.get_by_role("option", name="OpenSkills Academy").first.click(timeout=UI_MS)
    page.keyboard.press("Escape")
    page.get_by_text("Differs from the current plan", exact=False).first.wait_for(timeout=UI_MS)
    _settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    _shoot(page, "compare")


def test_coverage_heatmap(server: str, page) -> None:
    page.goto(f"{server}/coverage")
    page.get_by_text("Awards stackable").first.wait_for(timeout=UI_MS)
    page.get_by_role("tab", name="Heatmap").first.click()
    rows = page.locator('[data-testid="stRadio"]').filter(has_text="Rows").first
    rows.get_by_text("roles", exact=True).click()  # roles × competencies
    page.get_by_text("Roles × competencies", exact=False).first.wait_for(state="visible", timeout=UI_MS)
    _settle(page)
    assert page.locator('[data-testid="stPlotlyChart"] .heatmaplayer').count() >= 1
    _shoot(page, "coverage-heatmap")


def test_explore_a_credential(server: str, page) -> None:
    page.goto(f"{server}/explore")
    page.get_by_text("EU standard elements").first.wait_for(timeout=UI_MS)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Details of").first
    box.click()
    page.keyboard.type("Applied Machine Learning")
    page.keyboard.press("Enter")
    page.get_by_text("Noordhaven University", exact=True).first.wait_for(timeout=UI_MS)
    _settle(page)
    # the detail view at the top of the picture, with the selectbox just above it
    page.get_by_text("Details of", exact=True).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    assert page.get_by_text("Applied Machine Learning", exact=True).count() >= 1
    _shoot(page, "explore-detail")


@pytest.mark.parametrize(("path", "ready"), [
    ("coverage", "Awards stackable"),
    ("explore", "EU standard elements"),
    ("catalogue", "Catalogue files"),
])
def test_every_page_in_the_browser(server: str, page, path: str, ready: str) -> None:
    page.goto(f"{server}/{path}")
    page.get_by_text(ready, exact=False).first.wait_for(timeout=UI_MS)
    _settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    _shoot(page, path.split("?")[0])
