"""Every person's journey in headless Chromium, signed in at a real OpenID Connect provider, store checked after.

The app runs with sign-in at ``oidc-provider-mock`` on 127.0.0.1 (three users: an
administrator named in ``PLANNER_ADMINS``, an advisor and a learner) and a learner store in
a temporary SQLite file. In the browser:

1. the learner signs in for the first time and lands on *My plan* (nothing saved yet), with
   no caseload in their navigation;
2. the administrator lands on *People and caseloads*, adds the advisor, and assigns the
   learner (who only signed in) to them;
3. the advisor picks that learner in the sidebar, plans, adds two what-ifs and a note on
   *Compare and what-if*, saves, marks a step completed on the caseload, re-plans and saves
   again; a reload keeps the page;
4. the learner signs in again, lands on that plan with its what-ifs and notes, sees both
   versions, and is refused the caseload, the compare page and anyone else's record.

A second test runs the app without sign-in: the single user adds a learner, plans for her and
saves; the plan is hers, not the local user's. After each journey the store is read back.
Full-page screenshots of every step go to ``tests/artifacts/journey-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from planner.catalogue.loader import default_catalogue_dir, load
from planner.store.identity import Identity
from planner.store.records import open_store
from tests.browser.browser_support import (
    ARTIFACTS,
    UI_MS,
    auth_secrets,
    running_app,
    running_oidc_provider,
    settle,
    sign_in,
)

pytestmark = pytest.mark.browser

ADMIN = {"sub": "admin-amy", "name": "Amy Admin", "email": "amy.admin@example.org", "email_verified": True}
ADVISOR = {"sub": "advisor-ada", "name": "Ada Advisor", "email": "ada.advisor@example.org", "email_verified": True}
LEARNER = {"sub": "learner-lea", "name": "Lea Learner", "email": "lea.learner@example.org", "email_verified": True}
NOTE = "Lea prefers evening classes; ask about the payment plan."
SECRET = "Omar's private note"


def _settle(page) -> None:
    settle(page, pause_ms=400)


def _shoot(page, name: str) -> None:
    """A picture of the whole page: Streamlit scrolls inside its main area, so the window grows to hold it."""
    _settle(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(1, 1)  # no tooltip over the picture
    size = page.viewport_size
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                           "'[data-testid=\"stMain\"], [data-testid=\"stSidebarContent\"]')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": min(max(size["height"], int(height) + 40), 9000)})
    _settle(page)
    page.screenshot(path=str(ARTIFACTS / f"journey-{name}.png"), full_page=True)
    page.set_viewport_size(size)


def _nav(page) -> list[str]:
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.wait_for(timeout=UI_MS)
    return [t.strip().splitlines()[-1] for t in nav.locator("a").all_inner_texts()]  # after the icon's name


def _go(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title).wait_for(timeout=UI_MS)
    _settle(page)


def _choose(page, label: str, option: str, *, typed: str | None = None, scope=None) -> None:
    where = scope or page
    _settle(page)
    box = where.get_by_role("combobox", name=label)
    box.click()
    try:  # the list opens on the click; a click landing while the page redraws opens nothing: open it by key
        page.get_by_role("listbox").wait_for(timeout=5_000)
    except Exception:
        box.focus()
        page.keyboard.press("ArrowDown")
        page.get_by_role("listbox").wait_for(timeout=UI_MS)
    if typed:
        page.keyboard.type(typed)
    try:
        page.get_by_role("option", name=option, exact=True).click(timeout=20_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "journey-failed-choice.png"), full_page=True)
        raise
    _settle(page)


@contextmanager
def _person(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(UI_MS)
    try:
        yield page
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "journey-failed.png"), full_page=True)  # what the browser showed
        raise
    finally:
        context.close()


def _learner_first_visit(browser, url: str) -> None:
    from playwright.sync_api import expect

    with _person(browser) as page:
        sign_in(page, url, LEARNER["sub"])
        page.get_by_role("heading", name="My plan").wait_for()
        expect(page.get_by_text("You have no saved plan yet", exact=False)).to_be_visible()
        assert _nav(page) == ["My plan", "Plan a route", "Where can I get?", "Explore the catalogue"]
        _shoot(page, "1-learner-first-sign-in")


def _administrator_assigns(browser, url: str) -> None:
    from playwright.sync_api import expect

    with _person(browser) as page:
        sign_in(page, url, ADMIN["sub"])
        page.get_by_role("heading", name="People and caseloads").wait_for()
        assert _nav(page) == ["People and caseloads", "Institution figures", "Coverage", "Explore the catalogue",
                              "Your own catalogue"]
        # the advisor, added before their first sign-in (the issuer is the administrator's own, filled in)
        form = page.locator('[data-testid="stForm"]')
        form.get_by_role("textbox", name="Name").fill(ADVISOR["name"])
        form.get_by_role("textbox", name="E-mail").fill(ADVISOR["email"])
        form.get_by_role("textbox", name="Subject (the provider's id for them)").fill(ADVISOR["sub"])
        _choose(page, "Role", "advisor", scope=form)
        form.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_text(f"Added {ADVISOR['name']} as advisor.")).to_be_visible()
        _settle(page)
        _choose(page, "Learner", "Lea Learner (signed in, nothing saved yet)")
        _choose(page, "Advisor", "Ada Advisor")
        page.get_by_role("button", name="Assign", exact=True).click()
        expect(page.get_by_text("Lea Learner is on Ada Advisor's caseload.")).to_be_visible()
        _shoot(page, "2-administrator-assigns")
        _go(page, "Institution figures")
        _shoot(page, "2b-administrator-figures")


def _advisor_plans(browser, url: str, catalogue) -> str:
    """The advisor's journey; returns the title of the step marked completed."""
    from playwright.sync_api import expect

    with _person(browser) as page:
        sign_in(page, url, ADVISOR["sub"])
        page.get_by_role("heading", name="Plan a route").wait_for()
        assert "Caseload" in _nav(page) and "People and caseloads" not in _nav(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(page.get_by_text("Choose the learner this plan is for", exact=False)).to_be_visible()
        _choose(page, "Working on", "Lea Learner · no plan yet", scope=sidebar)
        _choose(page, "Target role or award", "Role · Data analyst", typed="Data analyst")
        page.get_by_text("Route 1", exact=True).first.wait_for()
        expect(page.get_by_role("button", name="Save as a new plan for Lea Learner")).to_be_visible()
        _shoot(page, "3-advisor-plans-for-lea")
        # two what-ifs and a note on the compare page
        _go(page, "Compare and what-if")
        page.locator('[data-testid="stRadio"]').filter(has_text="Scenarios to compare").get_by_text(
            "3", exact=True).click()
        page.get_by_text("What if B", exact=True).first.wait_for()
        _settle(page)
        page.locator('[data-testid="stCheckbox"]').filter(has_text="Budget").first.click()
        _settle(page)
        amount = page.get_by_label("Budget amount").first
        amount.fill("600")
        amount.press("Enter")
        _settle(page)
        box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Exclude providers").nth(1)
        box.click()
        page.keyboard.type("OpenSkills")
        # the option itself: Enter can land while the page is still redrawing and choose nothing
        page.get_by_role("option", name="OpenSkills Academy").first.click(timeout=UI_MS)
        page.keyboard.press("Escape")
        _settle(page)
        notes = page.get_by_label("Advisor's notes (go into the handout)")
        notes.fill(NOTE)
        notes.press("Control+Enter")
        page.wait_for_timeout(1000)
        _settle(page)
        expect(page.get_by_text("Saved with it: 2 what-ifs and the notes.")).to_be_visible()
        page.get_by_role("button", name="Save as a new plan for Lea Learner").click()
        expect(page.get_by_text("Saved as version 1 of Lea Learner's plan", exact=False)).to_be_visible()
        _shoot(page, "4-advisor-saves-with-what-ifs")
        # a completed step on the caseload, a re-plan from today, saved again
        _go(page, "Caseload")
        page.get_by_role("heading", name="Lea Learner").wait_for()
        first = page.get_by_role("combobox", name=re.compile(r"^Status of ")).first
        title = (first.get_attribute("aria-label") or "").removeprefix("Status of ").strip()
        first.click()
        page.get_by_role("option", name="completed", exact=True).click()
        _settle(page)
        page.get_by_role("button", name="Re-plan from today").click()
        page.get_by_text("done:", exact=False).first.wait_for()
        _shoot(page, "5-advisor-replans")
        page.get_by_role("button", name="Save as a new version").click()
        expect(page.get_by_text("Saved as version 2 of Lea Learner's plan.")).to_be_visible()
        _shoot(page, "6-advisor-saved-again")
        # a reload keeps the page
        page.reload()
        page.get_by_role("heading", name="Caseload").wait_for()
        assert page.url.split("?")[0].endswith("/caseload")
        return title


def _learner_sees_the_plan(browser, url: str) -> None:
    from playwright.sync_api import expect

    with _person(browser) as page:
        sign_in(page, url, LEARNER["sub"])
        page.get_by_role("heading", name="My plan").wait_for()
        page.get_by_role("heading", name="Role · Data analyst").wait_for()
        expect(page.get_by_text("What if A", exact=True).first).to_be_visible()
        expect(page.get_by_text("budget 600 EUR", exact=False).first).to_be_visible()
        expect(page.get_by_text("excluding OpenSkills Academy", exact=False).first).to_be_visible()
        expect(page.get_by_text(NOTE).first).to_be_visible()
        expect(page.get_by_role("heading", name="Versions (2)")).to_be_visible()
        expect(page.get_by_role("heading", name="Compare two versions")).to_be_visible()
        assert "Caseload" not in _nav(page)
        _shoot(page, "7-learner-lands-on-the-plan")
        page.reload()
        page.get_by_role("heading", name="My plan").wait_for()
        assert page.url.split("?")[0].endswith("/my-plan")
        for path, title in (("caseload", "Caseload"), ("compare", "Compare and what-if")):
            page.goto(f"{url}/{path}")
            page.get_by_role("heading", name=title).wait_for()
            expect(page.get_by_text(f"'{title}' is for advisors; you are signed in as a learner.",
                                    exact=False)).to_be_visible()
            assert page.get_by_text("Omar Other").count() == 0 and page.get_by_text(SECRET).count() == 0
        _shoot(page, "8-learner-refused-the-compare-page")


def test_each_person_walks_their_journey_signed_in(tmp_path, monkeypatch, chromium) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=UI_MS)

    database = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    monkeypatch.setenv("PLANNER_DATABASE_URL", database)
    catalogue = load(default_catalogue_dir())
    with running_oidc_provider([ADMIN, ADVISOR, LEARNER]) as issuer:
        # the administrator is named by provider and subject (as PLANNER_ADMINS accepts), before the app starts
        monkeypatch.setenv("PLANNER_ADMINS", f"{issuer}|{ADMIN['sub']},{issuer}/|{ADMIN['sub']}")
        monkeypatch.delenv("PLANNER_ADVISORS", raising=False)
        with running_app(secrets_toml=auth_secrets(issuer), name="streamlit-roles", tmp_dir=tmp_path) as url:
            browser = chromium
            store = open_store(database)
            try:
                _learner_first_visit(browser, url)
                _administrator_assigns(browser, url)
                sent = _issuer(store)
                ada, lea = (store.user_for(Identity(sent, who["sub"])) for who in (ADVISOR, LEARNER))
                assert ada.role.value == "advisor"
                [row] = store.caseload(ada)
                assert row.name == "Lea Learner" and row.plan_id is None
                # someone else on the advisor's caseload, whose record the learner must never reach
                omar = store.create_learner(ada, "Omar Other")
                _save_a_plan(store, ada, omar.id, catalogue)
                done_title = _advisor_plans(browser, url, catalogue)
                _check_the_store(store, ada, lea, row.learner_id, done_title, catalogue)
                _learner_sees_the_plan(browser, url)
            finally:
                store.engine.dispose()


