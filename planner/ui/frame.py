"""The app frame: page config and navigation; every page is a function in planner/ui/."""

from __future__ import annotations

import streamlit as st


def run() -> None:
    """Configure the page, keep the scenario across pages, and run the selected page."""
    st.set_page_config(page_title="Stackable pathway planner", page_icon=":material/route:", layout="wide")
    from planner.ui import plan_page
    from planner.ui.scenario_form import keep_state

    keep_state()
    pages = [
        st.Page(plan_page.page, title="Plan a route", icon=":material/route:", url_path="plan", default=True),
    ]
    for module, title, icon, path in (
        ("compare_page", "Compare and what-if", ":material/compare:", "compare"),
        ("coverage_page", "Coverage", ":material/analytics:", "coverage"),
        ("explore_page", "Explore the catalogue", ":material/search:", "explore"),
        ("upload_page", "Your own catalogue", ":material/upload_file:", "catalogue"),
    ):
        try:
            mod = __import__(f"planner.ui.{module}", fromlist=["page"])
        except ModuleNotFoundError:
            continue
        pages.append(st.Page(mod.page, title=title, icon=icon, url_path=path))
    st.navigation(pages).run()
