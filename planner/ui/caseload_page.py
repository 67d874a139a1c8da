"""Caseload (advisor): learners, their current plan, progress, drift badges, last contact.

Thin: every query and rule is the store's (:mod:`planner.store`). Opening a learner puts
their newest plan into the scenario form and lands on 'Plan a route'.
"""

from __future__ import annotations

import datetime as dt
import json

import streamlit as st
from streamlit.errors import StreamlitAPIException

from planner.catalogue.models import Catalogue
from planner.engine.scenario import fit_to_catalogue
from planner.store.errors import StoreError
from planner.store.records import STEP_STATUSES, CaseloadRow
from planner.store.replan import accept_replan, replan
from planner.ui.boundary import page_boundary
from planner.ui.records import acting_user, open_plan, store
from planner.ui.state import active_catalogue
from planner.ui.text import md_escape, reported
from planner.ui.workspace import restore_plan

__all__ = ["ATTENTION", "page"]

ATTENTION = 10  # drifted plans listed with a one-click re-plan
SELECTED = "cl_selected"  # learner id whose details are shown
REPLAN = "cl_replan_plan"  # plan id being re-planned


def _open_learner(plan_id: int) -> None:
    # a button callback: runs before the next page draws its widgets, so it may set their values
    s, actor = store(), acting_user()
    saved = s.plan(actor, plan_id)
    catalogue = active_catalogue().catalogue
    scenario, problems = fit_to_catalogue(saved.scenario, catalogue)
    restore_plan(scenario, saved.notes, saved.chosen)
    open_plan(saved)
    st.session_state["cl_open_problems"] = problems
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
        "Version": [r.version for r in rows],
        "Status": [r.status or "" for r in rows],
        "Done": [f"{r.completed}/{r.steps}" if r.plan_id else "" for r in rows],
        "Plan holds": [holds(r) for r in rows],
        "Last contact": [r.last_contact.date() if r.last_contact else None for r in rows],
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
                         args=(row.learner_id, row.plan_id))
    if len(drifted) > ATTENTION:
        st.caption(f"… and {len(drifted) - ATTENTION} more: pick them below, or filter the list.")


def _select(learner_id: int, replan_plan: int | None) -> None:
    st.session_state[SELECTED] = learner_id
    st.session_state[REPLAN] = replan_plan


def _replan_panel(plan_id: int, catalogue: Catalogue) -> None:
    s, actor = store(), acting_user()
    with st.spinner("Re-planning from today…"):
        proposal = replan(s, actor, plan_id, catalogue)
    title = {c.id: c.title for c in catalogue.credentials}.get
    st.markdown("**Re-plan from today**")
    if not proposal.recommendation.feasible:
        st.error("No route reaches the target from today: "
                 + "; ".join(md_escape(d.message) for d in proposal.recommendation.diagnoses[:3]))
        return
    lines = [*(f"✓ done: {md_escape(title(c) or c)}" for c in proposal.completed),
             *(f"\\+ added: {md_escape(title(c) or c)}" for c in proposal.added),
             *(f"− removed: {md_escape(title(c) or c)}" for c in proposal.removed)]
    st.markdown("\n".join(f"- {line}" for line in lines) or "The remaining steps stay the same.")
    a, b = st.columns(2)
    a.metric("Cost of what is left", f"{proposal.cost_after:,.0f}",
             None if proposal.cost_before is None or abs(proposal.cost_after - proposal.cost_before) < 0.5
             else f"{proposal.cost_after - proposal.cost_before:+,.0f}",
             delta_color="inverse")
    moved = None if proposal.finish_before is None else (proposal.finish_after - proposal.finish_before).days or None
    b.metric("Finish", f"{proposal.finish_after:%d %b %Y}", None if moved is None else f"{moved:+d} days",
             delta_color="inverse")

    def save() -> None:
        try:
            saved = accept_replan(store(), acting_user(), proposal, catalogue)
        except StoreError as exc:
            st.session_state["cl_error"] = str(exc)
            return
        st.session_state[REPLAN] = None
        st.session_state["cl_saved"] = f"Saved as version {saved.version}."

    st.button("Save as a new version", key="cl_replan_save", on_click=save, type="primary")


