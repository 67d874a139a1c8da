"""An institution administrator's work: users, roles, and which advisor has which learner.

Every function takes the acting :class:`~planner.store.access.User`, reads their role again
(:func:`~planner.store.access.current_user`) and refuses anyone but an admin
(:func:`~planner.store.access.require_role`). Each is one unit of work
(:func:`~planner.store.tx.unit_of_work`: retried on a deadlock, located errors otherwise), and
locks what two admins could change at once (the users it changes, the learner it assigns).
An admin sees people's names, roles
and assignments, never a learner's plans or profile; every change is written to the audit
log. Built on the :class:`~planner.store.records.Store`'s engine and tables, next to it.

Examples
--------
>>> store = open_store("sqlite://")                                  # doctest: +SKIP
>>> admin = store.user_for(Identity("https://id.example.org", "amy"), role="admin")  # doctest: +SKIP
>>> [u.role.value for u in list_users(store, admin)]                 # doctest: +SKIP
['admin']
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from planner.catalogue.models import LearnerProfile
from planner.store.access import Role, User, current_user, require_role
from planner.store.errors import NotFound, StoreError
from planner.store.identity import Identity
from planner.store.records import Store
from planner.store.tables import AuditEntry, CaseloadLink, LearnerRow, UserRow, utcnow
from planner.store.tx import unit_of_work

__all__ = [
    "Assignment",
    "LearnerEntry",
    "UserSummary",
    "add_user",
    "assign",
    "assignments",
    "learners",
    "list_users",
    "set_role",
    "unassign",
]


@dataclass(frozen=True)
class UserSummary:
    """A user as the administrator sees them."""

    id: int
    name: str
    email: str | None
    role: Role
    issuer: str
    subject: str
    learner_id: int | None  # their own learner record, when they have one
    advisors: tuple[int, ...]  # user ids of the advisors who have their record on their caseload
    caseload: int  # learners on their caseload (advisors)

    @property
    def key(self) -> str:
        """``ISSUER|SUBJECT``, as ``--as`` and ``PLANNER_ADMINS`` name a person."""
        return f"{self.issuer}|{self.subject}"


@dataclass(frozen=True)
class Assignment:
    """A learner on an advisor's caseload."""

    advisor_id: int
    advisor: str
    learner_id: int
    learner: str
    learner_user_id: int | None  # the learner's user, when they sign in


@dataclass(frozen=True)
class LearnerEntry:
    """A learner record as the administrator sees it: a name to assign, nothing of its content."""

    learner_id: int
    name: str
    user_id: int | None  # their user, when they sign in
    advisors: tuple[int, ...]  # user ids of the advisors who have them on their caseload


@contextmanager
def _tx(store: Store) -> Iterator[Session]:
    with sessionmaker(store.engine, expire_on_commit=False)() as session, session.begin():
        yield session


def _audit(s: Session, actor: User, learner_id: int | None, action: str, detail: str) -> None:
    s.add(AuditEntry(at=utcnow(), actor_id=actor.id, actor=str(actor), learner_id=learner_id, action=action,
                     detail=detail[:2000]))


def _name(row: UserRow) -> str:
    return row.name or row.email or row.subject


@unit_of_work("list users")
def list_users(store: Store, actor: User) -> list[UserSummary]:
    """Every user, by role (admins, advisors, learners) then name.

    Raises
    ------
    AccessDenied
        Unless ``actor`` is an admin.
    """
    with _tx(store) as s:
        actor = current_user(s, actor)  # the role as it is now
        require_role(actor, Role.ADMIN, doing="list users")
        own = dict(s.execute(select(LearnerRow.user_id, LearnerRow.id).where(LearnerRow.user_id.is_not(None))).all())
        links = s.execute(select(CaseloadLink.advisor_id, CaseloadLink.learner_id)).all()
        sizes = dict(s.execute(select(CaseloadLink.advisor_id, func.count()).group_by(CaseloadLink.advisor_id)).all())
        advisors: dict[int, list[int]] = {}
        for link in links:
            advisors.setdefault(link.learner_id, []).append(link.advisor_id)
        rows = list(s.scalars(select(UserRow)))
        _audit(s, actor, None, "users", f"{len(rows)} users listed")
    order = {Role.ADMIN: 0, Role.ADVISOR: 1, Role.LEARNER: 2}
    out = [UserSummary(r.id, _name(r), r.email, Role(r.role), r.issuer, r.subject, own.get(r.id),
                       tuple(sorted(a for a in advisors.get(own.get(r.id, -1), []) if a != r.id)),
                       sizes.get(r.id, 0)) for r in rows]
    return sorted(out, key=lambda u: (order[u.role], u.name.casefold(), u.id))


