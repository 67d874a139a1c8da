"""Who may see which learner's records: the one place the store's access rules live.

* a **learner** sees only the learner record linked to their user, and its plans;
* an **advisor** sees the learners in their caseload (and their own record, if linked);
* an **admin** manages caseload assignments and sees aggregate, anonymised figures, never
  an individual learner's record.

Unknown and forbidden learners are refused alike, so ids cannot be probed.
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
from planner.store.tables import CaseloadLink, LearnerRow

__all__ = [
    "Capability",
    "Role",
    "User",
    "capabilities",
    "initial_role",
    "learner_scope",
    "require_capability",
    "require_learner",
    "require_role",
]

#: Comma-separated e-mail addresses (or ISSUER|SUBJECT keys) that get a role on first sign-in.
ROLE_ENV = {"admin": "PLANNER_ADMINS", "advisor": "PLANNER_ADVISORS"}
#: Issuer of the one user of a local, single-user run.
LOCAL_ISSUER = LOCAL_IDENTITY.issuer


class Role(StrEnum):
    """What a user is to the store."""

    LEARNER = "learner"
    ADVISOR = "advisor"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    """The acting user of a store call (get one from :meth:`planner.store.Store.user_for`)."""

    id: int
    role: Role
    name: str
    issuer: str
    subject: str

    def __str__(self) -> str:
        return f"{self.role.value} '{self.name}'"


def initial_role(identity: Identity, environ: Mapping[str, str] | None = None) -> Role:
    """The role a person gets on first sign-in: listed in ``PLANNER_ADMINS`` / ``PLANNER_ADVISORS``, else learner.

    Parameters
    ----------
    identity : Identity
        The signed-in person.
    environ : mapping, optional
        Where to read the lists (default ``os.environ``).
    """
    env = os.environ if environ is None else environ
    names = {identity.key, *([identity.email.lower()] if identity.email else [])}
    for role in (Role.ADMIN, Role.ADVISOR):
        listed = {x.strip().lower() if "@" in x else x.strip() for x in env.get(ROLE_ENV[role.value], "").split(",")}
        if names & (listed - {""}):
            return role
    return Role.LEARNER


def require_role(actor: User, *roles: Role, doing: str) -> None:
    """Refuse unless ``actor`` has one of ``roles``."""
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


def require_learner(session: Session, actor: User, learner_id: int, *, doing: str) -> LearnerRow:
    """The learner row, if ``actor`` may ``doing`` it; else :class:`AccessDenied`.

    Raises
    ------
    AccessDenied
        When the learner is not the actor's own record nor in their caseload (or the actor
        is an admin), and when no such learner exists (refused alike).
    """
    if actor.role == Role.ADMIN:
        raise AccessDenied(f"{actor} may not {doing} learner {learner_id}: admins see aggregate figures only, "
                           "never an individual learner's record")
    row = session.scalar(select(LearnerRow).where(LearnerRow.id == learner_id, learner_scope(actor)))
    if row is None:
        whose = "their caseload or their own record" if actor.role == Role.ADVISOR else "their own record"
        raise AccessDenied(f"{actor} may not {doing} learner {learner_id}: it is not in {whose}")
    return row



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
