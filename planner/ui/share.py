"""The full, copyable link to the scenario on screen (and, on the compare page, its what-ifs)."""

from __future__ import annotations

import streamlit as st

from planner.engine.scenario import Scenario
from planner.ui.scenario_form import share_link

__all__ = ["full_link", "show_link"]


def full_link(scenario: Scenario, extra: dict[str, str] | None = None) -> str:
    """The absolute URL of this page with the scenario's query (relative when the URL is unknown).

    ``extra`` parameters (the compare page's what-ifs) are added to the query.
    """
    query = share_link(scenario, extra)  # also puts the scenario in the address bar
    page_url = st.context.url  # scheme, host, port and page path; no query
    return f"{page_url.rstrip('?')}{query}" if page_url else query


def show_link(scenario: Scenario, label: str = "Share this plan", *, extra: dict[str, str] | None = None) -> str:
    """Show the full link in a box with a copy button; return it."""
    link = full_link(scenario, extra)
    st.caption(f"{label} (copy the link):")
    st.code(link, language=None, wrap_lines=True)
    return link
