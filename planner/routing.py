"""Route search: prune → exact selection → schedule → explain.

The public entry is :func:`recommend`. Selection is an integer program solved by HiGHS
(:mod:`planner.selection`); scheduling places each chosen set in time
(:mod:`planner.schedule`); :mod:`planner.explain` says why each step is there; and when
nothing reaches the target, :mod:`planner.diagnose` says why and what would fix it.

Earliest finish couples selection and schedule: a set's real finish depends on intakes
and weekly hours. The selector minimises a proved lower bound on the finish; we schedule
the best sets in that order and stop once the next set's lower bound cannot beat the
routes already scheduled, which proves the earliest-finish routes optimal.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass

from planner.explain import explain_steps
from planner.models import Catalogue, LearnerProfile, Objective, Target
from planner.problem import Problem, ProblemError, build_problem
from planner.results import Diagnosis, Recommendation, Route
from planner.schedule import Schedule, schedule_route
from planner.selection import Selection, pareto_front, solve

__all__ = ["check_profile", "find_routes", "pareto", "plan_start", "recommend"]

#: Most candidate sets examined to find routes that fit the schedule constraints.
MAX_SETS_EXAMINED = 64
#: Seconds one schedule may take to prove its finish when the objective is not time: the
#: route's choice does not depend on it, and a rare hard instance must not stall a page.
SCHEDULE_SECONDS_OFF_OBJECTIVE = 0.25


def plan_start(profile: LearnerProfile, today: dt.date | None = None) -> dt.date:
    """The day a plan starts: ``today`` if given, else the profile's start, else the real today."""
    return today or profile.constraints.start or dt.date.today()


@dataclass(frozen=True)
class _Found:
    selection: Selection
    schedule: Schedule
    proved: bool


def _scheduled(
    catalogue: Catalogue, profile: LearnerProfile, selections: tuple[Selection, ...], start: dt.date,
    time_limit: float = 5.0, cache: dict[tuple[str, ...], Schedule] | None = None,
) -> list[tuple[Selection, Schedule]]:
    cache = {} if cache is None else cache
    out = []
    for s in selections:
        if s.credential_ids not in cache:  # a wider search re-finds the sets it already scheduled
            cache[s.credential_ids] = schedule_route(catalogue, s.credential_ids, profile, start=start,
                                                     time_limit=time_limit)
        out.append((s, cache[s.credential_ids]))
    return out


def find_routes(
    catalogue: Catalogue,
    profile: LearnerProfile,
    problem: Problem,
    *,
    objective: Objective,
    weights: Mapping[Objective, float] | None,
    alternatives: int,
    credit_award: str | None,
    start: dt.date,
    time_limit: float,
) -> list[_Found]:
    """Best selections that also schedule within the learner's hours and deadline.

    Selections come from the solver best first; those that cannot be scheduled (weekly
    hours, deadline) are skipped and more are asked for, up to ``MAX_SETS_EXAMINED``.
    For the time objective the routes are re-ranked by their real finish (see module doc).
    """
    by_time = objective == Objective.TIME and not weights
    wanted = max(1, alternatives)
    asked = wanted + 4 if by_time else wanted
    deadline = time.perf_counter() + time_limit
    schedules: dict[tuple[str, ...], Schedule] = {}
    while True:
        remaining = max(0.5, deadline - time.perf_counter())
        selections = solve(problem, objective=objective, weights=weights, alternatives=asked,
                           credit_award=credit_award, time_limit=remaining)
        exhausted = len(selections) < asked
        per_schedule = min(5.0, max(0.5, remaining)) if by_time else SCHEDULE_SECONDS_OFF_OBJECTIVE
        fitting = [(s, sch) for s, sch in _scheduled(catalogue, profile, selections, start, per_schedule,
                                                     schedules) if sch.feasible]
        solver_proved = all(s.proved_optimal for s in selections)
        if by_time:
            fitting.sort(key=lambda p: (p[1].weeks, p[0].cost, p[0].credential_ids))
            bound_reached = len(fitting) >= wanted and (
                exhausted or fitting[wanted - 1][1].weeks <= selections[-1].weeks_lower_bound
            )
            done = bound_reached or exhausted
            proved = solver_proved and done and all(sch.proved_optimal for _, sch in fitting[:wanted])
        else:
            done = len(fitting) >= wanted or exhausted
            proved = solver_proved and done
        capped = asked >= MAX_SETS_EXAMINED or time.perf_counter() >= deadline
        if done or capped:
            return [_Found(s, sch, proved and not (capped and not done)) for s, sch in fitting[:wanted]]
        asked = min(MAX_SETS_EXAMINED, asked * 2)


def _route(
    catalogue: Catalogue,
    profile: LearnerProfile,
    target: Target,
    problem: Problem,
    found: _Found,
    *,
    rank: int,
    objective: Objective,
    credit_award: str | None,
    start: dt.date,
) -> Route:
    sel, sch = found.selection, found.schedule
    steps = explain_steps(
        catalogue, profile, target, sel.credential_ids, sch.steps,
        held=problem.held, required=problem.required, optional=problem.optional, today=start,
    )
    awards = tuple(cid for cid in (s.credential_id for s in steps) if catalogue.credential(cid).award)
    value = float(sch.weeks) if objective == Objective.TIME else sel.objective_value
    return Route(
        rank=rank,
        credential_ids=tuple(s.credential_id for s in steps),
        steps=steps,
        total_cost=round(sel.cost, 2),
        currency=catalogue.meta.base_currency,
        total_hours=round(sel.hours, 1),
        total_ects=round(sel.ects, 2),
        start=sch.start,
        finish=sch.finish,
        weeks=sch.weeks,
        objective=objective,
        objective_value=value,
        proved_optimal=found.proved,
        fit=round(sel.fit, 3),
        credit_towards=round(sel.credit, 2) if credit_award else None,
        awards_completed=awards,
        schedule=sch.steps,
        schedule_proved_optimal=sch.proved_optimal,
    )


