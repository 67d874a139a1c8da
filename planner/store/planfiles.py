"""Plans in and out of the store as files, with their what-ifs and notes.

* :func:`read_plan_source` reads a plan file (from the app, :func:`planner.outputs.export.plan_to_json`)
  or the JSON of ``planner recommend --format json`` into one :class:`PlanSource`;
* :func:`save_plan_source` saves it for a learner as a plan (or a plan's next version): the
  route is scheduled again on the catalogue given, the route the file chose, never another;
* :func:`saved_what_ifs` and :func:`plan_file_of` turn a saved version back into what-ifs
  and a plan file.

The store keeps each what-if as the whole scenario it describes (``SavedPlan.whatifs``);
the what-if is read back against the version's scenario (:meth:`WhatIf.from_scenario`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from planner.catalogue.models import Catalogue, Holding, Objective, Target
from planner.engine.results import Recommendation
from planner.engine.routing import recommend
from planner.engine.scenario import Scenario
from planner.engine.whatif import WhatIf, what_if_name
from planner.outputs.export import PLAN_FORMAT, PlanFile, PlanFileError, plan_from_json
from planner.store.access import User
from planner.store.records import SavedPlan, Store

__all__ = ["PlanSource", "plan_file_of", "read_plan_source", "route_for", "save_plan_source", "saved_what_ifs"]

#: Routes searched for the file's chosen one before the search is narrowed to its credentials.
SEARCHED_ROUTES = 10
#: Seconds one route search may take while saving a file.
SEARCH_SECONDS = 10.0


@dataclass(frozen=True)
class PlanSource:
    """A plan read from a file: the question, the chosen route, notes and what-ifs."""

    scenario: Scenario
    chosen: tuple[str, ...]
    notes: str
    what_ifs: tuple[WhatIf, ...]
    kind: str  # "plan file" or "recommend output"


def read_plan_source(text: str, *, route: int = 1, name: str = "plan file") -> PlanSource:
    """Read a plan file or ``planner recommend --format json`` output.

    Parameters
    ----------
    text : str
        The file's JSON text.
    route : int
        For recommend output: which of its routes (from 1) is the plan.
    name : str
        The file's name, for messages of the input layer.

    Raises
    ------
    PlanFileError
        Not JSON, neither kind of file, or invalid fields (each named).
    """
    from planner.catalogue.inputs import InputError, parse_json

    try:
        data = parse_json(text, name)
    except InputError:
        return _from_plan_file(plan_from_json(text))  # the same limits; its message names line and column
    if isinstance(data, dict) and data.get("format") == PLAN_FORMAT:
        return _from_plan_file(plan_from_json(text))
    if isinstance(data, dict) and isinstance(data.get("routes"), list) and "target" in data:
        return _from_recommend(data, route)
    raise PlanFileError(f"not a plan file: expected \"format\": \"{PLAN_FORMAT}\", or the JSON of "
                        "'planner recommend --format json'")


def _from_plan_file(plan: PlanFile) -> PlanSource:
    scenario = Scenario.from_parts(plan.target, plan.profile, objective=plan.objective, alternatives=plan.alternatives)
    return PlanSource(scenario, tuple(plan.chosen), plan.notes, tuple(plan.what_ifs), "plan file")


def _from_recommend(data: dict[str, Any], route: int) -> PlanSource:
    from pydantic import ValidationError

    routes = data["routes"]
    if not 1 <= route <= len(routes):
        raise PlanFileError(f"routes: route {route} does not exist: the file has {len(routes)} route(s)")
    chosen = routes[route - 1]
    try:
        if not isinstance(chosen, dict) or not isinstance(chosen.get("credential_ids"), list):
            raise PlanFileError(f"routes[{route - 1}].credential_ids: expected a list of credential ids")
        target = Target.parse(str(data["target"]))
        holdings = [Holding.model_validate(h) for h in data.get("holdings") or []]
        start = dt.date.fromisoformat(str(chosen["start"])) if chosen.get("start") else None
        scenario = Scenario(target=str(target), holdings=holdings, start=start,
                            objective=Objective(data.get("objective", Objective.COST.value)),
                            alternatives=min(max(len(routes), 1), 10))
    except (ValidationError, ValueError, TypeError) as exc:
        if isinstance(exc, PlanFileError):
            raise
        raise PlanFileError(f"invalid recommend output: {str(exc).splitlines()[0]}") from None
    return PlanSource(scenario, tuple(str(c) for c in chosen["credential_ids"]), "", (), "recommend output")


def route_for(catalogue: Catalogue, source: PlanSource, *,
              today: dt.date | None = None) -> tuple[Recommendation, int]:
    """The recommendation and route index of the route the file chose, scheduled on ``catalogue``.

    The ranked routes are searched first (the route is usually one of them); when it is not
    among them, the search is narrowed to the file's credentials, so that exactly that route
    is kept, never a different one.

    Raises
    ------
    PlanFileError
        When the catalogue no longer gives that route (a credential retired, or the route no
        longer reaches the target): the message says what differs.
    """
    scenario = source.scenario
    wanted = frozenset(source.chosen)
    day = scenario.start or today
    rec = recommend(catalogue, scenario.to_profile(), scenario.to_target(), objective=scenario.objective,
                    alternatives=max(SEARCHED_ROUTES, scenario.alternatives), today=day, time_limit=SEARCH_SECONDS)
    for index, route in enumerate(rec.routes):
        if frozenset(route.credential_ids) == wanted:
            return _keep(rec, index, scenario), 0
    unknown = sorted(c for c in wanted if not catalogue.has("credential", c))
    if unknown:
        raise PlanFileError(f"chosen: the catalogue has no credential {', '.join(repr(c) for c in unknown)}")
    others = [c.id for c in catalogue.credentials if c.id not in wanted]
    profile = scenario.to_profile()
    narrowed = profile.model_copy(update={"constraints": profile.constraints.model_copy(
        update={"avoid_credentials": [*profile.constraints.avoid_credentials, *others]})})
    only = recommend(catalogue, narrowed, scenario.to_target(), objective=scenario.objective, alternatives=1,
                     today=day, time_limit=SEARCH_SECONDS, diagnose_infeasible=False)
    if only.best is None or frozenset(only.best.credential_ids) != wanted:
        found = sorted(only.best.credential_ids) if only.best else []
        why = ("no longer reaches the target with these constraints" if not found
               else f"needs only {', '.join(found)} to reach the target")
        raise PlanFileError(f"chosen: the route {', '.join(source.chosen)} {why} on this catalogue")
    return _keep(only, 0, scenario, profile=scenario.to_profile()), 0


def _keep(rec: Recommendation, index: int, scenario: Scenario, *, profile: Any = None) -> Recommendation:
    # one route, the chosen one, with the learner's own profile (not the narrowed search's)
    return dataclasses.replace(rec, routes=(rec.routes[index],), profile=profile or rec.profile)


def save_plan_source(store: Store, actor: User, learner_id: int, source: PlanSource, catalogue: Catalogue, *,
                     plan_id: int | None = None, based_on: int | None = None,
                     today: dt.date | None = None) -> SavedPlan:
    """Save a plan read from a file for a learner: a new plan, or the next version of ``plan_id``.

    Parameters
    ----------
    store : Store
        The learner store (its access rules decide whether ``actor`` may).
    actor : User
        Who saves.
    learner_id : int
        Whose plan it is.
    source : PlanSource
        From :func:`read_plan_source`.
    catalogue : Catalogue
        The catalogue the route is scheduled on (its digest and facts are kept for drift checks).
    plan_id, based_on : int, optional
        Add a version to this plan; ``based_on`` defaults to its newest version.
    today : datetime.date, optional
        The plan's start when the file gives none.
    """
    if plan_id is not None and based_on is None:
        based_on = store.plan(actor, plan_id).version
    rec, index = route_for(catalogue, source, today=today) if source.chosen else (None, 0)
    base = source.scenario
    return store.save_plan(actor, learner_id, scenario=base, catalogue=catalogue, recommendation=rec,
                           route_index=index, whatifs=[w.apply(base) for w in source.what_ifs], notes=source.notes,
                           plan_id=plan_id, based_on=based_on)


def saved_what_ifs(saved: SavedPlan) -> tuple[WhatIf, ...]:
    """The what-ifs of a saved version, named by their column ("What if A", …)."""
    return tuple(WhatIf.from_scenario(what_if_name(i), saved.scenario, w) for i, w in enumerate(saved.whatifs, 1))


def plan_file_of(saved: SavedPlan, what_ifs: Sequence[WhatIf] | None = None) -> PlanFile:
    """A saved version as a plan file: the question, the chosen route, the notes and the what-ifs."""
    kept = list(saved_what_ifs(saved) if what_ifs is None else what_ifs)
    if saved.route is not None:
        return saved.route.model_copy(update={"notes": saved.notes, "what_ifs": kept})
    s = saved.scenario
    return PlanFile(target=s.to_target(), profile=s.to_profile(), objective=s.objective, alternatives=s.alternatives,
                    notes=saved.notes, what_ifs=kept)
