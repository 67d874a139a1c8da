"""Hand a plan to the learner: Markdown and PDF handouts, and a JSON plan file.

* :func:`route_to_markdown` / :func:`route_to_pdf` — a plain handout of one route: the
  learner's holdings and constraints, totals, every step with its dates, cost, credit,
  hours and why it is there, the what-ifs and the advisor's notes (from :mod:`planner.outputs.handout`).
* :func:`plan_to_json` / :func:`plan_from_json` — a plan file that stores the question
  (target, learner profile, objective, number of alternatives), the chosen route's
  credential ids, the notes and the what-ifs, plus a summary of the route for people reading the file.
  It loads back exactly into a :class:`PlanFile`; a broken file gives a
  :class:`PlanFileError` naming the field at fault.

Catalogue text and notes are data, never markup: they are escaped in Markdown
(:func:`planner.outputs.textsafe.markdown`); the PDF keeps every character with a Unicode font, or
drops control characters and shows close equivalents without one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner._errors import PlannerError
from planner.catalogue.models import ID_PATTERN, LearnerProfile, Objective, Target
from planner.engine.results import Recommendation, Route
from planner.engine.whatif import MAX_WHAT_IFS, WhatIf
from planner.outputs import textsafe
from planner.outputs.handout import pdf_safe, route_to_markdown, route_to_pdf

__all__ = [
    "PLAN_FORMAT",
    "PLAN_VERSION",
    "PlanFile",
    "PlanFileError",
    "PlanStep",
    "PlanSummary",
    "pdf_safe",
    "plan_from_json",
    "plan_to_json",
    "route_to_markdown",
    "route_to_pdf",
]

#: Identifies a plan file; checked when loading.
PLAN_FORMAT = "stackable-planner-plan"
#: Version of the plan file layout.
PLAN_VERSION = 1


class PlanFileError(PlannerError, ValueError):
    """A plan file that cannot be read; the message names every field at fault."""


# --------------------------------------------------------------------------- plan file


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanStep(_Frozen):
    """One step of the saved route, for people reading the file (not used to restore)."""

    credential_id: str = Field(pattern=ID_PATTERN)
    title: str
    start: dt.date | None = None
    end: dt.date | None = None
    cost: float = Field(ge=0)
    ects: float = Field(ge=0)
    hours: float = Field(ge=0)


class PlanSummary(_Frozen):
    """Totals of the saved route when it was exported."""

    rank: int = Field(ge=1)
    total_cost: float = Field(ge=0)
    currency: str
    total_hours: float = Field(ge=0)
    total_ects: float = Field(ge=0)
    start: dt.date
    finish: dt.date
    weeks: int = Field(ge=0)
    proved_optimal: bool
    steps: list[PlanStep] = Field(default_factory=list)


class PlanFile(_Frozen):
    """A saved plan: the question, the chosen route and the advisor's notes."""

    format: Literal["stackable-planner-plan"] = PLAN_FORMAT
    version: Literal[1] = PLAN_VERSION
    target: Target
    profile: LearnerProfile
    objective: Objective
    alternatives: int = Field(default=3, ge=1, le=50)
    chosen: list[str] = Field(default_factory=list, description="Credential ids of the chosen route.")
    notes: str = Field(default="", max_length=20_000)
    what_ifs: list[WhatIf] = Field(default_factory=list, max_length=MAX_WHAT_IFS,
                                   description="The advisor's what-ifs: changes to the question, kept with the plan.")
    summary: PlanSummary | None = None

    def to_json(self) -> str:
        """The plan as JSON text, in the layout :func:`plan_to_json` writes."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return textsafe.json_text(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def _summary(route: Route) -> PlanSummary:
    return PlanSummary(
        rank=route.rank, total_cost=round(route.total_cost, 2), currency=route.currency,
        total_hours=route.total_hours, total_ects=route.total_ects, start=route.start,
        finish=route.finish, weeks=route.weeks, proved_optimal=route.proved_optimal,
        steps=[PlanStep(credential_id=s.credential_id, title=s.title, start=s.start, end=s.end,
                        cost=round(s.cost, 2), ects=s.ects, hours=s.hours) for s in route.steps],
    )


def plan_to_json(
    recommendation: Recommendation,
    route_index: int = 0,
    *,
    notes: str = "",
    alternatives: int | None = None,
    what_ifs: Sequence[WhatIf] = (),
) -> str:
    """Save the question and one of its routes as a JSON plan file.

    Parameters
    ----------
    recommendation
        The answer the plan comes from.
    route_index
        Which route (0 is the best) the learner chose. Ignored when there is no route.
    notes
        The advisor's notes, kept verbatim.
    alternatives
        Number of alternatives asked for; default the number of routes found (at least 1).
    what_ifs
        The what-ifs kept with the plan (at most :data:`~planner.engine.whatif.MAX_WHAT_IFS`).

    Returns
    -------
    str
        JSON text; :func:`plan_from_json` reads it back into an equal :class:`PlanFile`.

    Raises
    ------
    ValueError
        When ``route_index`` does not name a route of the recommendation.
    """
    routes = recommendation.routes
    if routes and not 0 <= route_index < len(routes):
        raise ValueError(f"route {route_index + 1} does not exist: the recommendation has {len(routes)} route(s)")
    route = routes[route_index] if routes else None
    plan = PlanFile(
        target=recommendation.target,
        profile=recommendation.profile,
        objective=recommendation.objective,
        alternatives=alternatives if alternatives is not None else max(1, min(50, len(routes))),
        chosen=list(route.credential_ids) if route else [],
        notes=notes,
        what_ifs=list(what_ifs),
        summary=_summary(route) if route else None,
    )
    return plan.to_json()


def _location(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(the whole file)"


def plan_from_json(text: str) -> PlanFile:
    """Read a plan file written by :func:`plan_to_json`.

    Parameters
    ----------
    text
        The file's JSON text.

    Returns
    -------
    PlanFile
        The plan, equal to the one that was saved.

    Raises
    ------
    PlanFileError
        (a ``ValueError``) when the text is not JSON, not a plan file, or has invalid
        fields; the message lists each problem as ``field: message``.
    """
    from planner.catalogue.inputs import InputError, parse_json

    try:  # nesting, number and syntax limits of the input layer
        data = parse_json(text, "plan file")
    except InputError as exc:
        p = exc.problem
        where = f"line {p.line}, column {p.column}: " if p.line is not None else ""
        raise PlanFileError(f"not a JSON file: {where}{p.message.removeprefix('invalid JSON: ')}") from None
    if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
        raise PlanFileError(f"not a plan file: expected \"format\": \"{PLAN_FORMAT}\" at the top level")
    if data.get("version") != PLAN_VERSION:
        raise PlanFileError(
            f"version: this planner reads plan files of version {PLAN_VERSION}, got {data.get('version')!r}"
        )
    try:
        return PlanFile.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_location(e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)]
        raise PlanFileError("invalid plan file: " + "; ".join(problems)) from None
