"""Who may see which learner's records: the one place the store's access rules live.

* a **learner** sees only the learner record linked to their user, and its plans;
* an **advisor** sees the learners in their caseload (and their own record, if linked);
* an **admin** manages caseload assignments and sees aggregate, anonymised figures, never
  an individual learner's record.

Unknown and forbidden records are refused alike, with the same words, so ids cannot be
probed. The acting user's role is read from the database at the start of every call
(:func:`current_user`), so a changed role takes effect on an open session at once.

Roles come from trusted claims only: on first sign-in a person gets the role that
``PLANNER_ADMINS`` / ``PLANNER_ADVISORS`` give them, by ``ISSUER|SUBJECT`` (always), or by
e-mail address only when the identity provider says the address is verified and is the one
named by ``PLANNER_OIDC_ISSUER``.

Writers lock the learner's row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` already serialises writers), so two changes to one learner's records
run one after the other and always in the same lock order.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from planner.store.errors import AccessDenied
from planner.store.identity import LOCAL_IDENTITY, Identity
from planner.store.tables import CaseloadLink, LearnerRow, PlanRow, UserRow

__all__ = [
    "ISSUER_ENV",
    "ROLE_ENV",
    "Capability",
    "Role",
    "User",
    "capabilities",
    "current_user",
    "initial_role",
    "learner_scope",
    "require_capability",
    "require_learner",
    "require_plan",
    "require_role",
    "user_from_row",
]

#: Comma-separated ``ISSUER|SUBJECT`` keys (or verified e-mail addresses) that get a role on first sign-in.
ROLE_ENV = {"admin": "PLANNER_ADMINS", "advisor": "PLANNER_ADVISORS"}
#: The identity provider whose *verified* e-mail addresses the role lists may name.
ISSUER_ENV = "PLANNER_OIDC_ISSUER"
#: Issuer of the one user of a local, single-user run.
LOCAL_ISSUER = LOCAL_IDENTITY.issuer


class Role(StrEnum):
    """What a user is to the store."""

    LEARNER = "learner"
    ADVISOR = "advisor"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    """The acting user of a store call (get one from :meth:`planner.store.Store.user_for`).

    The store trusts only ``id``, ``issuer`` and ``subject`` of what a caller passes: the
    role is read again from the database by every call.
    """

    id: int
    role: Role
    name: str
    issuer: str
    subject: str

    def __str__(self) -> str:
        return f"{self.role.value} '{self.name}'"


def user_from_row(row: UserRow) -> User:
    """The :class:`User` a ``users`` row describes now."""
    return User(row.id, Role(row.role), row.name or row.email or row.subject, row.issuer, row.subject)


def _listed(value: str) -> tuple[set[str], set[str]]:
    keys, emails = set(), set()
    for item in (x.strip() for x in value.split(",")):
        if "|" in item:
            keys.add(item)
        elif "@" in item:
            emails.add(item.lower())
    return keys, emails


def initial_role(identity: Identity, environ: Mapping[str, str] | None = None) -> Role:
    """The role a person gets on first sign-in, from trusted claims only; else learner.

    ``PLANNER_ADMINS`` and ``PLANNER_ADVISORS`` list ``ISSUER|SUBJECT`` keys, which match the
    provider's issuer and subject exactly, and e-mail addresses, which match only when the
    identity's e-mail is verified (``email_verified`` claim true) *and* its issuer is the one
    ``PLANNER_OIDC_ISSUER`` names: anyone can put any address in an account of their own at
    some provider, but not a subject at the configured issuer.

    Parameters
    ----------
    identity : Identity
        The signed-in person.
    environ : mapping, optional
        Where to read the lists (default ``os.environ``).

    Returns
    -------
    Role
    """
    env = os.environ if environ is None else environ
    trusted = {x.strip() for x in env.get(ISSUER_ENV, "").split(",") if x.strip()}
    email = identity.email.strip().lower() if identity.email else None
    email_counts = bool(email) and identity.email_verified and identity.issuer in trusted
    for role in (Role.ADMIN, Role.ADVISOR):
        keys, emails = _listed(env.get(ROLE_ENV[role.value], ""))
        if identity.key in keys or (email_counts and email in emails):
            return role
    return Role.LEARNER


def current_user(session: Session, actor: User) -> User:
    """``actor`` as the database holds them now: their role is read again, never taken from the caller.

    Raises
    ------
    AccessDenied
        When the user no longer exists as that person (erased, or an id that names someone else).
    """
    row = session.get(UserRow, actor.id, populate_existing=True)
    if row is None or (row.issuer, row.subject) != (actor.issuer, actor.subject):
        raise AccessDenied(f"{actor} is not a user of this planner any more: sign in again")
    return user_from_row(row)


def require_role(actor: User, *roles: Role, doing: str) -> None:
    """Refuse unless ``actor`` has one of ``roles`` (pass a :func:`current_user`, not a cached one)."""
    if actor.role not in roles:
        allowed = " or ".join(r.value for r in roles)
        raise AccessDenied(f"{actor} may not {doing}: only {allowed}s may")


def learner_scope(actor: User):  # type: ignore[no-untyped-def]
    """A SQL condition on :class:`LearnerRow` selecting exactly the learners ``actor`` may see."""
    own = LearnerRow.user_id == actor.id
    if actor.role == Role.ADVISOR:
        assigned = exists().where(CaseloadLink.learner_id == LearnerRow.id, CaseloadLink.advisor_id == actor.id)
        return own | assigned
    if actor.role == Role.LEARNER:
        return own
    return LearnerRow.id.is_(None)  # admins: no individual records (matches nothing)


def _whose(actor: User) -> str:
    return "their caseload or their own record" if actor.role == Role.ADVISOR else "their own record"


def require_learner(session: Session, actor: User, learner_id: int, *, doing: str,
                    lock: bool = False) -> LearnerRow:
    """The learner row, if ``actor`` may ``doing`` it; else :class:`AccessDenied`.

    Parameters
    ----------
    session : Session
        The transaction.
    actor : User
        The acting user as :func:`current_user` read them.
    learner_id : int
        The learner asked for.
    doing : str
        What for, in the refusal ("read", "erase").
    lock : bool
        Lock the row until the transaction ends (every writer does, before anything else).

    Raises
    ------
    AccessDenied
        When the learner is not the actor's own record nor in their caseload (or the actor
        is an admin), and when no such learner exists (refused alike).
    """
    if actor.role == Role.ADMIN:
        raise AccessDenied(f"{actor} may not {doing} learner {learner_id}: admins see aggregate figures only, "
                           "never an individual learner's record")
    query = select(LearnerRow).where(LearnerRow.id == learner_id, learner_scope(actor))
    if lock:  # and read what the writer before us committed while we waited for the lock
        query = query.with_for_update(of=LearnerRow).execution_options(populate_existing=True)
    row = session.scalar(query)
    if row is None:
        raise AccessDenied(f"{actor} may not {doing} learner {learner_id}: it is not in {_whose(actor)}")
    return row


def require_plan(session: Session, actor: User, plan_id: int, *, doing: str,
                 lock: bool = False) -> tuple[PlanRow, LearnerRow]:
    """A plan and its learner, if ``actor`` may ``doing`` them; a missing plan is refused in the same words.

    The refusal names the plan only, never whose it is, so plan ids cannot be probed.

    Raises
    ------
    AccessDenied
        When the plan does not exist or belongs to a learner ``actor`` may not see.
    """
    refusal = AccessDenied(f"{actor} may not {doing} plan {plan_id}: "
                           + ("admins see aggregate figures only, never an individual learner's record"
                              if actor.role == Role.ADMIN else f"it is not in {_whose(actor)}"))
    learner_id = session.scalar(select(PlanRow.learner_id).where(PlanRow.id == plan_id))
    if learner_id is None or actor.role == Role.ADMIN:
        raise refusal
    try:
        learner = require_learner(session, actor, learner_id, doing=doing, lock=lock)
    except AccessDenied:
        raise refusal from None
    plan = session.scalar(select(PlanRow).where(PlanRow.id == plan_id, PlanRow.learner_id == learner.id))
    if plan is None:  # erased (or moved) while we waited for the lock
        raise refusal
    return plan, learner


# ---------------------------------------------------------------------- what each role may do


class Capability(StrEnum):
    """Something a person may do in the planner; the app shows a page only to those who may use it."""

    OWN_PLANS = "own_plans"  # see one's own plans, versions and progress, re-plan them
    PLAN_ROUTES = "plan_routes"  # ask for routes and save them to a record one may change
    COMPARE = "compare"  # what-ifs, trade-offs and handouts for a learner
    CASELOAD = "caseload"  # list, add and open learners on one's caseload
    MANAGE_PEOPLE = "manage_people"  # users, roles and caseload assignments
    AGGREGATE = "aggregate"  # anonymised figures over every learner
    COVERAGE = "coverage"  # catalogue analyses for institutions
    EXPLORE = "explore"  # browse the catalogue
    UPLOAD_CATALOGUE = "upload_catalogue"  # plan on one's own catalogue for the session


_ROLE_CAPABILITIES = {
    Role.LEARNER: frozenset({Capability.OWN_PLANS, Capability.PLAN_ROUTES, Capability.EXPLORE}),
    Role.ADVISOR: frozenset({Capability.PLAN_ROUTES, Capability.COMPARE, Capability.CASELOAD, Capability.COVERAGE,
                             Capability.EXPLORE, Capability.UPLOAD_CATALOGUE}),
    Role.ADMIN: frozenset({Capability.MANAGE_PEOPLE, Capability.AGGREGATE, Capability.COVERAGE, Capability.EXPLORE,
                           Capability.UPLOAD_CATALOGUE}),
}


def capabilities(actor: User) -> frozenset[Capability]:
    """What ``actor`` may do: their role's capabilities.

    The single user of a local run (issuer ``local``) is their own learner and advisor at
    once, so they also see their own plans.
    """
    granted = _ROLE_CAPABILITIES[actor.role]
    if actor.issuer == LOCAL_ISSUER and actor.role == Role.ADVISOR:
        granted |= {Capability.OWN_PLANS}
    return granted


def require_capability(actor: User, capability: Capability) -> None:
    """Refuse unless ``actor`` may do ``capability``.

    Raises
    ------
    AccessDenied
        Naming the actor and what they may not do.
    """
    if capability not in capabilities(actor):
        raise AccessDenied(f"{actor} may not use {capability.value.replace('_', ' ')}")
