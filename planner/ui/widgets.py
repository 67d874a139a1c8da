"""Keep widget state valid when the options change (another catalogue, a narrower filter).

Streamlit refuses a multiselect or selectbox whose stored value is not among its options
and a slider whose value lies outside its range; session state can hold such values after
the session switches catalogues or a filter narrows the choice. These helpers drop or clamp
them before the widget is drawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

__all__ = ["keep_in_range", "keep_valid"]


def keep_valid(key: str, options: Iterable[Any]) -> None:
    """Drop stored choices that are no longer options (a single choice is forgotten).

    Parameters
    ----------
    key : str
        The widget's session-state key.
    options : iterable
        The options the widget is about to be drawn with.

    """
    if key not in st.session_state:
        return
    allowed = set(options)
    value = st.session_state[key]
    if isinstance(value, (list, tuple)):
        kept = [v for v in value if v in allowed]
        if len(kept) != len(value):
            st.session_state[key] = kept
    elif value is not None and value not in allowed:
        del st.session_state[key]


def keep_in_range(key: str, low: float, high: float) -> None:
    """Clamp a stored slider value (a number or a (low, high) pair) into ``[low, high]``."""
    if key not in st.session_state:
        return
    value = st.session_state[key]

    def clamp(x: Any) -> Any:
        return min(max(x, low), high)

    if isinstance(value, (list, tuple)):
        fixed = tuple(clamp(v) for v in value)
        if fixed != tuple(value):
            st.session_state[key] = fixed
    elif value is not None and clamp(value) != value:
        st.session_state[key] = clamp(value)
