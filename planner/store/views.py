"""What the learner store hands out: frozen records of learners, plans, progress and the audit log.

Also the conversions from table rows to these records (one place, used by every query).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.catalogue.models import LearnerProfile
from planner.engine.scenario import Scenario
from planner.outputs.export import PlanFile, plan_from_json
from planner.store.basis import Drift
from planner.store.tables import LearnerRow, PlanVersion, UserRow, utcnow

__all__ = ["MIN_GROUP", "AuditRecord", "CaseloadRow", "Learner", "SavedPlan", "StepProgress", "coarse", "iso",
           "learner_view", "saved_view", "user_name", "user_names", "utc"]

#: Aggregate groups smaller than this are merged into "other" (no small, re-identifiable cells).
MIN_GROUP = 5


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """``value`` marked as UTC (SQLite hands back naive datetimes; everything stored is UTC)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Learner:
    """A learner's record as its reader sees it."""

    id: int
    name: str
    user_id: int | None
    profile: LearnerProfile
    created_at: dt.datetime
    last_contact: dt.datetime | None


@dataclass(frozen=True)
class SavedPlan:
    """One version of a saved plan."""

    plan_id: int
    learner_id: int
    version: int
    target: str
    scenario: Scenario
    route: PlanFile | None  # the chosen route as a plan file (planner.outputs.export)
    catalogue_digest: str
    basis: dict[str, Any]
    whatifs: tuple[Scenario, ...]
    notes: str
    status: str
    saved_by: str
    saved_at: dt.datetime
    based_on: int | None

    @property
    def chosen(self) -> tuple[str, ...]:
        """Credential ids of the chosen route, in schedule order (empty without a route)."""
        return tuple(self.route.chosen) if self.route else ()


@dataclass(frozen=True)
class StepProgress:
    """Where the learner is with one step."""

    credential_id: str
    status: str
    completed_on: dt.date | None
    updated_at: dt.datetime | None


@dataclass(frozen=True)
class CaseloadRow:
    """One learner on an advisor's caseload list, with their current plan."""

    learner_id: int
    name: str
    last_contact: dt.datetime | None
    plan_id: int | None = None
    version: int | None = None
    target: str | None = None
    status: str | None = None
    steps: int = 0  # the current version's steps, and those completed before a re-plan dropped them
    completed: int = 0
    saved_at: dt.datetime | None = None
    drift: tuple[Drift, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class AuditRecord:
    """One audit-log entry."""

    at: dt.datetime
    actor: str
    learner_id: int | None
    action: str
    detail: str


def coarse(counts: Counter[str]) -> dict[str, int]:
    """Counts with groups under :data:`MIN_GROUP` merged into "other"."""
    out: dict[str, int] = {}
    for key, n in sorted(counts.items()):
        if n >= MIN_GROUP:
            out[key] = n
        else:
            out["other"] = out.get("other", 0) + n
    return out


def user_name(row: UserRow | None) -> str:
    """How a user is named to others (an erased user has only their pseudonym)."""
    return "someone" if row is None else (row.name or row.email or row.subject)


def user_names(s: Session) -> dict[int, str]:
    """Every user's :func:`user_name`, by id."""
    return {r.id: user_name(r) for r in s.scalars(select(UserRow))}


def iso(value: dt.datetime | None) -> str | None:
    """A stored timestamp as ISO 8601 text in UTC (None stays None)."""
    value = utc(value)
    return value.isoformat() if value else None


def learner_view(row: LearnerRow) -> Learner:
    """A ``learners`` row as a :class:`Learner`."""
    return Learner(row.id, row.name, row.user_id, LearnerProfile.model_validate(row.profile),
                   utc(row.created_at) or utcnow(), utc(row.last_contact))


def saved_view(row: PlanVersion, learner_id: int, saved_by: str) -> SavedPlan:
    """A ``plan_versions`` row as a :class:`SavedPlan`."""
    route = plan_from_json(json.dumps(row.route)) if row.route else None
    return SavedPlan(
        plan_id=row.plan_id, learner_id=learner_id, version=row.version, target=row.target,
        scenario=Scenario.model_validate(row.scenario), route=route, catalogue_digest=row.catalogue_digest,
        basis=row.basis, whatifs=tuple(Scenario.model_validate(w) for w in row.whatifs), notes=row.notes,
        status=row.status, saved_by=saved_by, saved_at=utc(row.saved_at) or utcnow(), based_on=row.based_on,
    )
