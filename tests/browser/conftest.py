"""Fixtures shared by the headless-browser tests: the plain app, Chromium and a fresh page.

A test file that needs the app set up otherwise (a secrets file for sign-in, a records
database, an environment variable) defines its own ``app``; ``chromium`` and ``page`` then
use it as they are. Each file gets its own server (module scope): the files run on
different xdist workers (``tests/conftest.py`` groups them by file).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.browser_support import CHROMIUM, CHROMIUM_ARGS, UI_MS, VIEWPORT, require_browser, running_app


@pytest.fixture(scope="module")
def app(request: pytest.FixtureRequest) -> Iterator[str]:
    """The app on the bundled catalogue, single-user; its log is named after the test file."""
    require_browser()
    with running_app(name=f"streamlit-{Path(request.path).stem}") as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's Chromium through Playwright, one per test file."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium) -> Iterator[object]:
    """A page in a fresh browser context (no cookies or storage from another test); downloads allowed."""
    context = chromium.new_context(viewport=VIEWPORT, device_scale_factor=1, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(UI_MS)
    try:
        yield page
    finally:
        context.close()