@unit_of_work("add a user")
def add_user(store: Store, actor: User, identity: Identity, role: Role | str = Role.LEARNER) -> User:
    """Register a person before they first sign in, with a role.

    Parameters
    ----------
    store : Store
        The learner store.
    actor : User
        An admin.
    identity : Identity
        The person's issuer and subject as their identity provider sends them (``iss`` and
        ``sub``), with a name and e-mail address for the lists.
    role : Role or str
        ``learner``, ``advisor`` or ``admin``.

    Raises
    ------
    StoreError
        When the person is a user already (change their role instead).
    """
    role = Role(role)
    with _tx(store) as s:
        actor = current_user(s, actor)  # the role as it is now
        require_role(actor, Role.ADMIN, doing="add users")
        if s.scalar(select(UserRow.id).where(UserRow.issuer == identity.issuer, UserRow.subject == identity.subject)):
            raise StoreError(f"{identity.key} is a user already: change their role instead")
        row = UserRow(issuer=identity.issuer, subject=identity.subject, role=role.value, name=identity.name,
                      email=identity.email)
        s.add(row)
        s.flush()
        _audit(s, actor, None, "add_user", f"user {row.id} as {role.value}")
        return User(row.id, role, _name(row), row.issuer, row.subject)


@unit_of_work("change a role")
def set_role(store: Store, actor: User, user_id: int, role: Role | str) -> User:
    """Change a user's role; the last administrator keeps theirs (someone must be able to manage).

    Raises
    ------
    NotFound
        No such user.
    StoreError
        When this would leave no administrator.
    """
    role = Role(role)
    with _tx(store) as s:
        actor = current_user(s, actor)  # the role as it is now
        require_role(actor, Role.ADMIN, doing="change roles")
        row = s.scalar(select(UserRow).where(UserRow.id == user_id).with_for_update())
        if row is None:
            raise NotFound(f"no user {user_id}")
        if row.role == Role.ADMIN.value and role != Role.ADMIN:
            # every admin's row locked: two admins demoting each other at once cannot leave none
            admins = len(list(s.scalars(select(UserRow.id).where(UserRow.role == Role.ADMIN.value)
                                        .with_for_update())))
            if admins <= 1:
                raise StoreError(f"user {user_id} is the last administrator: make someone else one first")
        before, row.role = row.role, role.value
        if before != role.value:
            _audit(s, actor, None, "role", f"user {user_id}: {before} -> {role.value}")
        return User(row.id, role, _name(row), row.issuer, row.subject)


@unit_of_work("list caseloads")
def assignments(store: Store, actor: User, advisor_id: int | None = None) -> list[Assignment]:
    """Which advisor has which learner (of one advisor with ``advisor_id``), by advisor then learner.

    Raises
    ------
    AccessDenied
        Unless ``actor`` is an admin.
    """
    with _tx(store) as s:
        actor = current_user(s, actor)  # the role as it is now
        require_role(actor, Role.ADMIN, doing="list caseloads")
        q = (select(CaseloadLink.advisor_id, UserRow, LearnerRow.id, LearnerRow.name, LearnerRow.user_id)
             .join(UserRow, UserRow.id == CaseloadLink.advisor_id)
             .join(LearnerRow, LearnerRow.id == CaseloadLink.learner_id))
        if advisor_id is not None:
            q = q.where(CaseloadLink.advisor_id == advisor_id)
        rows = s.execute(q).all()
        _audit(s, actor, None, "caseloads", f"{len(rows)} assignments listed")
    out = [Assignment(r[0], _name(r[1]), r[2], r[3], r[4]) for r in rows]
    return sorted(out, key=lambda a: (a.advisor.casefold(), a.advisor_id, a.learner.casefold(), a.learner_id))