def _details(learner_id: int, catalogue: Catalogue) -> None:
    s, actor = store(), acting_user()
    learner = s.learner(actor, learner_id)
    st.subheader(md_escape(learner.name))
    plans = s.plans(actor, learner_id)
    if plans:
        a, b = st.columns(2)
        a.button("Open the plan", key="cl_open", on_click=_open_learner, args=(plans[0].plan_id,), type="primary")
        b.button("Re-plan from today", key="cl_replan_now", on_click=_select, args=(learner_id, plans[0].plan_id))
    else:
        st.caption("No plan saved yet: plan a route on 'Plan a route' with this learner open, then save it.")
    if st.session_state.get(REPLAN):
        with reported("Re-planning"):
            _replan_panel(st.session_state[REPLAN], catalogue)
    for saved in plans[:1]:
        st.markdown(f"**Progress on plan {saved.plan_id}** (version {saved.version}, saved by "
                    f"{md_escape(saved.saved_by)} on {saved.saved_at:%d %b %Y})")
        progress = s.progress(actor, saved.plan_id)
        for cid, step in progress.items():
            left, right = st.columns([3, 2])
            left.text(catalogue.credential(cid).title if catalogue.has("credential", cid) else cid)
            choice = right.selectbox("Status", STEP_STATUSES, index=STEP_STATUSES.index(step.status),
                                     key=f"cl_step_{saved.plan_id}_{cid}", label_visibility="collapsed",
                                     format_func=lambda v: v.replace("_", " "))
            if choice != step.status:
                s.set_progress(actor, saved.plan_id, cid, choice)
                st.rerun()
    if actor.role == "advisor":
        st.button("Record a contact today", key="cl_contact", on_click=lambda: s.record_contact(actor, learner_id))
    # exported (and audited) only when downloaded
    st.download_button("Export everything held (JSON)",
                       lambda: json.dumps(s.export_learner(actor, learner_id), indent=2),
                       file_name=f"learner-{learner_id}.json", mime="application/json", key="cl_export",
                       on_click="ignore")
    with st.expander("Erase this learner"):
        sure = st.checkbox("I understand: the record, plans and progress are removed for good", key="cl_erase_ok")

        def erase() -> None:
            s.erase_learner(actor, learner_id)
            st.session_state[SELECTED] = None

        st.button("Erase", key="cl_erase", disabled=not sure, on_click=erase)


@page_boundary("Caseload")
def page() -> None:
    """Draw the advisor's caseload."""
    st.header("Caseload")
    try:
        active = active_catalogue()
        s, actor = store(), acting_user()
    except Exception as exc:  # a page reports its own failures
        st.error(f"The caseload could not be opened: {md_escape(exc)}")
        return
    if st.session_state.pop("cl_go", False):
        from planner.ui import plan_page

        for problem in st.session_state.pop("cl_open_problems", []):
            st.warning(md_escape(problem))
        try:
            st.switch_page(st.Page(plan_page.page, url_path="plan"))
        except StreamlitAPIException:  # run outside the app's navigation (tests)
            st.success("The plan is open on 'Plan a route'.")
    catalogue = active.catalogue
    if actor.role == "admin":
        st.info("Admins see aggregate figures only; caseloads are for advisors.")
        st.json(s.aggregate(actor))
        return
    for key in ("cl_saved", "cl_error"):
        message = st.session_state.pop(key, None)
        if message:
            (st.success if key == "cl_saved" else st.error)(md_escape(message))
    with st.expander("Add a learner"), st.form("cl_add", clear_on_submit=True):
        name = st.text_input("Name", max_chars=300)
        if st.form_submit_button("Add to my caseload") and name.strip():
            s.create_learner(actor, name)
    rows = s.caseload(actor, catalogue=catalogue, today=dt.date.today())
    _attention(rows)
    st.subheader("Learners")
    a, b = st.columns([3, 2])
    query = a.text_input("Find a learner", key="cl_query").strip().lower()
    only = b.toggle("Only plans that no longer hold", key="cl_only_drift")
    shown = [r for r in rows if (not query or query in r.name.lower()) and (not only or r.drift)]
    st.caption(f"{len(shown)} of {len(rows)} learners · {sum(1 for r in rows if r.drift)} plans no longer hold")
    _table(shown, catalogue)
    names = {r.learner_id: r.name for r in shown}
    if st.session_state.get(SELECTED) not in names:
        st.session_state[SELECTED] = None
    st.selectbox("Learner", [None, *names], key=SELECTED, placeholder="Choose a learner",
                 format_func=lambda lid: "Choose a learner" if lid is None else f"{names[lid]} (#{lid})")
    selected = st.session_state.get(SELECTED)
    if selected is not None:
        with reported("The learner's details"):
            _details(selected, catalogue)
