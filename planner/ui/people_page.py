"""People and caseloads (administrator): users and roles, adding people, assigning learners to advisors.

Thin: every rule is :mod:`planner.store.admin` (only administrators; the last administrator
keeps their role; a learner who only signed in gets their record when assigned). An
administrator sees names, roles and assignments, never a learner's plans.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from planner.store.access import Capability, Role
from planner.store.admin import add_user, assign, assignments, learners, list_users, set_role, unassign
from planner.store.errors import StoreError
from planner.store.identity import Identity
from planner.ui.boundary import page_boundary
from planner.ui.records import acting_user, may, store
from planner.ui.text import md_escape, reported

__all__ = ["page"]

ROLES = [r.value for r in Role]
_MESSAGE = "pp_message"


def _done(message: str, ok: bool = True) -> None:
    st.session_state[_MESSAGE] = (message, ok)


def _act(what: str, call: Callable[[], str]) -> None:
    # a button callback: the store refuses or does it; either way the page says so on the next run
    try:
        _done(call())
    except (StoreError, ValueError) as exc:
        _done(f"{what} failed: {exc}", False)


def _users_table(users) -> None:  # type: ignore[no-untyped-def]
    names = {u.id: u.name for u in users}
    st.dataframe([{
        "Name": u.name, "E-mail": u.email or "", "Role": u.role.value,
        "Caseload": f"{u.caseload} learner{'s' * (u.caseload != 1)}" if u.role == Role.ADVISOR else "",
        "Advisors": ", ".join(names.get(a, "?") for a in u.advisors) if u.learner_id else "",
        "Signs in as": u.key,
    } for u in users], hide_index=True, width="stretch", key="pp_users_table")


def _roles(users) -> None:  # type: ignore[no-untyped-def]
    st.subheader("Change a role")
    by_id = {u.id: u for u in users}
    a, b, c = st.columns([3, 2, 2], vertical_alignment="bottom")
    who = a.selectbox("User", list(by_id), key="pp_role_user",
                      format_func=lambda uid: f"{by_id[uid].name} ({by_id[uid].role.value})")
    role = b.selectbox("New role", ROLES, key="pp_role_value")

    def change() -> None:
        def do() -> str:
            user = set_role(store(), acting_user(), who, role)
            return (f"{user.name} is now {'an' if role == 'admin' else 'a'} {role}; "
                    "it applies at once, to an open session too.")

        _act("Changing the role", do)

    c.button("Change role", key="pp_role_save", on_click=change)


def _add() -> None:
    st.subheader("Add a person before they sign in")
    me = acting_user()
    with st.form("pp_add", clear_on_submit=True):
        a, b = st.columns(2)
        a.text_input("Name", max_chars=300, key="pp_add_name")
        b.text_input("E-mail", max_chars=300, key="pp_add_email")
        a.text_input("Identity provider (issuer URL)", value=me.issuer, max_chars=300, key="pp_add_issuer",
                     help="The 'iss' your identity provider sends; yours is filled in.")
        b.text_input("Subject (the provider's id for them)", max_chars=300, key="pp_add_subject",
                     help="The 'sub' claim: the provider's stable id for the person.")
        st.selectbox("Role", ROLES, key="pp_add_role")

        def added() -> None:
            s = st.session_state
            issuer, subject = str(s.get("pp_add_issuer", "")).strip(), str(s.get("pp_add_subject", "")).strip()
            if not issuer or not subject:
                _done("Give the identity provider and the subject: they are how the person signs in.", False)
                return
            person = Identity(issuer, subject, str(s.get("pp_add_email", "")).strip() or None,
                              str(s.get("pp_add_name", "")).strip() or None)
            role = str(s.get("pp_add_role", "learner"))

            def do() -> str:
                return f"Added {add_user(store(), acting_user(), person, role).name} as {role}."

            _act("Adding the person", do)

        st.form_submit_button("Add", on_click=added)


def _assign(users) -> None:  # type: ignore[no-untyped-def]
    st.subheader("Assign a learner to an advisor")
    s, me = store(), acting_user()
    advisors = {u.id: u.name for u in users if u.role == Role.ADVISOR}
    # learners: every record, and learners who signed in but have no record yet (created when assigned)
    entries = {f"learner:{e.learner_id}": e.name + ("" if e.user_id else " (added by an advisor)")
               for e in learners(s, me)}
    with_record = {e.user_id for e in learners(s, me) if e.user_id}
    entries.update({f"user:{u.id}": f"{u.name} (signed in, nothing saved yet)" for u in users
                    if u.role == Role.LEARNER and u.id not in with_record})
    if not advisors or not entries:
        st.caption("Assigning needs an advisor and a learner: a person becomes a learner when they first sign in "
                   "(or when you add them above), an advisor when you give them that role.")
        return
    a, b, c = st.columns([3, 3, 2], vertical_alignment="bottom")
    learner = a.selectbox("Learner", sorted(entries, key=lambda k: entries[k].casefold()), key="pp_assign_learner",
                          format_func=entries.__getitem__)
    advisor = b.selectbox("Advisor", sorted(advisors, key=lambda k: advisors[k].casefold()), key="pp_assign_advisor",
                          format_func=advisors.__getitem__)

    def go() -> None:
        kind, _, ident = learner.partition(":")
        ids = {"learner_id": int(ident)} if kind == "learner" else {"user_id": int(ident)}

        def do() -> str:
            done = assign(store(), acting_user(), advisor, **ids)
            return f"{done.learner} is on {done.advisor}'s caseload."

        _act("Assigning", do)

    c.button("Assign", key="pp_assign", type="primary", on_click=go)


def _assignments() -> None:
    st.subheader("Caseloads")
    rows = assignments(store(), acting_user())
    if not rows:
        st.caption("No learner is on an advisor's caseload yet.")
        return
    st.dataframe([{"Advisor": r.advisor, "Learner": r.learner,
                   "Learner signs in": "yes" if r.learner_user_id else "no (added by an advisor)"} for r in rows],
                 hide_index=True, width="stretch", key="pp_assignments_table")
    keys = {f"{r.advisor_id}:{r.learner_id}": f"{r.learner} from {r.advisor}'s caseload" for r in rows}
    a, b = st.columns([5, 2], vertical_alignment="bottom")
    chosen = a.selectbox("Take off a caseload", list(keys), key="pp_unassign_pick", format_func=keys.__getitem__)

    def go() -> None:
        advisor, learner = (int(x) for x in chosen.split(":"))

        def do() -> str:
            unassign(store(), acting_user(), advisor, learner)
            return f"Took {keys[chosen]}."

        _act("Taking off the caseload", do)

    b.button("Take off", key="pp_unassign", on_click=go)


@page_boundary("People and caseloads")
def page() -> None:
    """Draw the administrator's page of users, roles and caseloads."""
    st.header("People and caseloads")
    if not may(Capability.MANAGE_PEOPLE):
        st.error("'People and caseloads' is for administrators.")
        return
    message = st.session_state.pop(_MESSAGE, None)
    if message:
        (st.success if message[1] else st.error)(md_escape(message[0]))
    users = list_users(store(), acting_user())
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'s' * (n != 1)}"

    st.caption(f"{count(len(users), 'person').replace('persons', 'people')} · "
               f"{count(sum(u.role == Role.ADVISOR for u in users), 'advisor')} · "
               f"{count(sum(u.role == Role.LEARNER for u in users), 'learner')}. You see names, roles and "
               "caseloads, never a learner's plans.")
    _users_table(users)
    with reported("Assigning"):
        _assign(users)
    with reported("The caseloads"):
        _assignments()
    with reported("Changing roles"):
        _roles(users)
    with reported("Adding a person"):
        _add()
