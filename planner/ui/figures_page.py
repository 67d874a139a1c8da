"""Institution figures (administrator): anonymised counts over every learner, small groups merged.

The figures are the store's (:meth:`planner.store.records.Store.aggregate`): counts only,
any group under five merged into "other", so no learner can be singled out.
"""

from __future__ import annotations

import streamlit as st

from planner.store.access import Capability
from planner.ui.boundary import page_boundary
from planner.ui.plan_view import target_title
from planner.ui.records import acting_user, may, store
from planner.ui.state import active_catalogue

__all__ = ["page"]


def _table(title: str, counts: dict[str, int], label: str, name=lambda k: k) -> None:  # type: ignore[no-untyped-def]
    st.markdown(f"**{title}**")
    if not counts:
        st.caption("None yet.")
        return
    st.dataframe([{label: "other (groups under 5 merged)" if k == "other" else name(k), "Count": n}
                  for k, n in sorted(counts.items(), key=lambda kv: (kv[0] == "other", -kv[1], kv[0]))],
                 hide_index=True, width="stretch")


@page_boundary("Institution figures")
def page() -> None:
    """Draw the anonymised figures."""
    st.header("Institution figures")
    if not may(Capability.AGGREGATE):
        st.error("'Institution figures' is for administrators.")
        return
    figures = store().aggregate(acting_user())
    catalogue = active_catalogue().catalogue
    st.caption("Counts over every learner; a group smaller than 5 is merged into 'other' so that nobody can be "
               "singled out. No individual record is shown here.")
    a, b, c = st.columns(3)
    a.metric("Learners", f"{figures['learners']:,}")
    b.metric("Plans", f"{figures['plans']:,}")
    c.metric("Saved versions", f"{figures['plan_versions']:,}")
    left, middle, right = st.columns(3)
    with left:
        _table("Plans by target", figures["plans_by_target"], "Target", lambda t: target_title(catalogue, t))
    with middle:
        _table("Plans by status", figures["plans_by_status"], "Status")
    with right:
        _table("Steps by status", figures["steps_by_status"], "Status", lambda s: s.replace("_", " "))
