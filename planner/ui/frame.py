"""The app frame: page config and navigation; every page is a function in planner/ui/."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st


def run() -> None:
    """Configure the page, keep the scenario across pages, and run the selected page."""
    st.set_page_config(page_title="Stackable pathway planner", page_icon=":material/route:", layout="wide")
    from planner.ui import caseload_page, compare_page, coverage_page, explore_page, plan_page, reach_page, upload_page
    from planner.ui.auth import require_sign_in
    from planner.ui.scenario_form import keep_state
    from planner.ui.workspace import keep as keep_work

    require_sign_in()  # stops the run at the sign-in screen when sign-in is configured
    keep_state()
    keep_work()  # the advisor's notes and what-ifs, across pages
    plan = st.Page(plan_page.page, title="Plan a route", icon=":material/route:", url_path="plan")
    pages = [
        # the default page is always served at "/", so "/plan?..." needs a page of its own: "/" forwards to it
        st.Page(_forward_to(plan), title="Plan a route", url_path="home", default=True, visibility="hidden"),
        plan,
        st.Page(reach_page.page, title="Where can I get?", icon=":material/explore:", url_path="reach"),
        st.Page(compare_page.page, title="Compare and what-if", icon=":material/compare:", url_path="compare"),
        st.Page(caseload_page.page, title="Caseload", icon=":material/groups:", url_path="caseload"),
        st.Page(coverage_page.page, title="Coverage", icon=":material/analytics:", url_path="coverage"),
        st.Page(explore_page.page, title="Explore the catalogue", icon=":material/search:", url_path="explore"),
        st.Page(upload_page.page, title="Your own catalogue", icon=":material/upload_file:", url_path="catalogue"),
    ]
    page = st.navigation(pages)
    try:
        page.run()
    except Exception as exc:  # last line of defence: pages report their own errors, this says what is left
        from planner.ui.boundary import show_failure

        show_failure(f"The page '{getattr(page, 'title', '')}'", exc)
        st.caption("Reload the page or go back to 'Plan a route'; the scenario you entered is kept.")


def _forward_to(target: st.Page) -> Callable[[], None]:
    """A page that opens ``target`` with the same query, so "/" and "/plan" show the same plan."""
    def home() -> None:
        st.switch_page(target, query_params=st.query_params.to_dict())

    return home
