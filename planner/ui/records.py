"""The pages' way into the learner store: who is acting, which learner is open, saving a plan.

The store (one per database URL) lives in ``st.cache_resource``; session state holds only
ids: the open learner, plan and version (:data:`planner.ui.workspace.OPEN`). Every rule (who
may see what, whose record a save goes to, conflicts, versions) is the library's own
(:mod:`planner.store`); this module only draws buttons and messages, and every save says
whose plan it is.
"""

from __future__ import annotations

import streamlit as st

from planner.catalogue.models import Catalogue
from planner.engine.results import Recommendation, Route
from planner.engine.scenario import Scenario
from planner.engine.whatif import PlanWork
from planner.store.access import LOCAL_ISSUER, Capability, Role, User, capabilities, initial_role
from planner.store.db import database_url
from planner.store.errors import PlanConflict, StoreError
from planner.store.identity import LOCAL_IDENTITY, Identity
from planner.store.people import learner_choices, plan_owner
from planner.store.planfiles import saved_what_ifs
from planner.store.records import SavedPlan, Store, open_store
from planner.ui.auth import acting_identity
from planner.ui.text import md_escape
from planner.ui.workspace import OPEN, load_work, restore_plan, saved_work

__all__ = ["OPEN", "acting_user", "current_identity", "learner_name", "may", "open_plan", "save_controls", "store",
           "work_on"]

_CONFLICT = "rec_conflict"
_USER = "rec_user"  # the acting store user (ids and role only)
_SAVED = "rec_saved"


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


def may(capability: Capability) -> bool:
    """Whether the person using the app may do ``capability`` (the library's rule)."""
    return capability in capabilities(acting_user())


def open_plan(saved: SavedPlan) -> None:
    """Make ``saved`` the plan this session works on (later saves become its next versions)."""
    st.session_state[OPEN] = {"learner": saved.learner_id, "plan": saved.plan_id, "version": saved.version,
                              "target": saved.target}
    st.session_state.pop(_CONFLICT, None)


def work_on(learner_id: int | None, *, target: str | None = None) -> None:
    """Make ``learner_id`` the learner this session works on, with their newest plan in the form.

    A button or picker callback (it sets the form's widgets). A learner with a plan opens it:
    the scenario, the notes, the what-ifs and the chosen route (a save becomes its next
    version). A learner without one starts from a fresh scenario for ``target`` with what they
    hold: nothing of the previous learner's plan comes along.
    """
    st.session_state.pop(_CONFLICT, None)
    if learner_id is None:
        st.session_state[OPEN] = {}
        return
    s, actor = store(), acting_user()
    plans = s.plans(actor, learner_id)
    if plans:
        _restore(plans[0])
        return
    st.session_state[OPEN] = {"learner": learner_id, "plan": None, "version": None}
    profile = s.learner(actor, learner_id).profile
    target = target or st.session_state.get("sc_target")
    if target:
        restore_plan(Scenario(target=target, holdings=profile.holdings, competencies=profile.competencies), "", ())
    else:  # no target chosen yet: the form keeps its defaults, the previous learner's work goes
        load_work(PlanWork())


def _restore(saved: SavedPlan) -> None:
    from planner.engine.scenario import fit_to_catalogue
    from planner.ui.state import active_catalogue, active_store, store_subcatalogue

    compiled = active_store()  # on a compiled catalogue: what the plan's target needs, as the pages plan on
    catalogue = store_subcatalogue(compiled.url, saved.target) if compiled is not None \
        else active_catalogue().catalogue
    scenario, problems = fit_to_catalogue(saved.scenario, catalogue)
    open_plan(saved)  # first: the restored work belongs to this learner's plan
    restore_plan(scenario, saved.notes, saved.chosen, saved_what_ifs(saved))
    st.session_state["rec_open_problems"] = problems


def learner_name(learner_id: int | None) -> str | None:
    """The display name of a learner the acting person may work on (None when not one of theirs)."""
    if learner_id is None:
        return None
    actor = acting_user()
    for choice in learner_choices(store(), actor):
        if choice.learner_id == learner_id:
            return "you" if choice.own else choice.name
    return None