def _issuer(store) -> str:
    """The issuer the provider sent, as the store keeps it (read from the learner's user)."""
    from sqlalchemy import select

    from planner.store.tables import UserRow

    with store.engine.connect() as conn:
        return conn.execute(select(UserRow.issuer).where(UserRow.subject == LEARNER["sub"])).scalar_one()


def _save_a_plan(store, advisor, learner_id: int, catalogue) -> None:
    from planner.engine.routing import recommend
    from planner.engine.scenario import Scenario

    scenario = Scenario(target="role:energy-manager")
    rec = recommend(catalogue, scenario.to_profile(), scenario.to_target())
    store.save_plan(advisor, learner_id, scenario=scenario, catalogue=catalogue, recommendation=rec, notes=SECRET)


def _check_the_store(store, ada, lea, learner_id: int, done_title: str, catalogue) -> None:
    [plan] = store.plans(ada, learner_id)
    versions = store.plan_versions(ada, plan.plan_id)
    assert [v.version for v in versions] == [1, 2]
    for v in versions:  # the what-ifs and the note live in each version, the re-plan's too
        assert v.notes == NOTE and v.saved_by == "Ada Advisor" and v.target == "role:data-analyst"
        assert len(v.whatifs) == 2 and v.whatifs[0].budget == 600.0
        assert "openskills-academy" in v.whatifs[1].avoid_providers
    done = [cid for cid, p in store.progress(ada, plan.plan_id).items() if p.status == "completed"]
    assert [catalogue.credential(c).title for c in done] == [done_title]
    assert done[0] in versions[0].chosen and done[0] not in versions[1].chosen
    # the plan is the learner's own record: the one linked to their sign-in
    assert store.own_learner_id(lea) == learner_id and lea.role.value == "learner"