@unit_of_work("list learners")
def learners(store: Store, actor: User) -> list[LearnerEntry]:
    """Every learner record by name, with its advisors: what an administrator assigns.

    Learners an advisor added (no user of their own) are listed too, also when nobody has
    them on their caseload any more.

    Raises
    ------
    AccessDenied
        Unless ``actor`` is an admin.
    """
    with _tx(store) as s:
        actor = current_user(s, actor)  # the role as it is now
        require_role(actor, Role.ADMIN, doing="list learners for assignment")
        advisors: dict[int, list[int]] = {}
        for link in s.execute(select(CaseloadLink.advisor_id, CaseloadLink.learner_id)):
            advisors.setdefault(link.learner_id, []).append(link.advisor_id)
        rows = s.execute(select(LearnerRow.id, LearnerRow.name, LearnerRow.user_id)).all()
        _audit(s, actor, None, "learners", f"{len(rows)} learner names listed")
    out = [LearnerEntry(r.id, r.name, r.user_id, tuple(sorted(a for a in advisors.get(r.id, []) if a != r.user_id)))
           for r in rows]
    return sorted(out, key=lambda e: (e.name.casefold(), e.learner_id))


def _learner_of_user(s: Session, actor: User, user_id: int) -> LearnerRow:
    user = s.scalar(select(UserRow).where(UserRow.id == user_id).with_for_update())  # one record per user
    if user is None:
        raise NotFound(f"no user {user_id}")
    row = s.scalar(select(LearnerRow).where(LearnerRow.user_id == user_id))
    if row is None:  # a learner who has not saved anything yet: their (empty) record, so they can be assigned
        row = LearnerRow(user_id=user_id, name=_name(user), profile=LearnerProfile().model_dump(mode="json"))
        s.add(row)
        s.flush()
        _audit(s, actor, row.id, "create", f"record of user {user_id}, for assignment")
    return row


@unit_of_work("assign a learner")
def assign(store: Store, actor: User, advisor_id: int, *, learner_id: int | None = None,
           user_id: int | None = None) -> Assignment:
    """Put a learner on an advisor's caseload: a learner record, or the record of a user.

    Parameters
    ----------
    store : Store
        The learner store.
    actor : User
        An admin.
    advisor_id : int
        The advisor's user id.
    learner_id, user_id : int, optional
        Exactly one: a learner record, or a user whose own record is meant (created, empty,
        when they have none yet: a learner who signed in but saved nothing).

    Raises
    ------
    NotFound
        No such advisor, learner or user.
    StoreError
        Neither or both of ``learner_id`` and ``user_id``.
    """
    if (learner_id is None) == (user_id is None):
        raise StoreError("name the learner by exactly one of a learner id or a user id")
    with _tx(store) as s:
        actor = current_user(s, actor)  # the role as it is now
        require_role(actor, Role.ADMIN, doing="assign learners to advisors")
        advisor = s.get(UserRow, advisor_id)
        if advisor is None or advisor.role != Role.ADVISOR.value:
            raise NotFound(f"user {advisor_id} is not an advisor")
        if user_id is not None:
            row = _learner_of_user(s, actor, user_id)
        else:
            # the learner's row locked, as every writer of their records does: an erase waits or went first
            row = s.scalar(select(LearnerRow).where(LearnerRow.id == learner_id).with_for_update())
            if row is None:
                raise NotFound(f"no learner {learner_id}")
        if s.get(CaseloadLink, (advisor_id, row.id)) is None:
            s.add(CaseloadLink(advisor_id=advisor_id, learner_id=row.id))
            _audit(s, actor, row.id, "assign", f"to advisor {advisor_id}")
        return Assignment(advisor_id, _name(advisor), row.id, row.name, row.user_id)


@unit_of_work("change a caseload")
def unassign(store: Store, actor: User, advisor_id: int, learner_id: int) -> None:
    """Take a learner off an advisor's caseload (their record and plans stay).

    Raises
    ------
    NotFound
        When the learner is not on that advisor's caseload.
    """
    with _tx(store) as s:
        actor = current_user(s, actor)  # the role as it is now
        require_role(actor, Role.ADMIN, doing="change caseloads")
        gone = s.execute(delete(CaseloadLink).where(CaseloadLink.advisor_id == advisor_id,
                                                    CaseloadLink.learner_id == learner_id))
        if not gone.rowcount:
            raise NotFound(f"learner {learner_id} is not on the caseload of user {advisor_id}")
        _audit(s, actor, learner_id, "unassign", f"from advisor {advisor_id}")
