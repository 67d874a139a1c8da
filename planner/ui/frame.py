"""The app frame: page config and navigation."""

from __future__ import annotations

import streamlit as st


def run() -> None:
    """Configure the page and run the selected page."""
    st.set_page_config(page_title="Stackable pathway planner", page_icon=":material/route:", layout="wide")
    st.title("Stackable pathway planner")
    st.write("Plan stackable micro-credential routes to roles and degrees.")
