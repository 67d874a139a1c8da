"""Every page, in every role, has no serious or critical WCAG 2.1 AA violation (axe-core in Chromium).

axe-core (Deque's rules engine, MPL-2.0) comes with the ``axe-playwright-python`` package
from PyPI and is loaded into each page. The pages are not listed here: each role's own
navigation is read from the sidebar, so a page added later is checked as soon as a role
can reach it. Every tab of a page is opened and checked too (a tab's content is hidden,
and unchecked, until it is shown).

Roles: single-user mode (no sign-in), and a learner, an advisor and an administrator
signed in through a local OpenID Connect provider (``oidc-provider-mock``), each put in a
throw-away learner store beforehand with their role (and the advisor with a learner and a
saved plan, so the caseload has something to show).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from tests.browser.browser_support import (
    ARTIFACTS,
    auth_secrets,
    require_browser,
    running_app,
    running_oidc_provider,
    settle,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The WCAG 2.1 A and AA rules of axe-core: what "WCAG 2.1 AA" means here.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: The impacts that fail the check.
FAILING = ("serious", "critical")
PEOPLE = {
    "learner": {"sub": "learner-lena", "name": "Lena Learner", "email": "lena@example.org"},
    "advisor": {"sub": "advisor-ada", "name": "Ada Advisor", "email": "ada@example.org"},
    "admin": {"sub": "admin-abe", "name": "Abe Admin", "email": "abe@example.org"},
}


#: True when the element is the label of a disabled control (its widget holds a disabled input).
_LABEL_OF_DISABLED = """el => {
  const label = el.closest('[data-testid="stWidgetLabel"]');
  if (!label) return false;
  const widget = label.parentElement;
  return !!widget && !!widget.querySelector('input:disabled, textarea:disabled, [aria-disabled="true"]');
}"""


def _inactive(page, node: dict) -> bool:
    # WCAG 2.1, 1.4.3: "text that is part of an inactive user interface component ... has no
    # contrast requirement". axe cannot tell that a label belongs to a disabled control; the
    # browser can. Only contrast findings on such labels are set aside, nothing else.
    target = node["target"][-1] if node.get("target") else None
    if not isinstance(target, str):
        return False
    handle = page.query_selector(target)
    return bool(handle and handle.evaluate(_LABEL_OF_DISABLED))


def axe_violations(page) -> list[dict]:
    """Run axe-core's WCAG 2.1 A/AA rules on the page as it is now; the serious and critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                       "resultTypes": ["violations"]})
    found = []
    for v in results.response["violations"]:
        if v.get("impact") not in FAILING:
            continue
        if v["id"] == "color-contrast":
            v = {**v, "nodes": [n for n in v["nodes"] if not _inactive(page, n)]}
            if not v["nodes"]:
                continue
        found.append(v)
    return found


def navigation(page, base: str) -> list[str]:
    """The addresses of the pages in the sidebar's navigation (this role's pages)."""
    settle(page, lead_ms=500)
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.locator("a[href]").first.wait_for()  # on a busy machine the app may not have drawn it yet
    settle(page, lead_ms=500)
    more = nav.get_by_role("button", name="View more")  # a long navigation is folded
    if more.count():
        more.click()
    hrefs = nav.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    pages = []
    for href in hrefs:
        url = href if href.startswith("http") else f"{base}/{href.lstrip('/')}"
        if url not in pages:
            pages.append(url)
    return pages


#: Figures (st.metric labels and values) whose text is wider than their box: cut off with "…".
_CUT_OFF = """() => [...document.querySelectorAll(
    '[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"], [data-testid="stMetricValue"] *')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.innerText.trim()).filter(t => t)"""


def cut_off(page) -> list[str]:
    """The figures on the page as it is now whose text does not fit (numbers never cut)."""
    return sorted(set(page.evaluate(_CUT_OFF)))


