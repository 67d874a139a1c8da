"""Whose plan is this: the learners a person may work on, and the record a save goes to.

An advisor works on one learner at a time, chosen from :func:`learner_choices` (their
caseload, and their own record in single-user mode); a learner always works on their own
record. :func:`plan_owner` is the one rule every entry point uses to decide where a plan is
saved, so that nothing is ever saved to someone else's record by accident.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from planner.store.access import LOCAL_ISSUER, Role, User, current_user, learner_scope, require_learner
from planner.store.errors import StoreError
from planner.store.records import Store
from planner.store.tables import LearnerRow, PlanRow

__all__ = ["LearnerChoice", "NoLearnerChosen", "learner_choices", "plan_owner"]


class NoLearnerChosen(StoreError):
    """An advisor saved a plan without choosing whose it is."""


@dataclass(frozen=True)
class LearnerChoice:
    """A learner someone may work on, as a picker lists them."""

    learner_id: int
    name: str
    own: bool  # the acting person's own record
    plans: int  # how many plans are saved for them


def learner_choices(store: Store, actor: User) -> list[LearnerChoice]:
    """The learners ``actor`` may work on, own record first, then by name.

    Only names and counts: nothing of a record is read, so nothing is audited (opening a
    learner's plan is). Admins work on nobody: the list is empty.

    Parameters
    ----------
    store : Store
        The learner store.
    actor : User
        Who is choosing.

    Returns
    -------
    list of LearnerChoice
    """
    plans = (select(PlanRow.learner_id, func.count().label("n")).group_by(PlanRow.learner_id).subquery())
    with sessionmaker(store.engine)() as s:
        actor = current_user(s, actor)  # the role as it is now, not as the session remembers it
        if actor.role == Role.ADMIN:
            return []
        rows = s.execute(select(LearnerRow.id, LearnerRow.name, LearnerRow.user_id, plans.c.n)
                         .outerjoin(plans, plans.c.learner_id == LearnerRow.id)
                         .where(learner_scope(actor))).all()
    out = [LearnerChoice(r.id, r.name, r.user_id == actor.id, int(r.n or 0)) for r in rows]
    return sorted(out, key=lambda c: (not c.own, c.name.casefold(), c.learner_id))


def plan_owner(store: Store, actor: User, chosen: int | None, *, name: str | None = None) -> int:
    """The learner record a plan saved by ``actor`` goes to.

    * a learner: always their own record, created on their first save (``chosen`` must be
      None or that record);
    * an advisor: the learner they chose, who must be on their caseload (or their own record);
      with none chosen the save is refused: whose plan it is must never be guessed;
    * the single user of a local run, with nobody chosen: their own record (they are the
      only person there is).

    Parameters
    ----------
    store : Store
        The learner store.
    actor : User
        Who saves.
    chosen : int or None
        The learner the session works on.
    name : str, optional
        A learner's name for their own record when it is created (default: their user name).

    Returns
    -------
    int
        The learner id to save to.

    Raises
    ------
    NoLearnerChosen
        An advisor (or an admin) chose nobody.
    AccessDenied
        The chosen learner is not one ``actor`` may change.
    """
    actor = store.refresh_user(actor)  # the role as it is now, not as the session remembers it
    if actor.role == Role.LEARNER:
        own = store.own_learner_id(actor)
        if own is None:
            own = store.create_learner(actor, name or actor.name).id
        if chosen not in (None, own):
            with sessionmaker(store.engine)() as s:
                require_learner(s, actor, chosen, doing="save a plan for")  # refuses: not their own
        return own
    if chosen is None and actor.issuer == LOCAL_ISSUER:
        own = store.own_learner_id(actor)
        if own is not None:
            return own
    if chosen is None:
        raise NoLearnerChosen("choose the learner this plan is for (the learner picker in the sidebar)")
    with sessionmaker(store.engine)() as s:
        require_learner(s, actor, chosen, doing="save a plan for")
    return chosen
