"""Brute force for "where can I get from here": every target's optimum and the next best step.

Written from ``docs/semantics.md`` ("Where can I get from here") alone; it shares no code
with the engine (from ``planner`` only the model classes). Every role and award is solved by
enumerating every credential set (:class:`tests.oracle.Oracle`); the next best step is
chosen by counting, over the closest targets' best routes, the credentials that are not
awards and whose every prerequisite group is met at week 0 by valid holdings or known
levels; ties go to the smaller own measure (cost in the base currency to the cent, weeks or
hours by the effort rule), then the smaller id. Its effect is re-solved by brute force with
the step held from day zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from planner.catalogue.models import Catalogue, Holding, LearnerProfile, Objective, Target
from tests.oracle.core import Oracle, Outcome
from tests.oracle.effort import effort_of
from tests.oracle.strategies import COMPETENCIES, Scenario, scenarios

#: The route figure each objective ranks targets by.
MEASURE = {Objective.COST: "cost", Objective.TIME: "weeks", Objective.WORKLOAD: "hours"}


@dataclass(frozen=True)
class TargetTruth:
    """What brute force knows of one target."""

    target: str
    status: str  # reachable, met, unreachable
    measure: float | None  # the least measure of a best route (by the objective's full key)
    best_key: tuple[Any, ...] | None
    optimal_sets: tuple[frozenset[str], ...]  # every set with the least key


def _measure(outcome: Outcome, objective: Objective) -> float:
    return {"cost": outcome.cost, "weeks": float(outcome.finish_week or 0), "hours": outcome.hours}[MEASURE[objective]]


def targets_of(catalogue: Catalogue) -> list[Target]:
    """Every role and award, read from the raw lists."""
    return ([Target(kind="role", id=r.id) for r in catalogue.roles]
            + [Target(kind="award", id=c.id) for c in catalogue.credentials if c.award is not None])


def truth(catalogue: Catalogue, profile: LearnerProfile, target: Target, objective: Objective,
          today: dt.date) -> TargetTruth:
    """Brute-force optimum of one target."""
    oracle = Oracle(catalogue, profile, target, today=today)
    name = f"{target.kind}:{target.id}"
    if oracle.already_met:
        return TargetTruth(name, "met", 0.0, None, ())
    outcomes = oracle.outcomes()
    if not outcomes:
        return TargetTruth(name, "unreachable", None, None, ())
    best = min(o.key(objective) for o in outcomes)
    optimal = [o for o in outcomes if o.key(objective) == best]
    return TargetTruth(name, "reachable", _measure(optimal[0], objective), best,
                       tuple(sorted((o.chosen for o in optimal), key=sorted)))


def startable(catalogue: Catalogue, profile: LearnerProfile, credential_id: str, today: dt.date) -> bool:
    """Not an award, and every prerequisite group met at week 0 (the oracle's own reading)."""
    cred = next(c for c in catalogue.credentials if c.id == credential_id)
    if cred.award is not None:
        return False
    probe = Oracle(catalogue, profile, Target(kind="role", id=catalogue.roles[0].id), today=today)
    return all(probe._group_met_at_start(group) for group in cred.requires)


def own_measure(catalogue: Catalogue, profile: LearnerProfile, credential_id: str, objective: Objective,
                today: dt.date) -> float:
    """A step's own cost (base currency, to the cent), weeks or hours (effort rule; unknown 0)."""
    cred = next(c for c in catalogue.credentials if c.id == credential_id)
    work = effort_of(cred)
    if MEASURE[objective] == "weeks":
        return float(work.sched_weeks)
    if MEASURE[objective] == "hours":
        return work.counted_hours
    probe = Oracle(catalogue, profile, Target(kind="role", id=catalogue.roles[0].id), today=today)
    return round(probe.cost_of(credential_id) or 0.0, 2)


def next_step(catalogue: Catalogue, profile: LearnerProfile, closest: Sequence[tuple[str, Sequence[str]]],
              objective: Objective, today: dt.date) -> tuple[str, tuple[str, ...]] | None:
    """The next best step over ``closest`` (target, its best route's credentials), and the targets it serves."""
    serves: dict[str, list[str]] = {}
    for target, route in closest:
        for cid in route:
            if startable(catalogue, profile, cid, today):
                serves.setdefault(cid, []).append(target)
    if not serves:
        return None
    best = min(serves, key=lambda c: (-len(serves[c]), round(own_measure(catalogue, profile, c, objective, today),
                                                             6), c))
    return best, tuple(serves[best])


def holding(profile: LearnerProfile, credential_id: str, today: dt.date) -> LearnerProfile:
    """The profile with one more holding, earned on day zero."""
    return LearnerProfile(holdings=[*profile.holdings, Holding(credential=credential_id, earned=today)],
                          competencies=profile.competencies, constraints=profile.constraints)


@st.composite
def reach_scenarios(draw: st.DrawFn) -> Scenario:
    """A small random catalogue (as the route oracle's) with two to four roles and its awards."""
    base = draw(scenarios(max_plain=6, max_awards=2))
    roles = list(base.catalogue["roles"])
    for i in range(draw(st.integers(2, 4))):
        needs = [{"competency": k, "level": draw(st.integers(1, 2)), "essential": True}
                 for k in draw(st.lists(st.sampled_from(COMPETENCIES), min_size=1, max_size=2, unique=True))]
        if draw(st.booleans()):
            needs.append({"competency": draw(st.sampled_from(COMPETENCIES)), "level": 1, "essential": False})
        roles.append({"id": f"role{i}", "title": f"Role {i}", "needs": needs})
    # fewer hard constraints than the route oracle draws, so that most targets are reachable
    kept = {"start": base.profile["constraints"]["start"]}
    for key, odds in (("hours_per_week", 1), ("deadline", 2), ("budget", 2), ("modes", 2), ("countries", 2)):
        if key in base.profile["constraints"] and draw(st.integers(1, odds)) == 1:
            kept[key] = base.profile["constraints"][key]
    profile = {**base.profile, "constraints": kept}
    return Scenario({**base.catalogue, "roles": roles}, profile, {"kind": "role", "id": "role"})
