"""Plain, frozen result types of the route engine.

Results are ordinary dataclasses rather than pydantic models: they are produced by the
library, never parsed from user input, and they must be cheap to build and compare.
``planner.outputs.export`` turns them into JSON; ``to_dict`` here gives the stable JSON shape.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from planner.catalogue.models import LearnerProfile, Objective, Target

__all__ = ["Diagnosis", "Recommendation", "Route", "ScheduledStep", "Step", "to_jsonable"]


@dataclass(frozen=True)
class ScheduledStep:
    """Where one credential sits in time. Weeks count from the plan start (week 0)."""

    credential_id: str
    start_week: int
    end_week: int  # exclusive: the first week after the credential ends
    start: dt.date
    end: dt.date
    hours_per_week: float
    term: int | None = None  # set by the balanced plan


@dataclass(frozen=True)
class Step:
    """One credential of a route, with its explanation."""

    credential_id: str
    title: str
    provider_id: str
    cost: float  # in the catalogue's base currency
    cost_amount: float  # as priced by the provider
    cost_currency: str
    ects: float
    hours: float
    start: dt.date | None
    end: dt.date | None
    serves: tuple[str, ...] = ()  # target competencies / award rules this step serves
    unlocks: tuple[str, ...] = ()  # chosen credentials whose prerequisites it meets
    completes: tuple[str, ...] = ()  # awards this step completes
    explanation: str = ""
    cost_note: str = ""  # which of several published prices was used ("" when there was one)
    duration_note: str = ""  # a published duration range and the end planned with


@dataclass(frozen=True)
class Route:
    """A set of credentials that reaches the target, scheduled and explained."""

    rank: int
    credential_ids: tuple[str, ...]  # in schedule order
    steps: tuple[Step, ...]
    total_cost: float
    currency: str
    total_hours: float
    total_ects: float
    start: dt.date
    finish: dt.date
    weeks: int
    objective: Objective
    objective_value: float
    proved_optimal: bool
    fit: float = 1.0  # share of the target's optional competencies also covered (roles)
    credit_towards: float | None = None  # ECTS towards the named award, when asked
    awards_completed: tuple[str, ...] = ()
    schedule: tuple[ScheduledStep, ...] = ()
    schedule_proved_optimal: bool = True  # the finish date is the earliest possible for this set
    duration_unknown: tuple[str, ...] = ()  # credentials whose duration or weekly load is unknown
    lower_bounds: tuple[str, ...] = ()  # route fields that are only lower bounds (e.g. finish, weeks)
    proof: str = ""  # what was proved, in words

    @property
    def duration_text(self) -> str:
        """How long the route takes, in words: never "0 weeks" when a duration is unknown."""
        if not self.duration_unknown:
            return f"{self.weeks} week{'s' if self.weeks != 1 else ''}"
        if self.weeks == 0:
            return "duration unknown"
        return f"at least {self.weeks} weeks (duration unknown for {len(self.duration_unknown)} step" + (
            "s)" if len(self.duration_unknown) != 1 else ")")


@dataclass(frozen=True)
class Diagnosis:
    """One reason a target cannot be reached, and the smallest change that fixes it."""

    code: str  # no_teacher, excluded, budget, deadline, hours, prerequisite, award_rule, unknown
    message: str
    relaxation: dict[str, Any] = field(default_factory=dict)  # e.g. {"budget": 2400.0}


@dataclass(frozen=True)
class Recommendation:
    """The answer to one route search: ranked routes, or why there is none."""

    target: Target
    profile: LearnerProfile
    objective: Objective
    routes: tuple[Route, ...]
    diagnoses: tuple[Diagnosis, ...] = ()
    candidates: int = 0  # credentials left after pruning
    solve_seconds: float = 0.0
    complete: bool = True  # False: the search stopped at its time or size limit
    note: str = ""  # said of the answer as a whole (fewer routes than asked, search stopped …)

    @property
    def feasible(self) -> bool:
        """Whether at least one route reaches the target."""
        return bool(self.routes)

    @property
    def best(self) -> Route | None:
        """The top-ranked route, if any."""
        return self.routes[0] if self.routes else None


def to_jsonable(value: Any) -> Any:
    """Turn results (dataclasses, pydantic models, dates, enums) into JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if hasattr(value, "value") and not isinstance(value, (int, float, str, bool)):
        return value.value
    return value