def test_the_single_user_plans_for_the_learner_they_chose(tmp_path, monkeypatch, chromium) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=UI_MS)
    database = f"sqlite:///{tmp_path / 'single.sqlite3'}"
    monkeypatch.setenv("PLANNER_DATABASE_URL", database)
    with running_app(name="streamlit-single-user") as url, _person(chromium) as page:
        page.goto(url)
        page.get_by_role("heading", name="Plan a route").wait_for()
        assert _nav(page) == ["My plan", "Plan a route", "Where can I get?", "Compare and what-if", "Caseload",
                              "Coverage",
                              "Explore the catalogue", "Your own catalogue"]
        _go(page, "Caseload")
        page.get_by_text("Add a learner", exact=True).click()
        page.get_by_label("Name", exact=True).fill("Noor Example")
        page.get_by_role("button", name="Add to my caseload").click()
        expect(page.get_by_text("Added Noor Example: the learner you work on now.")).to_be_visible()
        # her details, drawn after the message: a click before then is on the previous learner's button
        page.get_by_role("heading", name="Noor Example").wait_for()
        page.get_by_role("button", name="Plan for this learner").click()
        page.get_by_role("heading", name="Plan a route").wait_for()
        working_on = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Working on")
        expect(working_on).to_have_value("Noor Example · no plan yet")
        _choose(page, "Target role or award", "Role · Data analyst", typed="Data analyst")
        expect(working_on).to_have_value("Noor Example · no plan yet")  # choosing a target keeps the learner
        page.get_by_text("Route 1", exact=True).first.wait_for()
        page.get_by_role("button", name="Save as a new plan for Noor Example").click()
        expect(page.get_by_text("Saved as version 1 of Noor Example's plan", exact=False)).to_be_visible()
        _shoot(page, "9-single-user-saves-for-noor")
    store = open_store(database)
    try:
        me = store.local_user()
        by_name = {r.name: r for r in store.caseload(me)}
        assert (by_name["Noor Example"].version, by_name["Noor Example"].target) == (1, "role:data-analyst")
        assert by_name["Local user"].plan_id is None  # nothing saved to the local user
    finally:
        store.engine.dispose()