def check_profile(catalogue: Catalogue, profile: LearnerProfile) -> None:
    """Refuse a profile that names ids the catalogue lacks (a typo would silently change the plan).

    Raises
    ------
    planner.problem.ProblemError
        Listing every unknown id with what it was meant to be.
    """
    c = profile.constraints
    unknown = [
        *(f"held credential '{h.credential}'" for h in profile.holdings
          if not catalogue.has("credential", h.credential)),
        *(f"competency '{k.competency}'" for k in profile.competencies
          if not catalogue.has("competency", k.competency)),
        *(f"provider to avoid '{p}'" for p in c.avoid_providers if not catalogue.has("provider", p)),
        *(f"credential to avoid '{x}'" for x in c.avoid_credentials if not catalogue.has("credential", x)),
    ]
    if unknown:
        raise ProblemError("unknown in the learner profile: " + ", ".join(unknown))


def recommend(
    catalogue: Catalogue,
    profile: LearnerProfile,
    target: Target,
    *,
    objective: Objective | str = Objective.COST,
    weights: Mapping[Objective, float] | None = None,
    alternatives: int = 1,
    credit_award: str | None = None,
    today: dt.date | None = None,
    time_limit: float = 10.0,
    diagnose_infeasible: bool = True,
) -> Recommendation:
    """Find the best stackable routes from a learner's position to a target.

    Parameters
    ----------
    catalogue : Catalogue
        A validated catalogue (:func:`planner.catalogue.load`).
    profile : LearnerProfile
        Holdings (with dates), declared competencies and constraints.
    target : Target
        A role, an award, or competencies with levels.
    objective : Objective or str
        ``cost``, ``time`` (earliest finish), ``workload`` (hours) or ``credit`` (most
        ECTS towards ``credit_award`` or the target award).
    weights : mapping of Objective to float, optional
        A weighted mix of normalised objectives instead of a single one.
    alternatives : int
        How many distinct routes (different credential sets) to return, best first.
    credit_award : str, optional
        The award whose credit is measured and reported per route.
    today : datetime.date, optional
        Plan start; defaults to the profile's start date, else today.
    time_limit : float
        Seconds allowed for the whole search; routes not proved optimal in time say so.
    diagnose_infeasible : bool
        When no route exists, find out why and what would fix it (re-solves with each
        constraint relaxed).

    Returns
    -------
    Recommendation
        Ranked routes (``proved_optimal`` on each), or diagnoses when there is none.

    Raises
    ------
    planner.problem.ProblemError
        When the target or an avoided id is unknown, or a currency has no rate.

    """
    objective = Objective(objective)
    check_profile(catalogue, profile)
    start = plan_start(profile, today)
    clock = time.perf_counter()
    credit_award = credit_award or (target.id if objective == Objective.CREDIT and target.kind == "award" else None)
    problem = build_problem(catalogue, profile, target, today=start, credit_award=credit_award)
    found = find_routes(
        catalogue, profile, problem, objective=objective, weights=weights, alternatives=alternatives,
        credit_award=credit_award, start=start, time_limit=time_limit,
    )
    routes = tuple(
        _route(catalogue, profile, target, problem, f, rank=i + 1, objective=objective,
               credit_award=credit_award, start=start)
        for i, f in enumerate(found)
    )
    diagnoses: tuple[Diagnosis, ...] = ()
    if problem.already_met:
        diagnoses = (Diagnosis("already_met", "Your holdings and competencies already meet this target."),)
    elif not routes and diagnose_infeasible:
        from planner.diagnose import diagnose

        diagnoses = diagnose(catalogue, profile, target, problem, start=start)
    return Recommendation(
        target=target,
        profile=profile,
        objective=objective,
        routes=routes,
        diagnoses=diagnoses,
        candidates=len(problem.candidates),
        solve_seconds=time.perf_counter() - clock,
    )


def pareto(
    catalogue: Catalogue,
    profile: LearnerProfile,
    target: Target,
    *,
    max_points: int = 8,
    today: dt.date | None = None,
    time_limit: float = 10.0,
) -> tuple[Route, ...]:
    """The cost × time trade-off: routes none of which is both cheaper and faster than another.

    Points come from the ε-constraint method on the selection (cost against the finish
    lower bound); each is then scheduled, and points that turn out dominated by their real
    finish are dropped.

    Returns
    -------
    tuple of Route
        Cost increasing, finish decreasing; ``objective_value`` is the cost.

    """
    start = plan_start(profile, today)
    problem = build_problem(catalogue, profile, target, today=start)
    selections = pareto_front(problem, max_points=max_points, time_limit=time_limit)
    pairs = [(s, sch) for s, sch in _scheduled(catalogue, profile, selections, start) if sch.feasible]
    pairs.sort(key=lambda p: (p[0].cost, p[1].weeks, p[0].credential_ids))
    kept: list[tuple[Selection, Schedule]] = []
    for sel, sch in pairs:
        if not kept or sch.weeks < kept[-1][1].weeks:
            kept.append((sel, sch))
    return tuple(
        _route(catalogue, profile, target, problem, _Found(sel, sch, sel.proved_optimal), rank=i + 1,
               objective=Objective.COST, credit_award=None, start=start)
        for i, (sel, sch) in enumerate(kept)
    )
