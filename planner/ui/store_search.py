"""Search a compiled catalogue from a page: a text box, a page of hits, a choice among them.

Only one page of results is ever fetched, however large the catalogue.
"""

from __future__ import annotations

import streamlit as st

from planner.ui.widgets import keep_in_range

__all__ = ["PAGE_SIZE", "search_hits"]

PAGE_SIZE = 25


def search_hits(store, key: str, *, label: str, kinds: tuple[str, ...] = ("credential", "role"),  # type: ignore[no-untyped-def]
                awards_only: bool = False, page_size: int = PAGE_SIZE):
    """Draw a search box and page selector; return the page of hits (a ``SearchPage``)."""
    text = st.text_input(label, key=f"{key}_q", max_chars=200, help="Every word matches as a prefix.")
    first = store.search(text, 1, page_size, kinds=kinds, awards_only=awards_only)
    if first.pages <= 1:
        return first
    keep_in_range(f"{key}_page", 1, first.pages)
    page = st.number_input(f"Page (of {first.pages:,})", min_value=1, max_value=first.pages, step=1,
                           key=f"{key}_page")
    return first if page == 1 else store.search(text, int(page), page_size, kinds=kinds, awards_only=awards_only)
