"""The one place an advisor chooses the learner they work on: "Working on" in the sidebar.

Drawn on Plan a route, Compare and Caseload for everyone who has a caseload (advisors, and
the single user of a local run, who is their own learner too). The choice is the session's
open learner (:data:`planner.ui.workspace.OPEN`): choosing a learner opens their newest plan,
or a fresh scenario when they have none, and every save goes to them. The caseload's
"Plan for this learner" sets the same choice.
"""

from __future__ import annotations

import streamlit as st

from planner.store.people import learner_choices
from planner.ui.records import acting_user, store, work_on
from planner.ui.text import md_escape
from planner.ui.workspace import OPEN, open_learner

__all__ = ["PICKER", "learner_picker"]

PICKER = "lp_learner"


def _picked() -> None:
    work_on(st.session_state.get(PICKER))


def learner_picker() -> int | None:
    """Draw the learner picker in the sidebar; return the learner the session works on.

    In single-user mode nobody chosen yet means the user's own record (their plans are
    theirs); a signed-in advisor always chooses.
    """
    actor = acting_user()
    choices = learner_choices(store(), actor)
    labels = {c.learner_id: c.name + (" (you)" if c.own else "") + ("" if c.plans else " · no plan yet")
              for c in choices}
    current = open_learner()
    if current not in labels:
        own = next((c.learner_id for c in choices if c.own), None)
        current = own if current is None else None  # one no longer on the caseload is dropped
        st.session_state[OPEN] = {"learner": current, "plan": None, "version": None} if current else {}
    st.session_state[PICKER] = current
    st.sidebar.selectbox(
        "Working on", [None, *labels], key=PICKER, on_change=_picked,
        format_func=lambda lid: "Choose a learner" if lid is None else labels[lid],
        help="The learner whose plan you plan, compare and save: every save goes to this learner's record. "
             "Add learners on the Caseload page.")
    if current is None:
        st.sidebar.caption("No learner chosen: plans are not saved until you choose one.")
    else:
        chosen = next(c for c in choices if c.learner_id == current)
        st.sidebar.caption("Plans are saved to your own record." if chosen.own
                           else f"Plans are saved to **{md_escape(chosen.name)}**'s record.")
    return current
