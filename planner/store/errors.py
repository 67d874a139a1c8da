"""Errors of the learner store: refused access, missing records, conflicting saves."""

from __future__ import annotations

import datetime as dt

from planner._errors import PlannerError

__all__ = ["AccessDenied", "NotFound", "PlanConflict", "StoreError"]


class StoreError(PlannerError):
    """Base class of the store's errors."""


class AccessDenied(StoreError, PermissionError):
    """The acting user may not read or change this record; the message says who and why."""


class NotFound(StoreError, LookupError):
    """No such record (or it was erased)."""


class PlanConflict(StoreError):
    """Someone saved the plan after the version this save was based on.

    Parameters
    ----------
    plan_id : int
        The plan.
    based_on : int or None
        The version the caller edited.
    latest : int
        The version now saved.
    changed_by : str
        Display name of whoever saved ``latest``.
    changed_at : datetime.datetime
        When they saved it (UTC).

    Notes
    -----
    The caller chooses: reload ``latest`` and redo the edit, or save again with
    ``overwrite=True``, which still adds a new version (nothing is lost).
    """

    def __init__(self, plan_id: int, based_on: int | None, latest: int, changed_by: str,
                 changed_at: dt.datetime) -> None:
        self.plan_id, self.based_on, self.latest = plan_id, based_on, latest
        self.changed_by, self.changed_at = changed_by, changed_at
        super().__init__(
            f"plan {plan_id} was changed by {changed_by} at {changed_at:%Y-%m-%d %H:%M} UTC "
            f"(version {latest}; your edit was based on version {based_on}): reload it, or overwrite "
            f"(your version is saved as a new version; theirs stays readable)"
        )
