"""The app frame: page config and a navigation shaped by what the person using the app may do.

Which pages a person sees follows from their capabilities, the library's rule
(:func:`planner.store.access.capabilities`): a learner lands on *My plan*, an advisor on
*Plan a route* with the learner picker, an administrator on *People and caseloads*. A page
someone may not use is not in their navigation, and its address shows a refusal instead
of the page. Every page keeps its own address, so a reload stays on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from planner.store.access import Capability, Role, User

__all__ = ["PAGES", "PageSpec", "landing", "run"]


@dataclass(frozen=True)
class PageSpec:
    """One page of the app: where it lives, what it is called, and who may use it."""

    module: str  # planner.ui.<module>.page draws it
    title: str
    icon: str
    url_path: str
    needs: Capability
    picker: bool = False  # shows the sidebar's learner picker


PAGES = (
    PageSpec("my_plan_page", "My plan", ":material/person:", "my-plan", Capability.OWN_PLANS),
    PageSpec("plan_page", "Plan a route", ":material/route:", "plan", Capability.PLAN_ROUTES, picker=True),
    PageSpec("reach_page", "Where can I get?", ":material/explore:", "reach", Capability.PLAN_ROUTES, picker=True),
    PageSpec("compare_page", "Compare and what-if", ":material/compare:", "compare", Capability.COMPARE, picker=True),
    PageSpec("caseload_page", "Caseload", ":material/groups:", "caseload", Capability.CASELOAD, picker=True),
    PageSpec("people_page", "People and caseloads", ":material/manage_accounts:", "people",
             Capability.MANAGE_PEOPLE),
    PageSpec("figures_page", "Institution figures", ":material/monitoring:", "figures", Capability.AGGREGATE),
    PageSpec("coverage_page", "Coverage", ":material/analytics:", "coverage", Capability.COVERAGE),
    PageSpec("explore_page", "Explore the catalogue", ":material/search:", "explore", Capability.EXPLORE),
    PageSpec("upload_page", "Your own catalogue", ":material/upload_file:", "catalogue", Capability.UPLOAD_CATALOGUE),
)
_BY_PATH = {p.url_path: p for p in PAGES}
# where each role lands; the single user of a local run plans first, as before
_LANDING = {Role.LEARNER: "my-plan", Role.ADVISOR: "plan", Role.ADMIN: "people"}
_ROLE_WORDS = {Capability.OWN_PLANS: "learners", Capability.MANAGE_PEOPLE: "administrators",
               Capability.AGGREGATE: "administrators"}


def landing(role: Role, allowed: frozenset[Capability]) -> str:
    """The address a person lands on: their role's first page they may use."""
    first = _LANDING[role]
    if _BY_PATH[first].needs in allowed:
        return first
    return next(p.url_path for p in PAGES if p.needs in allowed)


def _actor_and_capabilities() -> tuple[User | None, frozenset[Capability]]:
    """The person using the app and what they may do; without the learner store, the least sensible."""
    from planner.store.access import capabilities
    from planner.ui.auth import auth_configured
    from planner.ui.records import acting_user

    try:
        actor = acting_user()
        return actor, capabilities(actor)
    except Exception as exc:  # the learner store is unreachable: plan without records, and say so
        from planner.ui.boundary import show_failure

        with st.sidebar:
            show_failure("Opening the learner records", exc)
        if auth_configured():  # nobody's role is known: the least anyone may do
            return None, frozenset({Capability.PLAN_ROUTES, Capability.EXPLORE})
        return None, frozenset({Capability.PLAN_ROUTES, Capability.COMPARE, Capability.COVERAGE, Capability.EXPLORE,
                                Capability.UPLOAD_CATALOGUE})


def _page_function(spec: PageSpec) -> Callable[[], None]:
    import importlib

    return importlib.import_module(f"planner.ui.{spec.module}").page


def _refusal(spec: PageSpec, home: st.Page, role: str) -> Callable[[], None]:
    """A page that says why ``spec`` is not for this person, with the way back."""
    def refuse() -> None:
        st.header(spec.title)
        who = _ROLE_WORDS.get(spec.needs, "advisors")
        st.error(f"'{spec.title}' is for {who}; you are signed in as {'an' if role[0] in 'aeiou' else 'a'} {role}. "
                 "Nothing of it is shown.")
        st.page_link(home, label=f"Go to {home.title}", icon=":material/arrow_back:")

    refuse.__name__ = f"refuse_{spec.url_path.replace('-', '_')}"
    return refuse


def run() -> None:
    """Configure the page, keep the scenario across pages, and run the selected page."""
    st.set_page_config(page_title="Stackable pathway planner", page_icon=":material/route:", layout="wide")
    from planner.ui.auth import require_sign_in
    from planner.ui.scenario_form import keep_state
    from planner.ui.workspace import keep as keep_work

    require_sign_in()  # stops the run at the sign-in screen when sign-in is configured
    keep_state()
    keep_work()  # the advisor's notes and what-ifs, across pages
    actor, allowed = _actor_and_capabilities()
    role = actor.role if actor is not None else Role.LEARNER
    pages = {spec.url_path: st.Page(_page_function(spec), title=spec.title, icon=spec.icon, url_path=spec.url_path)
             for spec in PAGES if spec.needs in allowed}
    home = pages[landing(role, allowed)]
    refusals = [st.Page(_refusal(spec, home, role.value if actor else "person whose role is unknown"),
                        title=spec.title, url_path=spec.url_path, visibility="hidden")
                for spec in PAGES if spec.needs not in allowed]
    # the default page is always served at "/", so "/plan?..." needs a page of its own: "/" forwards
    forward = st.Page(_forward(home, pages.get("plan")), title=home.title, url_path="home", default=True,
                      visibility="hidden")
    page = st.navigation([forward, *pages.values(), *refusals])
    spec = _BY_PATH.get(page.url_path)
    try:
        if actor is not None and spec is not None and spec.picker and spec.needs in allowed \
                and Capability.CASELOAD in allowed:
            from planner.ui.learner_picker import learner_picker

            learner_picker()
        page.run()
    except Exception as exc:  # last line of defence: pages report their own errors, this says what is left
        from planner.ui.boundary import show_failure

        show_failure(f"The page '{getattr(page, 'title', '')}'", exc)
        st.caption(f"Reload the page or go back to '{home.title}'; the scenario you entered is kept.")


def _forward(home: st.Page, plan: st.Page | None) -> Callable[[], None]:
    """A page that opens the person's landing page; a shared link to a plan ("/?target=...") opens the plan."""
    def forward() -> None:
        query = st.query_params.to_dict()
        target = plan if plan is not None and "target" in query else home
        st.switch_page(target, query_params=query)

    return forward