def check_pages(page, base: str, who: str) -> tuple[list[str], list[str]]:
    """axe-core on every page of the navigation and on every tab of each; (pages checked, failures)."""
    checked, failures = [], []
    for url in navigation(page, base):
        page.goto(url)
        settle(page, lead_ms=500)
        name = url.removeprefix(base).strip("/") or "home"
        for label in [None, *page.get_by_role("tab").all_inner_texts()]:
            if label is not None:  # a tab's panel is hidden until it is opened
                page.get_by_role("tab", name=label, exact=True).first.click()
                settle(page, lead_ms=500)
            for text in cut_off(page):
                failures.append(f"{who} · {name}{' · tab ' + label if label else ''}: the figure {text!r} is cut off")
            for v in axe_violations(page):
                nodes = "; ".join(" ".join(n["target"]) + " " + n["html"][:120] for n in v["nodes"][:3])
                failures.append(f"{who} · {name}{' · tab ' + label if label else ''}: {v['id']} ({v['impact']}): "
                                f"{v['help']} — {nodes}")
        checked.append(name)
        page.screenshot(path=str(ARTIFACTS / f"a11y-{who}-{name.replace('/', '-')}.png"))
    return checked, failures


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throw-away learner store for both servers (never the user's own database)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('records') / 'records.sqlite3'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("PLANNER_DATABASE_URL", url)
    yield url
    mp.undo()


@pytest.fixture(scope="module")
def single_user_app(store_url: str) -> Iterator[str]:
    """The app in single-user mode, on the throw-away store."""
    require_browser()
    with running_app(name="streamlit-a11y") as url:
        yield url


def test_every_page_in_single_user_mode_passes_axe(single_user_app: str, page) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(single_user_app)
    checked, failures = check_pages(page, single_user_app, "single-user")
    assert len(checked) >= 5, checked  # plan, compare, caseload, coverage, explore, own catalogue …
    assert not failures, "\n".join(failures)


def test_no_figure_is_cut_off_when_three_scenarios_share_the_width(single_user_app: str, page) -> None:
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(f"{single_user_app}/compare?target=role:data-analyst")
    settle(page, lead_ms=500)
    page.get_by_role("radiogroup", name="Scenarios to compare").get_by_text("3", exact=True).click()
    settle(page, lead_ms=500)
    page.get_by_text("What if B").wait_for()
    figures = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    cut = cut_off(page)
    page.screenshot(path=str(ARTIFACTS / "a11y-compare-three.png"))
    assert len(figures) >= 12  # three cards of four figures
    assert not cut, f"cut off: {cut}"


def _people_in_the_store(store_url: str, issuer: str) -> None:
    from planner.catalogue.loader import default_catalogue_dir, load
    from planner.catalogue.models import Constraints, LearnerProfile, Target
    from planner.engine.routing import recommend
    from planner.engine.scenario import Scenario
    from planner.store.identity import Identity
    from planner.store.records import open_store

    store = open_store(store_url)
    users = {role: store.user_for(Identity(issuer=issuer, subject=who["sub"], email=who["email"], name=who["name"]),
                                  role=role) for role, who in PEOPLE.items()}
    catalogue = load(default_catalogue_dir())
    today = dt.date.today()
    target, profile = Target.parse("role:data-analyst"), LearnerProfile(constraints=Constraints(start=today))
    rec = recommend(catalogue, profile, target, today=today)
    learner = store.create_learner(users["advisor"], "Lina Example", profile)
    store.save_plan(users["advisor"], learner.id, scenario=Scenario.from_parts(target, profile), catalogue=catalogue,
                    recommendation=rec)


@pytest.fixture(scope="module")
def signed_in_app(store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app requiring sign-in at a local provider that knows a learner, an advisor and an administrator."""
    require_browser()
    with running_oidc_provider(list(PEOPLE.values())) as issuer:
        _people_in_the_store(store_url, issuer)
        with running_app(secrets_toml=auth_secrets(issuer), name="streamlit-a11y-signed-in",
                         tmp_dir=tmp_path_factory.mktemp("secrets")) as url:
            yield url


@pytest.mark.parametrize("role", list(PEOPLE))
def test_every_page_of_each_signed_in_role_passes_axe(role: str, signed_in_app: str, page) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, signed_in_app, PEOPLE[role]["sub"])
    checked, failures = check_pages(page, signed_in_app, role)
    (ARTIFACTS / f"a11y-{role}.json").write_text(json.dumps({"pages": checked, "failures": failures}, indent=2))
    assert checked, f"the {role} sees no page"
    assert not failures, "\n".join(failures)
