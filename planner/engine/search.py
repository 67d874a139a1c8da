"""Route search that stays exact when time matters: select → schedule → rank.

Method
------
The selection MILP (:class:`planner.engine.selection.Selector`) returns candidate sets one at a
time in the order of their *model key*: the ranking key of ``docs/semantics.md`` in
which the finish is replaced by a proved lower bound (intakes, prerequisite chains and
weekly hours, but not every capacity clash). Each set is then scheduled exactly
(:func:`planner.engine.schedule.schedule_route`), which gives its *true key*. Because the model
key never exceeds the true key, a set whose true key is at most the next set's model key
can be ranked: no set still to come can beat it.

Cuts are what make the enumeration both finite and exact:

* a **ranked route** is cut with all its supersets — the definition of alternatives
  (route ``i + 1`` is the best set that is neither equal to nor a superset of the routes
  before it);
* a set that **misses the deadline** (proved by its schedule's lower bound), or whose true
  key is still waiting to be ranked, is cut only with its *helpers*
  (:class:`planner.engine.selection.Cut`): a superset that adds no credential able to let one of
  its members start earlier (another alternative of a prerequisite group, another way to
  meet an award rule) or to cover an optional need it misses schedules no earlier and
  ranks no better, so nothing that could beat it is lost. A superset that *does* add such
  a credential — the short course that unlocks a faster path — stays in the search.

For cost, workload and credit without a deadline the model key is the true key, so each
set found is ranked at once, exactly as plain no-good enumeration would. A deadline or the
time objective add the scheduling step and the helper cuts.

What is proved
--------------
A route is ``proved_optimal`` when every solve up to its ranking was proved optimal by
HiGHS, every "misses the deadline" verdict was proved, and (when the key involves time)
every finish compared was proved earliest. The search stops at its time budget or after
``MAX_SETS_EXAMINED`` sets; it then returns what it has, labelled not proved, and "no
route" becomes "no route found within the limit" (:attr:`SearchResult.complete` False).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

from planner.catalogue.models import Catalogue, LearnerProfile, Objective, Target
from planner.engine.explain import explain_steps
from planner.engine.problem import Problem, ProblemError, build_problem
from planner.engine.results import Route
from planner.engine.rules import tree_items
from planner.engine.schedule import Schedule, schedule_route
from planner.engine.selection import Selection, Selector, objective_scales

__all__ = [
    "MAX_SETS_EXAMINED",
    "Clock",
    "Found",
    "SearchResult",
    "check_profile",
    "deadline_weeks",
    "make_route",
    "plan_start",
    "search",
]

#: Most candidate sets scheduled in one search before it stops (and says so).
MAX_SETS_EXAMINED = 400
#: Seconds one schedule may take to prove its finish when nothing in the ranking depends on it.
SCHEDULE_SECONDS_OFF_OBJECTIVE = 0.25
#: Seconds an alternative's schedule may spend proving its finish when nothing depends on it
#: (its date is the best found and says so when unproved).
SCHEDULE_SECONDS_ALTERNATIVE = 0.0
#: Seconds one schedule may take when its finish (or deadline verdict) matters.
SCHEDULE_SECONDS_ON_OBJECTIVE = 3.0

_ROUND = 6  # decimals kept when comparing keys (solver tolerance is 1e-6 relative)


def plan_start(profile: LearnerProfile, today: dt.date | None = None) -> dt.date:
    """The day a plan starts: ``today`` if given, else the profile's start, else the real today."""
    return today or profile.constraints.start or dt.date.today()


class Clock:
    """One time budget shared by every part of a call (search, schedules, diagnosis)."""

    def __init__(self, seconds: float) -> None:
        self.end = time.perf_counter() + max(0.0, seconds)

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.end - time.perf_counter())

    def expired(self) -> bool:
        """Whether the budget is spent."""
        return time.perf_counter() >= self.end


def deadline_weeks(profile: LearnerProfile, start: dt.date) -> float | None:
    """Latest finish week that can meet the profile's deadline (None: no deadline).

    A step finishing at week ``e ≥ 1`` ends on ``start + 7e − 1``, so ``e ≤ (days + 1) / 7``.
    """
    deadline = profile.constraints.deadline
    if deadline is None:
        return None
    return float(math.floor(((deadline - start).days + 1) / 7))


