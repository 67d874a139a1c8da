"""Caseload (advisor): learners, their current plan, progress, drift badges, last contact.

Thin: every query and rule is the store's (:mod:`planner.store`). The learner whose details
show is the one chosen in the sidebar's learner picker (one choice for every page); "Plan for
this learner" puts their newest plan (or a fresh scenario) into the form and lands on
'Plan a route'.
"""

from __future__ import annotations

import datetime as dt
import json

import streamlit as st
from streamlit.errors import StreamlitAPIException

from planner.catalogue.models import Catalogue
from planner.outputs.dates import day
from planner.store.access import Capability
from planner.store.errors import StoreError
from planner.store.records import CaseloadRow
from planner.ui.boundary import page_boundary
from planner.ui.plan_view import progress_editor, replan_panel, target_title, what_ifs_of
from planner.ui.records import acting_user, may, store, work_on
from planner.ui.state import active_catalogue
from planner.ui.text import md_escape, reported
from planner.ui.workspace import open_learner

__all__ = ["ATTENTION", "page"]

ATTENTION = 10  # drifted plans listed with a one-click re-plan
REPLAN = "cl_replan_plan"  # plan id being re-planned


def _plan_for(learner_id: int) -> None:
    # a button callback: runs before the next page draws its widgets, so it may set their values
    work_on(learner_id)
    st.session_state["cl_go"] = True


def _table(rows: list[CaseloadRow], catalogue: Catalogue) -> None:
    # one element for the whole list (hundreds of learners): a table, not widgets per row
    titles = {f"role:{r.id}": r.title for r in catalogue.roles}
    titles.update({f"award:{c.id}": c.title for c in catalogue.awards})

    def holds(r: CaseloadRow) -> str:
        if not r.drift:
            return "✓" if r.plan_id else ""
        return "⚠ " + r.drift[0].message + (f" (+{len(r.drift) - 1} more)" if len(r.drift) > 1 else "")

    st.dataframe({
        "Learner": [r.name for r in rows],
        "Plan": [titles.get(r.target, r.target) if r.target else "no plan yet" for r in rows],
        "Version": [str(r.version) if r.version is not None else "—" for r in rows],
        "Status": [r.status or "—" for r in rows],
        "Done": [f"{r.completed} of {r.steps} steps" if r.plan_id else "—" for r in rows],
        "Plan holds": [holds(r) for r in rows],
        "Last contact": [day(r.last_contact, missing="never") for r in rows],
    }, hide_index=True, width="stretch", key="cl_table")


def _attention(rows: list[CaseloadRow]) -> None:
    """Plans that no longer hold, each with its reason and one-click re-plan."""
    drifted = [r for r in rows if r.drift]
    if not drifted:
        return
    st.subheader(f"Plans that no longer hold ({len(drifted)})")
    for row in drifted[:ATTENTION]:
        with st.container(border=True):
            left, right = st.columns([5, 2])
            left.markdown(f"**{md_escape(row.name)}** :red-badge[:material/warning: {len(row.drift)} "
                          f"change{'s' * (len(row.drift) > 1)}]")
            left.caption("; ".join(md_escape(d.message) for d in row.drift))
            right.button("Re-plan", key=f"cl_replan_{row.learner_id}", type="primary", on_click=_select,
                         args=(row.learner_id, row.plan_id), help=f"Work on {row.name} and re-plan from today.")
    if len(drifted) > ATTENTION:
        st.caption(f"… and {len(drifted) - ATTENTION} more: pick them below, or filter the list.")


def _select(learner_id: int, replan_plan: int | None) -> None:
    if open_learner() != learner_id:
        work_on(learner_id)  # the learner picker follows: one choice of learner for every page
    st.session_state[REPLAN] = replan_plan


def _replanned(message: str, ok: bool) -> None:
    st.session_state["cl_saved" if ok else "cl_error"] = message
    if ok:
        st.session_state[REPLAN] = None
        work_on(open_learner())  # the new version is the plan the session works on