def _whose(actor: User) -> tuple[int | None, str | None]:
    """The learner a save goes to now and their name; (None, None) when an advisor chose nobody."""
    if actor.role == Role.LEARNER:
        return store().own_learner_id(actor), "you"
    learner = (st.session_state.get(OPEN) or {}).get("learner")
    if learner is None and actor.issuer == LOCAL_ISSUER:  # single-user: nobody chosen is the one person there is
        learner = store().own_learner_id(actor)
    return learner, learner_name(learner)


def _save(rec: Recommendation, index: int, scenario: Scenario, catalogue: Catalogue, overwrite: bool) -> None:
    s, actor = store(), acting_user()
    where = st.session_state.get(OPEN) or {}
    try:
        learner = plan_owner(s, actor, where.get("learner") if actor.role != Role.LEARNER else None)
    except StoreError as exc:
        st.session_state[_CONFLICT] = {"error": str(exc)}
        return
    same_plan = where.get("plan") and where.get("learner") == learner and where.get("target") == scenario.target
    work = saved_work(scenario)
    try:
        saved = s.save_plan(actor, learner, scenario=scenario, catalogue=catalogue, recommendation=rec,
                            route_index=index, whatifs=[w.apply(scenario) for w in work.what_ifs],
                            notes=work.notes, plan_id=where.get("plan") if same_plan else None,
                            based_on=where.get("version") if same_plan else None, overwrite=overwrite)
    except PlanConflict as exc:
        st.session_state[_CONFLICT] = {"error": str(exc), "conflict": True}
        return
    except StoreError as exc:
        st.session_state[_CONFLICT] = {"error": str(exc)}
        return
    open_plan(saved)
    st.session_state[_SAVED] = (saved.version, saved.plan_id, len(saved.whatifs), bool(saved.notes))


def _reload() -> None:
    where = st.session_state.get(OPEN) or {}
    _restore(store().plan(acting_user(), where["plan"]))


def save_controls(rec: Recommendation, route: Route, scenario: Scenario, catalogue: Catalogue, *,
                  key: str = "rec") -> None:
    """A "Save plan" button naming whose plan it is, with the store's conflict choice when someone saved meanwhile.

    Parameters
    ----------
    rec, route, scenario, catalogue
        The answer on screen, the route chosen, the question and the catalogue planned on.
    key : str
        Prefix of the widget keys (one set per page).
    """
    actor = acting_user()
    learner, name = _whose(actor)
    where = st.session_state.get(OPEN) or {}
    next_version = (where.get("plan") and where.get("learner") == learner and where.get("target") == scenario.target)
    work = saved_work(scenario)
    kept = [f"{len(work.what_ifs)} what-if{'s' * (len(work.what_ifs) != 1)}"] if work.what_ifs else []
    kept += ["the notes"] if work.notes.strip() else []
    if actor.role != Role.LEARNER and name is None:
        st.info("Choose the learner this plan is for in the sidebar (**Working on**), or add one on the "
                "Caseload page: a plan is only saved to the learner you chose.")
        st.button("Save plan", key=f"{key}_save", disabled=True)
        return
    whose = "your plan" if name == "you" else f"{md_escape(name)}'s plan"
    if next_version:
        label = f"Save as version {where['version'] + 1} of {whose}"
    else:
        label = "Save to your plans" if name == "you" else f"Save as a new plan for {md_escape(name)}"
    st.button(label, key=f"{key}_save", type="primary", on_click=_save,
              args=(rec, rec.routes.index(route), scenario, catalogue, False),
              help="Keep this route, the scenario, the what-ifs and the notes with the learner's records; "
                   "every save is a version.")
    if kept:
        st.caption("Saved with it: " + " and ".join(kept) + ".")
    saved = st.session_state.pop(_SAVED, None)
    if saved:
        version, plan, what_ifs, notes = saved
        extra = f", with {what_ifs} what-if{'s' * (what_ifs != 1)}" if what_ifs else ""
        extra += " and the notes" if notes and what_ifs else (", with the notes" if notes else "")
        st.success(f"Saved as version {version} of {whose} (plan {plan}){extra}.")
    problem = st.session_state.get(_CONFLICT)
    if problem:
        st.error(md_escape(problem["error"]))
        if problem.get("conflict"):
            a, b = st.columns(2)
            a.button("Reload their version", key=f"{key}_reload", on_click=_reload)
            b.button("Overwrite (keep both as versions)", key=f"{key}_overwrite", on_click=_save,
                     args=(rec, rec.routes.index(route), scenario, catalogue, True))
