"""One journey with the keyboard alone: choose a target, look at a route, write a note, take the handout.

No click, no mouse: only Tab, arrows, typing and Enter, as someone who cannot use a pointer
works (WCAG 2.1, 2.1.1 Keyboard). The page is opened by its address; everything after that
is keys. The handout that comes out must hold the note and the chosen target's route.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.browser_support import ARTIFACTS, running_app, settle

pytestmark = pytest.mark.browser

MAX_TABS = 150  # more presses than any page has stops: a control that cannot be reached fails

#: What has the keyboard focus: its tag, role, accessible label and text.
_FOCUS = """() => { const e = document.activeElement; if (!e) return null;
  const near = e.closest('[data-testid]'), group = e.closest('[data-testid=stRadio]');
  return {tag: e.tagName, role: e.getAttribute('role') || '', label: e.getAttribute('aria-label') || '',
          text: (e.innerText || '').trim(), testid: near ? near.getAttribute('data-testid') : '',
          group: group ? group.innerText : '', checked: !!e.checked}; }"""


def _settle(page) -> None:
    settle(page, lead_ms=400, pause_ms=200)


def _tab_to(page, wanted, what: str, *, back: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the focused element satisfies ``wanted``; fail if it never does."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focus = page.evaluate(_FOCUS)
        if focus and wanted(focus):
            return focus
    pytest.fail(f"{what} cannot be reached with the keyboard")


def test_a_plan_and_its_handout_with_the_keyboard_alone(tmp_path, monkeypatch, page) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'records.sqlite3'}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    note = "Evening classes only; start after the summer."
    with running_app(name="streamlit-keyboard") as url:
        page.goto(f"{url}/plan")
        page.get_by_text("Route 1", exact=True).first.wait_for()
        _settle(page)

        # the target: type to search the list, Enter to choose
        _tab_to(page, lambda f: f["label"] == "Target role or award", "the target")
        page.keyboard.type("Cloud engineer")
        page.keyboard.press("Enter")
        _settle(page)
        expect(page.locator('[data-testid="stCode"]').first).to_contain_text("target=role%3Acloud-engineer")

        # the second route: the radio group moves with the arrow keys
        _tab_to(page, lambda f: f["group"].startswith("Show route") and f["checked"], "the route chooser")
        page.keyboard.press("ArrowRight")
        _settle(page)
        expect(page.get_by_role("radio", name="Route 2")).to_be_checked()

        # the timeline tab, and the table under its chart
        _tab_to(page, lambda f: f["role"] == "tab" and f["text"] == "Steps", "the tabs")
        page.keyboard.press("ArrowRight")
        _settle(page)
        timeline = page.get_by_role("tabpanel").filter(has=page.locator('[data-testid="stPlotlyChart"]')).first
        expect(timeline.locator('[data-testid="stDataFrame"]')).to_be_visible()

        # to 'Compare and what-if' through the navigation
        _tab_to(page, lambda f: f["testid"] == "stSidebarNavLink" and f["text"].endswith("Compare and what-if"),
                "the navigation")
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Compare and what-if").wait_for()
        _settle(page)

        # the note: typed, committed with Ctrl+Enter
        _tab_to(page, lambda f: f["label"] == "Advisor's notes (go into the handout)", "the notes")
        page.keyboard.type(note)
        page.keyboard.press("Control+Enter")
        _settle(page)

        # the handout: the button pressed with Enter
        _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Markdown handout", "the handout")
        with page.expect_download() as download:
            page.keyboard.press("Enter")
        handout = download.value.path().read_text(encoding="utf-8")
        page.screenshot(path=str(ARTIFACTS / "keyboard-journey.png"), full_page=True)
    assert note in handout.replace("\\", "")
    assert re.search(r"cloud engineer", handout, re.I)
