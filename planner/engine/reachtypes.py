"""The question and answer of "where can I get from here?": options, lines, next step, JSON form.

:mod:`planner.engine.reach` computes them; this module holds the frozen types and the stable
JSON form (:func:`reach_to_json`) the CLI and the HTTP API share.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from planner._errors import PlannerError
from planner.catalogue.models import MAX_COST, MAX_WEEKS, Objective, Outlook, Target, parse_date
from planner.engine.results import Diagnosis, Route, to_jsonable
from planner.engine.routing import DEFAULT_TIME_LIMIT

__all__ = [
    "DEFAULT_NEXT_TOP",
    "EXHAUSTIVE_TARGETS",
    "JSON_VERSION",
    "MAX_TOP",
    "FirstStep",
    "NextStep",
    "NextStepEffect",
    "Reach",
    "ReachEntry",
    "ReachError",
    "ReachOptions",
    "Status",
    "entries_by_target",
    "reach_to_json",
]

#: Targets the next best step is chosen over when no ``top`` is given ("the 10 closest to you").
DEFAULT_NEXT_TOP = 10
#: Up to this many targets within the filters, every one is searched (the answer is complete).
EXHAUSTIVE_TARGETS = 400
#: Most targets a ranked list or a next step may consider.
MAX_TOP = 500
#: Version of the JSON form (:func:`reach_to_json`); new keys may be added, existing ones keep their meaning.
JSON_VERSION = 1

Status = Literal["reachable", "met", "unreachable", "unknown"]
_MEASURES = {Objective.COST: "cost", Objective.TIME: "weeks", Objective.WORKLOAD: "hours"}

class ReachError(PlannerError):
    """Options that do not make a question (bad objective, limit or filter); the message names it."""


# --------------------------------------------------------------------------- the question


@dataclass(frozen=True)
class ReachOptions:
    """What to rank and how; checked when built (:class:`ReachError` names a bad value).

    Parameters
    ----------
    objective : Objective
        ``cost``, ``time`` (earliest finish) or ``workload`` (study hours): each target's
        best route is the one ``recommend`` gives for it, and targets rank by its measure.
    kind : {"role", "award"}, optional
        Only roles, or only awards.
    sector : str, optional
        Only targets of this sector (case-insensitive).
    provider : str, optional
        Only awards this provider awards, and roles with an essential need one of its
        credentials teaches at the needed level.
    max_cost, max_weeks : optional
        Leave out reachable targets whose best route costs more (base currency) or takes
        longer; they are counted in :attr:`Reach.hidden`. A budget that changes the routes
        themselves is the profile's ``budget``.
    top : int, optional
        List only the first ``top`` reachable targets (default: all).
    next_top : int, optional
        Targets the next best step is chosen over (default: ``top``, else
        :data:`DEFAULT_NEXT_TOP`).
    today : datetime.date, optional
        Plan start (default: the profile's start, else today).
    time_limit : float
        Seconds for each target's search, as ``recommend``'s ``time_limit``.
    search_limit : int, optional
        With more than ``exhaustive_limit`` targets: how many candidates are searched
        (default ``max(next_top + 20, 1.4 × next_top)``, at least ``top``): enough beyond the
        closest to rank them among, few enough to stay interactive (each is a full search).
    exhaustive_limit : int
        Up to this many targets within the filters, every one is searched.
    """

    objective: Objective = Objective.COST
    kind: Literal["role", "award"] | None = None
    sector: str | None = None
    provider: str | None = None
    max_cost: float | None = None
    max_weeks: int | None = None
    top: int | None = None
    next_top: int | None = None
    today: dt.date | None = None
    time_limit: float = DEFAULT_TIME_LIMIT
    search_limit: int | None = None
    exhaustive_limit: int = EXHAUSTIVE_TARGETS

    def __post_init__(self) -> None:
        try:
            objective = Objective(self.objective)
        except ValueError:
            raise ReachError(f"objective {self.objective!r}: reach ranks by cost, time or workload") from None
        if objective not in _MEASURES:
            raise ReachError("objective credit: reach ranks by cost, time or workload (credit towards one award "
                             "does not compare across targets)")
        object.__setattr__(self, "objective", objective)
        if self.kind not in (None, "role", "award"):
            raise ReachError(f"kind {self.kind!r}: role or award")
        _check_number("max cost", self.max_cost, MAX_COST)
        _check_number("max weeks", self.max_weeks, MAX_WEEKS * 10)
        for name in ("top", "next_top", "search_limit"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, int) and 1 <= value <= MAX_TOP):
                raise ReachError(f"{name.replace('_', ' ')} must be a whole number from 1 to {MAX_TOP}")
        if not (isinstance(self.time_limit, (int, float)) and 0.1 <= self.time_limit <= 3600):
            raise ReachError("time limit must be between 0.1 and 3600 seconds")
        if not 0 <= self.exhaustive_limit <= 1_000_000:
            raise ReachError("exhaustive limit must be from 0 to 1000000")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReachOptions:
        """Options from a JSON object: the HTTP API's request and the CLI's flags share this reading.

        Keys: ``objective``, ``kind``, ``sector``, ``provider``, ``max_cost``, ``max_weeks``,
        ``top``, ``next_top``, ``today`` (``YYYY-MM-DD``) and ``time_limit``; a missing or null
        key takes its default.

        Raises
        ------
        ReachError
            Naming an unknown key, a value of the wrong type or out of range.
        """
        if not isinstance(data, Mapping):
            raise ReachError("options must be a JSON object")
        unknown = sorted(str(k)[:40] for k in data if k not in _OPTION_TYPES)
        if unknown:
            raise ReachError(f"unknown option {', '.join(unknown)}; the options are {', '.join(_OPTION_TYPES)}")
        values: dict[str, Any] = {}
        for key, value in data.items():
            if value is None:
                continue
            kinds = _OPTION_TYPES[key]
            if isinstance(value, bool) or not isinstance(value, kinds):
                raise ReachError(f"{key}: expected {' or '.join(k.__name__ for k in kinds)}, got "
                                 f"{type(value).__name__}")
            if isinstance(value, str) and len(value) > 300:
                raise ReachError(f"{key}: at most 300 characters")
            values[key] = value
        if "today" in values:
            try:
                values["today"] = parse_date(values["today"], "today")
            except ValueError as exc:
                raise ReachError(str(exc)) from None
        if isinstance(values.get("max_weeks"), float):
            if not values["max_weeks"].is_integer():
                raise ReachError("max weeks must be a whole number")
            values["max_weeks"] = int(values["max_weeks"])
        return cls(**values)

    @property
    def measure(self) -> str:
        """``cost``, ``weeks`` or ``hours``: what the objective ranks by."""
        return _MEASURES[Objective(self.objective)]

    @property
    def next_over(self) -> int:
        """How many of the closest targets the next best step is chosen over."""
        return self.next_top or self.top or DEFAULT_NEXT_TOP

    @property
    def searches(self) -> int:
        """Candidates searched when the targets are too many to search them all."""
        n = self.next_over
        return self.search_limit or max(n + 20, round(1.4 * n), self.top or 0)


#: The JSON form of :class:`ReachOptions`: key → accepted types.
_OPTION_TYPES: dict[str, tuple[type, ...]] = {
    "objective": (str,), "kind": (str,), "sector": (str,), "provider": (str,), "max_cost": (int, float),
    "max_weeks": (int, float), "top": (int,), "next_top": (int,), "today": (str,), "time_limit": (int, float),
}


def _check_number(name: str, value: float | None, limit: float) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 <= value <= limit:
        raise ReachError(f"{name} must be a number from 0 to {limit:,.0f}")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class FirstStep:
    """A credential of a best route that can start now, with its own figures.

    ``cost`` is its cost in the base currency as the route lists it (to the cent); ``weeks``
    and ``hours`` follow the effort rule (:func:`planner.engine.rules.effort`; unknown: 0).
    """

    credential_id: str
    title: str
    provider: str
    cost: float
    weeks: int
    hours: float

    def measure(self, objective: Objective | str) -> float:
        """Its own cost, weeks or hours, by the objective."""
        return {"cost": self.cost, "weeks": float(self.weeks), "hours": self.hours}[_MEASURES[Objective(objective)]]


@dataclass(frozen=True)
class ReachEntry:
    """One target: its best route's figures as ``recommend`` gives them, or why there is none."""

    target: str  # "role:ID" or "award:ID"
    kind: str
    id: str
    title: str
    sector: str | None
    provider: str | None  # the awarding provider of an award
    status: Status
    met_share: float  # share of the target already met (roles: essential needs; awards: the rule tree)
    met_text: str
    rank: int | None = None
    cost: float | None = None
    currency: str = ""
    weeks: int | None = None
    hours: float | None = None
    ects: float | None = None
    steps: int | None = None
    credential_ids: tuple[str, ...] = ()
    finish: dt.date | None = None
    proved: bool = False  # the best route is proved optimal
    finish_proved: bool = True  # its finish date is proved earliest
    lower_bound: bool = False  # a duration is unknown: time figures are lower bounds
    first_steps: tuple[FirstStep, ...] = ()  # route credentials that can start now (no unmet prerequisite)
    diagnosis: str = ""  # unreachable or unknown: why, in one line
    diagnoses: tuple[Diagnosis, ...] = ()
    outlook: Outlook | None = None  # a role's labour-market facts, when the catalogue has them
    route: Route | None = None  # the best route itself (not in the JSON form: see credential_ids)

    def measure(self, objective: Objective | str) -> float:
        """The objective's measure of the best route (cost, weeks or hours)."""
        value = {"cost": self.cost, "weeks": self.weeks, "hours": self.hours}[_MEASURES[Objective(objective)]]
        return float(value) if value is not None else math.inf

    def as_target(self) -> Target:
        """The :class:`~planner.catalogue.models.Target` this entry is for."""
        return Target.parse(self.target)


@dataclass(frozen=True)
class NextStepEffect:
    """One of the targets the next step was weighed over: its measure before and with the step held."""

    target: str
    title: str
    on_route: bool  # the step is on this target's best route
    before: float
    after: float | None  # None: the search with the step held did not finish
    proved: bool  # both searches proved
    after_status: Status = "reachable"


@dataclass(frozen=True)
class NextStep:
    """The credential on the best routes of the most of the closest targets, and what holding it changes."""

    credential_id: str
    title: str
    provider: str
    cost: float
    currency: str
    weeks: int
    hours: float
    serves: tuple[str, ...]  # the targets whose best route it is on, closest first
    considered: int  # how many of the closest targets were weighed
    kind_word: str  # "roles", "awards" or "targets"
    measure: str  # cost, weeks or hours
    before_total: float
    after_total: float
    effects: tuple[NextStepEffect, ...]
    proved: bool

    @property
    def saving(self) -> float:
        """How much the considered targets' total measure drops once the step is held."""
        return self.before_total - self.after_total

    def headline(self) -> str:
        """One sentence: "take X next: it is on the best route to 7 of the 12 roles closest to you"."""
        return (f"take {self.title} next: it is on the best route to {len(self.serves)} of the "
                f"{self.considered} {self.kind_word} closest to you")


@dataclass(frozen=True)
class Reach:
    """Every target within the filters: ranked reachable ones, those already met, unreachable ones."""

    objective: Objective
    start: dt.date
    currency: str
    ranked: tuple[ReachEntry, ...]
    met: tuple[ReachEntry, ...]
    unreachable: tuple[ReachEntry, ...]  # status unreachable or unknown (search stopped)
    hidden: int  # reachable but above max cost or max weeks
    beyond_top: int  # reachable within the limits but after the first ``top``
    next_step: NextStep | None
    next_step_note: str
    searched: int
    within_filters: int
    complete: bool  # every target within the filters was searched
    note: str = ""
    seconds: float = 0.0
    options: ReachOptions = field(default_factory=ReachOptions)

    @property
    def entries(self) -> tuple[ReachEntry, ...]:
        """Every listed entry: ranked, then met, then unreachable."""
        return (*self.ranked, *self.met, *self.unreachable)


# --------------------------------------------------------------------------- JSON


def _entry_json(entry: ReachEntry) -> dict[str, Any]:
    data = {k: to_jsonable(getattr(entry, k)) for k in (
        "rank", "target", "kind", "id", "title", "sector", "provider", "status", "cost", "currency", "weeks",
        "hours", "ects", "steps", "credential_ids", "finish", "proved", "finish_proved", "lower_bound",
        "met_share", "met_text", "first_steps", "diagnosis")}
    data["diagnoses"] = to_jsonable(entry.diagnoses)
    if entry.outlook is not None:
        data["outlook"] = to_jsonable(entry.outlook)
    return data


def reach_to_json(result: Reach) -> dict[str, Any]:
    """The stable JSON form of a :class:`Reach` (shared by ``planner reach --format json`` and the HTTP API).

    Keys: ``version``, ``objective``, ``measure``, ``start``, ``currency``, ``complete``,
    ``searched``, ``within_filters``, ``hidden``, ``beyond_top``, ``note``, ``options``,
    ``ranked`` / ``met`` / ``unreachable`` (entries: target, kind, id, title, status, rank,
    cost, weeks, hours, steps, credential_ids, proved, met_share, diagnosis …) and
    ``next_step`` (or null, with ``next_step_note``).
    """
    o = result.options
    step = result.next_step
    return {
        "version": JSON_VERSION,
        "objective": result.objective.value,
        "measure": o.measure,
        "start": result.start.isoformat(),
        "currency": result.currency,
        "complete": result.complete,
        "searched": result.searched,
        "within_filters": result.within_filters,
        "hidden": result.hidden,
        "beyond_top": result.beyond_top,
        "note": result.note,
        "options": {"objective": result.objective.value, "kind": o.kind, "sector": o.sector, "provider": o.provider,
                    "max_cost": o.max_cost, "max_weeks": o.max_weeks, "top": o.top, "next_top": o.next_over,
                    "today": result.start.isoformat(), "time_limit": o.time_limit},
        "ranked": [_entry_json(e) for e in result.ranked],
        "met": [_entry_json(e) for e in result.met],
        "unreachable": [_entry_json(e) for e in result.unreachable],
        "next_step": None if step is None else {**to_jsonable(step), "saving": round(step.saving, 6),
                                                "headline": step.headline()},
        "next_step_note": result.next_step_note,
    }


def entries_by_target(entries: Iterable[ReachEntry]) -> dict[str, ReachEntry]:
    """Entries keyed by their target text (``role:ID``)."""
    return {e.target: e for e in entries}