@dataclass(frozen=True)
class Found:
    """A ranked set: its selection, its schedule, and whether its rank is proved."""

    selection: Selection
    schedule: Schedule
    proved: bool


@dataclass(frozen=True)
class SearchResult:
    """What a search found: ranked sets, and whether the search was complete."""

    problem: Problem
    found: tuple[Found, ...]
    complete: bool  # False when stopped by the time budget or the set limit
    examined: int


def _key(sel: Selection, weeks: float, objective: Objective, weights: Mapping[Objective, float] | None,
         scales: Mapping[Objective, float]) -> tuple[float, ...]:
    """The ranking key of ``docs/semantics.md`` (``weeks``: true finish or its lower bound)."""
    tail = (round(-sel.fit, _ROUND), float(len(sel.credential_ids)))
    if weights:
        measures = {Objective.COST: sel.cost, Objective.WORKLOAD: sel.hours, Objective.CREDIT: sel.credit,
                    Objective.TIME: weeks}
        mix = sum((-1.0 if o == Objective.CREDIT else 1.0) * w * measures[o] / scales[o] for o, w in weights.items())
        return (round(mix, _ROUND), round(sel.cost, _ROUND), *tail)
    if objective == Objective.COST:
        return (round(sel.cost, _ROUND), *tail)
    first = {Objective.TIME: weeks, Objective.WORKLOAD: sel.hours, Objective.CREDIT: -sel.credit}[objective]
    return (round(first, _ROUND), round(sel.cost, _ROUND), *tail)


def _helpers(problem: Problem, chosen: frozenset[str]) -> set[str]:
    """Candidates that could let a member of ``chosen`` start earlier, or cover a missed optional need."""
    out: set[str] = set()
    for c in chosen:
        for group in problem.prereqs.get(c, ()):
            out.update(group)
        if c in problem.awards:
            out.update(tree_items(problem.awards[c]))
    for need in problem.optional:
        coverers = problem.coverers.get(need, ())
        if not chosen.intersection(coverers):
            out.update(coverers)
    return out - chosen