def _details(learner_id: int, catalogue: Catalogue) -> None:
    s, actor = store(), acting_user()
    learner = s.learner(actor, learner_id)
    st.subheader(md_escape(learner.name))
    plans = s.plans(actor, learner_id)
    a, b = st.columns(2)
    # keys name the learner: a click on a button still showing the previous learner's details
    # (the page redrawing after a change of learner) acts for that learner or not at all, never
    # with the callback arguments of another learner's button of the same key
    a.button("Plan for this learner", key=f"cl_plan_for_{learner_id}", on_click=_plan_for, args=(learner_id,),
             type="primary",
             help="Open their newest plan on 'Plan a route' (a fresh scenario when they have none); "
                  "saves go to their record.")
    if plans:
        b.button("Re-plan from today", key=f"cl_replan_now_{learner_id}", on_click=_select,
                 args=(learner_id, plans[0].plan_id))
    else:
        st.caption("No plan saved yet: 'Plan for this learner' opens 'Plan a route' for them.")
    if st.session_state.get(REPLAN) and plans and st.session_state[REPLAN] == plans[0].plan_id:
        with reported("Re-planning"):
            replan_panel(st.session_state[REPLAN], catalogue, key="cl", on_saved=_replanned)
    for saved in plans[:1]:
        st.markdown(f"**Progress on the plan for {md_escape(target_title(catalogue, saved.target))}** (version "
                    f"{saved.version}, saved by {md_escape(saved.saved_by)} on {day(saved.saved_at)})")
        progress_editor(saved, catalogue, key="cl")
        st.markdown("**What-ifs kept with it**")
        what_ifs_of(saved, catalogue)
    if actor.role == "advisor":
        st.button("Record a contact today", key=f"cl_contact_{learner_id}",
                  on_click=lambda: s.record_contact(actor, learner_id))
    # exported (and audited) only when downloaded
    st.download_button("Export everything held (JSON)",
                       lambda: json.dumps(s.export_learner(actor, learner_id), indent=2),
                       file_name=f"learner-{learner_id}.json", mime="application/json", key="cl_export",
                       on_click="ignore")
    with st.expander("Erase this learner"):
        # a confirmation of this learner's own: typed, never carried over from another learner
        st.caption(f"{md_escape(learner.name)}'s record, plans and progress are removed for good; the audit log "
                   "keeps only that it happened. Export them first if they may be needed.")
        typed = st.text_input("Type the learner's name to confirm", key=f"cl_erase_name_{learner_id}",
                              max_chars=300)
        named = typed.strip() == learner.name.strip()

        def erase() -> None:
            if str(st.session_state.get(f"cl_erase_name_{learner_id}", "")).strip() != learner.name.strip():
                return  # the name no longer matches: nothing is erased
            s.erase_learner(actor, learner_id)
            st.session_state.pop(f"cl_erase_name_{learner_id}", None)
            work_on(None)

        st.button(f"Erase {md_escape(learner.name)}", key=f"cl_erase_{learner_id}", disabled=not named, on_click=erase,
                  type="primary" if named else "secondary")


def _add_learner() -> None:
    # the form's callback: a refused add is said in the form, the page goes on
    name = str(st.session_state.get("cl_add_name", "")).strip()
    if not name:
        st.session_state["cl_error"] = "Give the learner's name."
        return
    try:
        added = store().create_learner(acting_user(), name)
    except StoreError as exc:
        st.session_state["cl_error"] = f"The learner could not be added: {exc}"
        return
    work_on(added.id)
    st.session_state["cl_saved"] = f"Added {added.name}: the learner you work on now."


@page_boundary("Caseload")
def page() -> None:
    """Draw the advisor's caseload: the learners, what needs attention, and the learner chosen in the sidebar."""
    st.header("Caseload")
    try:
        active = active_catalogue()
        s, actor = store(), acting_user()
    except Exception as exc:  # a page reports its own failures
        st.error(f"The caseload could not be opened: {md_escape(exc)}")
        return
    if not may(Capability.CASELOAD):  # the navigation hides it; its address refuses too
        st.error(f"The caseload is for advisors; you are signed in as {'an' if actor.role == 'admin' else 'a'} "
                 f"{actor.role.value}.")
        return
    if st.session_state.pop("cl_go", False):
        from planner.ui import plan_page

        for problem in st.session_state.pop("rec_open_problems", []):
            st.warning(md_escape(problem))
        try:
            st.switch_page(st.Page(plan_page.page, url_path="plan"))
        except StreamlitAPIException:  # run outside the app's navigation (tests)
            st.success("The plan is open on 'Plan a route'.")
    catalogue = active.catalogue
    for key in ("cl_saved", "cl_error"):
        message = st.session_state.pop(key, None)
        if message:
            (st.success if key == "cl_saved" else st.error)(md_escape(message))
    with st.expander("Add a learner"), st.form("cl_add", clear_on_submit=True):
        st.text_input("Name", max_chars=300, key="cl_add_name")
        st.form_submit_button("Add to my caseload", on_click=_add_learner)
    rows = s.caseload(actor, catalogue=catalogue, today=dt.date.today())
    _attention(rows)
    st.subheader("Learners")
    a, b = st.columns([3, 2])
    query = a.text_input("Find a learner", key="cl_query").strip().lower()
    only = b.toggle("Only plans that no longer hold", key="cl_only_drift")
    shown = [r for r in rows if (not query or query in r.name.lower()) and (not only or r.drift)]
    st.caption(f"{len(shown)} of {len(rows)} learners · {sum(1 for r in rows if r.drift)} plans no longer hold")
    _table(shown, catalogue)
    selected = open_learner()
    if selected is None or selected not in {r.learner_id for r in rows}:
        st.info("Choose a learner in the sidebar (**Working on**) to see their plan, progress and records here.")
        return
    with reported("The learner's details"):
        _details(selected, catalogue)
