"""Widgets that hold: valid options, values kept when a run is cut off, charts with their text.

Streamlit refuses a multiselect or selectbox whose stored value is not among its options
and a slider whose value lies outside its range; session state can hold such values after
the session switches catalogues or a filter narrows the choice. :func:`keep_valid` and
:func:`keep_in_range` drop or clamp them before the widget is drawn.

A value the browser commits (a note typed, a box ticked) arrives with a rerun request.
When the person changes page before that run gets far (a busy server: 20 sessions on 2
cores), the page change starts a new run, and Streamlit drops the state of every widget
the new page does not draw, the just-committed value with it. :func:`kept` gives a widget
a change callback that records the committed value; callbacks run before anything can cut
the run off, and :func:`apply_commits`, at the start of every run, writes the recorded
values back, so they survive whichever run completes.

:func:`chart` draws a plotly figure and, right under it, its text alternative (a table or
a few sentences with the same figures), so nothing a chart says is said only in colour
and shape (WCAG 2.1, 1.1.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import streamlit as st

from planner.ui import rerun_guard
from planner.ui.text import md_escape

rerun_guard.install()  # committed values are applied even when a page change cuts their run off

__all__ = ["apply_commits", "chart", "keep_in_range", "keep_valid", "kept"]

#: Session-state key of the values committed since the last run started (widget key -> value).
COMMITS = "_widget_commits"


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


def _record_commit(key: str) -> None:
    # a change callback: it runs when the rerun carrying the new value starts, before the page
    if key in st.session_state:
        st.session_state.setdefault(COMMITS, {})[key] = st.session_state[key]


def kept(key: str) -> dict[str, Any]:
    """Keyword arguments that make a widget's committed values survive a cut-off run.

    Parameters
    ----------
    key : str
        The widget's session-state key (the same ``key=`` the widget is drawn with).

    Returns
    -------
    dict
        ``on_change`` and ``args`` for the widget call: ``st.text_area(..., key=k, **kept(k))``.

    """
    return {"on_change": _record_commit, "args": (key,)}


def apply_commits() -> None:
    """Write the values committed since the last run back to their keys (start of every run).

    A value the page-change cleanup dropped comes back; one that is still there is written
    again unchanged. A page that sets a key itself later in the run still has the last word.
    """
    commits = st.session_state.get(COMMITS)
    if not commits:
        return
    for key, value in commits.items():
        st.session_state[key] = value
    commits.clear()


def chart(fig: Any, *, key: str, rows: Sequence[Mapping[str, Any]] | None = None,
          sentences: Sequence[str] | None = None, **kwargs: Any) -> Any:
    """Draw a plotly figure and right under it its text alternative.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The chart.
    key : str
        The chart's widget key (its table gets ``key + "_table"``).
    rows : sequence of mapping, optional
        The chart's figures as a table (one dict per row).
    sentences : sequence of str, optional
        The chart's figures in plain sentences (catalogue text: escaped here).
    **kwargs
        Passed to ``st.plotly_chart`` (``on_select``, ``selection_mode``).

    Returns
    -------
    Any
        What ``st.plotly_chart`` returns (the selection event when ``on_select`` is set).

    """
    if rows is None and not sentences:
        raise ValueError("a chart needs its text alternative: rows or sentences")
    event = st.plotly_chart(fig, key=key, **kwargs)
    if rows is not None:
        st.dataframe(list(rows), hide_index=True, width="stretch", key=f"{key}_table")
    if sentences:
        st.markdown("\n".join(f"- {md_escape(x)}" for x in sentences))
    return event
