"""The pages' way into the learner store: who is acting, which learner is open, saving a plan.

The store (one per database URL) lives in ``st.cache_resource``; session state holds only
ids: the open learner, plan and version. Every rule (who may see what, conflicts, versions)
is the store's own; this module only draws buttons and messages.
"""

from __future__ import annotations

import streamlit as st

from planner.catalogue.models import Catalogue
from planner.engine.results import Recommendation, Route
from planner.engine.scenario import Scenario
from planner.store.access import User, initial_role
from planner.store.db import database_url
from planner.store.errors import PlanConflict, StoreError
from planner.store.identity import LOCAL_IDENTITY, Identity
from planner.store.records import SavedPlan, Store, open_store
from planner.ui.auth import acting_identity
from planner.ui.text import md_escape
from planner.ui.workspace import restore_plan

__all__ = ["OPEN", "acting_user", "current_identity", "open_plan", "save_controls", "store"]

OPEN = "rec_open"  # {"learner": id, "plan": id or None, "version": int or None}
_CONFLICT = "rec_conflict"
_USER = "rec_user"  # the acting store user (ids and role only)
NOTES = "cmp_notes"  # the advisor's notes, kept by the compare page


@st.cache_resource(show_spinner=False)
def _open(url: str) -> Store:
    return open_store(url)


def store() -> Store:
    """The learner store of this app (created and migrated on first use)."""
    return _open(database_url())


def current_identity() -> Identity:
    """The signed-in person, or the local single user when no sign-in is configured (one place: auth)."""
    return acting_identity()


def acting_user() -> User:
    """The store user of the person using the app (the local user is learner and advisor at once).

    The user is created once per session, and read again on every rerun: a role changed by
    an admin (a demoted advisor) applies to an open session at once. The store re-reads it
    on every call too; this keeps what the pages show in step.
    """
    identity = current_identity()
    known = st.session_state.get(_USER)
    if known is not None and (known.issuer, known.subject) == (identity.issuer, identity.subject):
        try:
            user = store().refresh_user(known)
        except StoreError:  # erased since: sign in afresh below
            user = None
        if user is not None:
            st.session_state[_USER] = user
            return user
    user = store().local_user() if identity == LOCAL_IDENTITY else store().user_for(identity,
                                                                                    role=initial_role(identity))
    st.session_state[_USER] = user
    return user


def open_plan(saved: SavedPlan) -> None:
    """Make ``saved`` the plan this session works on (later saves become its next versions)."""
    st.session_state[OPEN] = {"learner": saved.learner_id, "plan": saved.plan_id, "version": saved.version}
    st.session_state.pop(_CONFLICT, None)


def _save(rec: Recommendation, index: int, scenario: Scenario, catalogue: Catalogue, overwrite: bool) -> None:
    s, actor = store(), acting_user()
    where = st.session_state.get(OPEN) or {}
    learner = where.get("learner") or s.own_learner_id(actor)
    if learner is None and actor.role == "learner":  # a learner's first save creates their own record
        learner = s.create_learner(actor, actor.name).id
    if learner is None:
        st.session_state[_CONFLICT] = {"error": "Open a learner on the caseload page first: whose plan is this?"}
        return
    try:
        saved = s.save_plan(actor, learner, scenario=scenario, catalogue=catalogue, recommendation=rec,
                            route_index=index, notes=st.session_state.get(NOTES, ""), plan_id=where.get("plan"),
                            based_on=where.get("version"), overwrite=overwrite)
    except PlanConflict as exc:
        st.session_state[_CONFLICT] = {"error": str(exc), "conflict": True}
        return
    except StoreError as exc:
        st.session_state[_CONFLICT] = {"error": str(exc)}
        return
    open_plan(saved)
    st.session_state["rec_saved"] = saved.version


def _reload() -> None:
    where = st.session_state.get(OPEN) or {}
    s, actor = store(), acting_user()
    latest = s.plan(actor, where["plan"])
    restore_plan(latest.scenario, latest.notes, latest.chosen)
    open_plan(latest)


def save_controls(rec: Recommendation, route: Route, scenario: Scenario, catalogue: Catalogue) -> None:
    """A "Save plan" button for the shown route, with the store's conflict choice when someone saved meanwhile."""
    where = st.session_state.get(OPEN) or {}
    index = rec.routes.index(route)
    label = f"Save plan (version {where['version'] + 1})" if where.get("plan") else "Save plan"
    st.button(label, key="rec_save", on_click=_save, args=(rec, index, scenario, catalogue, False),
              help="Keep this route, the scenario and the notes with the learner's records; every save is a version.")
    saved = st.session_state.pop("rec_saved", None)
    if saved:
        st.success(f"Saved as version {saved} of plan {where.get('plan')}.")
    problem = st.session_state.get(_CONFLICT)
    if problem:
        st.error(md_escape(problem["error"]))
        if problem.get("conflict"):
            a, b = st.columns(2)
            a.button("Reload their version", key="rec_reload", on_click=_reload)
            b.button("Overwrite (keep both as versions)", key="rec_overwrite", on_click=_save,
                     args=(rec, index, scenario, catalogue, True))
