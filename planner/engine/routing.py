"""Recommend routes: prune → exact search (select, schedule, rank) → explain → diagnose.

The public entry is :func:`recommend`. The search itself (:mod:`planner.engine.search`) says
how selection and scheduling interact so that deadlines and the earliest-finish
objective stay exact; :mod:`planner.engine.explain` says why each step is there; and when
nothing reaches the target, :mod:`planner.engine.diagnose` says why and what would fix it (each
fix re-solved before it is shown). One time budget covers the whole call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from planner.catalogue.models import Catalogue, LearnerProfile, Objective, Target
from planner.engine.diagnose import diagnose
from planner.engine.problem import build_problem
from planner.engine.results import Diagnosis, Recommendation, Route
from planner.engine.schedule import Schedule, schedule_route
from planner.engine.search import Clock, Found, build, check_profile, make_route, plan_start, search
from planner.engine.selection import Selection, pareto_front

__all__ = ["DEFAULT_TIME_LIMIT", "check_profile", "pareto", "plan_start", "recommend"]

#: Seconds a whole :func:`recommend` call may take by default (search, schedules and diagnosis).
DEFAULT_TIME_LIMIT = 10.0


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
    time_limit: float = DEFAULT_TIME_LIMIT,
    diagnose_infeasible: bool = True,
) -> Recommendation:
    """Find the best stackable routes from a learner's position to a target.

    Long by its documentation only: the body is the pipeline prune → search → explain → diagnose.

    Parameters
    ----------
    catalogue : Catalogue
        A validated catalogue (:func:`planner.catalogue.loader.load`).
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
        Seconds for the whole call (search, schedules, explanations and diagnosis);
        routes not proved optimal in that time say so, and a search stopped before it
        found any route says that, never "no route".
    diagnose_infeasible : bool
        When no route exists, find out why and what would fix it (re-solves with each
        constraint relaxed).

    Returns
    -------
    Recommendation
        Ranked routes (``proved_optimal`` on each), or diagnoses when there is none.

    Raises
    ------
    planner.engine.problem.ProblemError
        When the target or an avoided id is unknown, or a currency has no rate.

    """
    objective = Objective(objective)
    clock = Clock(time_limit)
    start = plan_start(profile, today)
    credit_award = credit_award or (target.id if objective == Objective.CREDIT and target.kind == "award" else None)
    problem = build(catalogue, profile, target, start=start, credit_award=credit_award)
    result = search(
        catalogue, profile, problem, objective=objective, weights=weights, alternatives=alternatives,
        credit_award=credit_award, start=start, clock=clock,
    )
    routes = tuple(
        make_route(catalogue, profile, target, problem, f, rank=i + 1, objective=objective,
                   credit_award=credit_award, start=start)
        for i, f in enumerate(result.found)
    )
    diagnoses: tuple[Diagnosis, ...] = ()
    note = ""
    if problem.already_met:
        diagnoses = (Diagnosis("already_met", "Your holdings and competencies already meet this target."),)
    elif not routes and not result.complete:
        note = (f"No route was found within the time limit of {time_limit:g} s; the search was not "
                "finished, so a route may still exist. Allow more time to be sure.")
        diagnoses = (Diagnosis("time_limit", note),)
    elif not routes and diagnose_infeasible:
        diagnoses = diagnose(catalogue, profile, target, problem, start=start, clock=clock)
    if routes and len(routes) < max(1, alternatives):
        note = (f"Only {len(routes)} route{'s' if len(routes) != 1 else ''} found"
                + (" before the time limit" if not result.complete else "; no other set of credentials "
                   "reaches the target within your constraints") + ".")
    return Recommendation(
        target=target,
        profile=profile,
        objective=objective,
        routes=routes,
        diagnoses=diagnoses,
        candidates=len(problem.candidates),
        solve_seconds=time_limit - clock.remaining(),
        complete=result.complete,
        note=note,
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
    pairs: list[tuple[Selection, Schedule]] = []
    for sel in selections:
        sch = schedule_route(catalogue, sel.credential_ids, profile, start=start)
        if sch.feasible:
            pairs.append((sel, sch))
    pairs.sort(key=lambda p: (p[0].cost, p[1].weeks, p[0].credential_ids))
    kept: list[tuple[Selection, Schedule]] = []
    for sel, sch in pairs:
        if not kept or sch.weeks < kept[-1][1].weeks:
            kept.append((sel, sch))
    return tuple(
        make_route(catalogue, profile, target, problem, Found(sel, sch, sel.proved_optimal), rank=i + 1,
                   objective=Objective.COST, credit_award=None, start=start)
        for i, (sel, sch) in enumerate(kept)
    )
