"""A saved plan on screen, shared by *My plan* and the caseload: progress per step, re-plan, what-ifs.

Thin: the store decides (progress becomes holdings, a re-plan is a new version); these
functions draw its answers with titles, never ids.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from planner.catalogue.models import Catalogue
from planner.store.errors import StoreError
from planner.store.planfiles import saved_what_ifs
from planner.store.records import STEP_STATUSES, SavedPlan
from planner.store.replan import accept_replan, replan
from planner.ui.records import acting_user, learner_name, store
from planner.ui.text import md_escape

__all__ = ["credential_title", "progress_editor", "replan_panel", "target_title", "what_ifs_of"]

STATUS_WORDS = {"planned": "planned", "in_progress": "in progress", "completed": "completed", "dropped": "dropped"}


def credential_title(catalogue: Catalogue, cid: str) -> str:
    """A credential's title (its id only when the catalogue no longer has it)."""
    return catalogue.credential(cid).title if catalogue.has("credential", cid) else cid


def target_title(catalogue: Catalogue, target: str) -> str:
    """A plan target's title: "Role · Data analyst", "Award · Certificate in …"."""
    kind, _, item = target.partition(":")
    if kind == "role" and catalogue.has("role", item):
        return f"Role · {catalogue.role(item).title}"
    if kind == "award" and catalogue.has("credential", item):
        return f"Award · {catalogue.credential(item).title}"
    return target


def progress_editor(saved: SavedPlan, catalogue: Catalogue, *, key: str) -> None:
    """Each step of the plan's newest route with its status, changeable (the store records who, when)."""
    s, actor = store(), acting_user()
    progress = s.progress(actor, saved.plan_id)
    steps = {st_.credential_id: st_ for st_ in saved.route.summary.steps} if saved.route and saved.route.summary \
        else {}
    for cid, step in progress.items():
        left, right = st.columns([3, 2])
        when = steps.get(cid)
        dates = f" · {when.start:%d %b %Y} → {when.end:%d %b %Y}" if when and when.start and when.end else ""
        done = f" · completed {step.completed_on:%d %b %Y}" if step.completed_on else ""
        left.markdown(f"{md_escape(credential_title(catalogue, cid))}{dates}{done}")
        choice = right.selectbox(f"Status of {credential_title(catalogue, cid)}", STEP_STATUSES,
                                 index=STEP_STATUSES.index(step.status), key=f"{key}_step_{saved.plan_id}_{cid}",
                                 label_visibility="collapsed", format_func=STATUS_WORDS.__getitem__)
        if choice != step.status:
            s.set_progress(actor, saved.plan_id, cid, choice)
            st.rerun()


def what_ifs_of(saved: SavedPlan, catalogue: Catalogue) -> None:
    """The what-ifs kept with a version, each in words (budget, hours, providers, credentials)."""
    what_ifs = saved_what_ifs(saved)
    if not what_ifs:
        st.caption("No what-ifs were kept with this version.")
        return
    for w in what_ifs:
        st.markdown(f"- **{md_escape(w.name)}**: {md_escape(w.describe(saved.scenario, catalogue))}")


def replan_panel(plan_id: int, catalogue: Catalogue, *, key: str, on_saved: Callable[[str, bool], None]) -> None:
    """Re-plan from today: what changes against the saved plan, and a button to save it as a new version.

    ``on_saved(message, ok)`` is called from the button's callback with what happened.
    """
    s, actor = store(), acting_user()
    with st.spinner("Re-planning from today…"):
        proposal = replan(s, actor, plan_id, catalogue)
    st.markdown("**Re-plan from today**")
    if not proposal.recommendation.feasible:
        st.error("No route reaches the target from today: "
                 + "; ".join(md_escape(d.message) for d in proposal.recommendation.diagnoses[:3]))
        return
    lines = [*(f"✓ done: {md_escape(credential_title(catalogue, c))}" for c in proposal.completed),
             *(f"\\+ added: {md_escape(credential_title(catalogue, c))}" for c in proposal.added),
             *(f"− removed: {md_escape(credential_title(catalogue, c))}" for c in proposal.removed)]
    st.markdown("\n".join(f"- {line}" for line in lines) or "The remaining steps stay the same.")
    currency = proposal.recommendation.best.currency if proposal.recommendation.best else ""
    a, b = st.columns(2)
    a.metric(f"Cost of what is left ({currency})", f"{proposal.cost_after:,.0f}",
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
            on_saved(str(exc), False)
            return
        name = learner_name(saved.learner_id)
        whose = "your plan" if name == "you" else f"{name}'s plan" if name else "the plan"
        on_saved(f"Saved as version {saved.version} of {whose}.", True)

    st.button("Save as a new version", key=f"{key}_replan_save", on_click=save, type="primary")