def search(
    catalogue: Catalogue,
    profile: LearnerProfile,
    problem: Problem,
    *,
    objective: Objective,
    weights: Mapping[Objective, float] | None,
    alternatives: int,
    credit_award: str | None,
    start: dt.date,
    clock: Clock,
) -> SearchResult:
    """Rank the best feasible sets for a pruned problem (see the module docstring).

    Kept as one loop: select, schedule, cut and rank share the waiting queue and the proof
    flag, and the exactness argument of the module docstring is easiest to check in one place.

    Parameters
    ----------
    catalogue, profile, problem
        The catalogue, the learner and the pruned problem built for them.
    objective, weights, credit_award
        What to optimise.
    alternatives : int
        How many routes to rank.
    start : datetime.date
        The plan's day zero.
    clock : Clock
        The call's time budget.

    Returns
    -------
    SearchResult
    """
    weights = {Objective(o): float(w) for o, w in weights.items() if w} if weights else None
    wanted = max(1, alternatives)
    cap = deadline_weeks(profile, start)
    if cap is not None and cap < 0:
        return SearchResult(problem, (), True, 0)  # the deadline is before the start
    selector = Selector(problem, objective=objective, weights=weights, credit_award=credit_award, finish_cap=cap)
    time_key = selector.time_objective
    scales = objective_scales(problem, credit_award or problem.award_id) if weights else {}
    per_schedule = (SCHEDULE_SECONDS_ON_OBJECTIVE if time_key or cap is not None
                    else SCHEDULE_SECONDS_OFF_OBJECTIVE)

    ranked: list[Found] = []
    pending: list[tuple[tuple[float, ...], str, Selection, Schedule]] = []
    proved = True
    complete = False
    examined = 0

    def rank(entry: tuple[tuple[float, ...], str, Selection, Schedule]) -> None:
        _, _, sel, sch = entry
        chosen = frozenset(sel.credential_ids)
        ranked.append(Found(sel, sch, proved))
        selector.cut(chosen)  # alternatives are never supersets of a ranked route
        pending[:] = [p for p in pending if not chosen <= frozenset(p[2].credential_ids)]

    while len(ranked) < wanted:
        if clock.expired() or examined >= MAX_SETS_EXAMINED:
            break
        sel = selector.next(time.perf_counter() + clock.remaining())
        if sel is None:
            complete = selector.exhausted
            break
        proved = proved and sel.proved_optimal
        model_key = _key(sel, sel.weeks_lower_bound, objective, weights, scales)
        pending.sort()
        while pending and len(ranked) < wanted and pending[0][0] <= model_key:
            rank(pending.pop(0))
        if len(ranked) >= wanted:
            break
        chosen = frozenset(sel.credential_ids)
        if any(frozenset(f.selection.credential_ids) <= chosen for f in ranked):
            selector.cut(chosen)  # already excluded as a superset of a ranked route
            continue
        examined += 1
        seconds, restarts = per_schedule, 60
        if ranked and not time_key and cap is None:
            # nothing depends on an alternative's finish: a quick schedule, labelled when unproved
            seconds, restarts = SCHEDULE_SECONDS_ALTERNATIVE, 8
        sch = schedule_route(catalogue, sel.credential_ids, profile, start=start,
                             time_limit=min(seconds, clock.remaining()), restarts=restarts)
        if not sch.feasible:
            proved = proved and sch.infeasible_proved
            selector.cut(chosen, _helpers(problem, chosen))
            continue
        if time_key:
            proved = proved and sch.proved_optimal
        entry = (_key(sel, float(sch.weeks), objective, weights, scales), ",".join(sel.credential_ids), sel, sch)
        if not time_key:
            rank(entry)  # its model key is its true key, and no set left has a smaller one
            continue
        pending.append(entry)
        selector.cut(chosen, _helpers(problem, chosen))
    if len(ranked) < wanted and pending:
        pending.sort()
        if not complete:
            proved = False  # stopped early: the best of what was scheduled, unproved
        # pop one at a time: ranking a set drops its supersets from ``pending``
        while pending and len(ranked) < wanted:
            rank(pending.pop(0))
    return SearchResult(problem, tuple(ranked), complete or len(ranked) >= wanted, examined)


def check_profile(catalogue: Catalogue, profile: LearnerProfile) -> None:
    """Refuse a profile that names ids the catalogue lacks (a typo would silently change the plan).

    Raises
    ------
    planner.engine.problem.ProblemError
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


def _lower_bounds(schedule: Schedule) -> tuple[str, ...]:
    """Route figures that are only lower bounds (a duration or weekly load is unknown)."""
    if not schedule.unknown:
        return ()
    return ("finish", "total_hours", "weeks")


def make_route(
    catalogue: Catalogue,
    profile: LearnerProfile,
    target: Target,
    problem: Problem,
    found: Found,
    *,
    rank: int,
    objective: Objective,
    credit_award: str | None,
    start: dt.date,
) -> Route:
    """Turn a ranked set into a :class:`~planner.engine.results.Route`: steps, explanations, totals."""
    sel, sch = found.selection, found.schedule
    steps = explain_steps(
        catalogue, profile, target, sel.credential_ids, sch.steps,
        held=problem.held, required=problem.required, optional=problem.optional, today=start,
    )
    awards = tuple(cid for cid in (s.credential_id for s in steps) if catalogue.credential(cid).award)
    value = float(sch.weeks) if objective == Objective.TIME else sel.objective_value
    if found.proved:
        proof = "proved optimal"
        if objective != Objective.TIME and not sch.proved_optimal:
            proof += "; the finish date is the best found, not proved earliest"
    else:
        proof = "not proved optimal: the search stopped at its time or size limit"
    if sch.unknown:
        proof += "; duration unknown for " + ", ".join(sch.unknown) + " (time figures are lower bounds)"
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
        duration_unknown=sch.unknown,
        lower_bounds=_lower_bounds(sch),
        proof=proof,
    )


def build(catalogue: Catalogue, profile: LearnerProfile, target: Target, *, start: dt.date,
          credit_award: str | None) -> Problem:
    """Check the profile and prune the catalogue for one question."""
    check_profile(catalogue, profile)
    return build_problem(catalogue, profile, target, today=start, credit_award=credit_award)
