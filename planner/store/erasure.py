"""Erasing a learner so that nothing personal is left: rows, names, and the bytes in SQLite's files.

What an erase does, in one transaction (the learner's row locked first):

* the learner's record, plans with every version (and their notes), progress and caseload
  links are deleted;
* the audit log keeps who did what and when about the learner's id, with its details
  emptied (they named plans, versions and credentials);
* when the learner signs in themselves (a user whose role is learner), that user's name,
  e-mail address, issuer and subject are replaced by a pseudonym, and so is their name in
  every audit entry they made. Staff users (advisors, admins) keep their user: they acted
  in their role, and their caseloads must not lose their owner.

After the commit, :func:`scrub_files` checkpoints SQLite's write-ahead log into the database
and truncates it; SQLite runs with ``secure_delete`` on (see :mod:`planner.store.db`), so the
deleted content is overwritten with zeros rather than left in free pages. On PostgreSQL the
rows are deleted; their bytes stay in the table files until ``VACUUM`` reuses the space, and
in backups and archived WAL until those expire (the README says so).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from planner.store.access import Role
from planner.store.tables import AuditEntry, CaseloadLink, LearnerRow, PlanRow, PlanVersion, ProgressRow, UserRow

__all__ = ["ERASED_ISSUER", "Erased", "erase_rows", "pseudonym", "scrub_files"]

#: The issuer of a pseudonymised user: no identity provider sends it, so nobody signs in as them.
ERASED_ISSUER = "erased"


@dataclass(frozen=True)
class Erased:
    """What an erase removed."""

    plans: int
    version_ids: tuple[int, ...]
    user_pseudonymised: bool


def pseudonym(user_id: int) -> str:
    """The name an erased user is shown by from now on."""
    return f"erased user {user_id}"


def erase_rows(s: Session, learner: LearnerRow) -> Erased:
    """Delete a (locked) learner's rows and pseudonymise their own user; see the module's notes.

    Parameters
    ----------
    s : Session
        The transaction of the erase; the learner's row is locked in it.
    learner : LearnerRow
        The learner to erase.

    Returns
    -------
    Erased
    """
    plan_ids = list(s.scalars(select(PlanRow.id).where(PlanRow.learner_id == learner.id)))
    version_ids = tuple(s.scalars(select(PlanVersion.id).where(PlanVersion.plan_id.in_(plan_ids)))) \
        if plan_ids else ()
    if plan_ids:
        s.execute(delete(ProgressRow).where(ProgressRow.plan_id.in_(plan_ids)))
        s.execute(delete(PlanVersion).where(PlanVersion.plan_id.in_(plan_ids)))
        s.execute(delete(PlanRow).where(PlanRow.id.in_(plan_ids)))
    s.execute(delete(CaseloadLink).where(CaseloadLink.learner_id == learner.id))
    user_id = learner.user_id
    s.execute(delete(LearnerRow).where(LearnerRow.id == learner.id))
    s.expunge(learner)
    s.execute(update(AuditEntry).where(AuditEntry.learner_id == learner.id).values(detail=""))
    done = False
    if user_id is not None:
        user = s.scalar(select(UserRow).where(UserRow.id == user_id).with_for_update())
        if user is not None and user.role == Role.LEARNER.value:
            name = pseudonym(user.id)
            user.issuer, user.subject, user.name, user.email = ERASED_ISSUER, f"user-{user.id}", name, None
            s.flush()
            s.execute(update(AuditEntry).where(AuditEntry.actor_id == user.id)
                      .values(actor=f"{Role.LEARNER.value} '{name}'"))
            done = True
    return Erased(len(plan_ids), version_ids, done)


def scrub_files(engine: Engine, *, attempts: int = 20) -> bool:
    """After an erase on SQLite: copy the write-ahead log into the database and empty it.

    A reader in another process can hold the log open for a moment; the checkpoint is tried
    again for up to about two seconds.

    Parameters
    ----------
    engine : Engine
        The store's database.
    attempts : int
        How many times to try, 0.1 s apart.

    Returns
    -------
    bool
        True when the log was emptied (always True on PostgreSQL, where there is nothing to do).
    """
    if engine.dialect.name != "sqlite":
        return True
    for _ in range(attempts):
        try:
            with engine.connect() as conn:
                raw = conn.connection.dbapi_connection
                busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]  # type: ignore[union-attr]
        except SQLAlchemyError:
            busy = 1
        if not busy:
            return True
        time.sleep(0.1)
    return False
