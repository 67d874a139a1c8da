"""``reach()`` against brute force on random small catalogues: every target, the ranking, the next step.

Catalogues come from ``tests/oracle/reach.py`` (the route oracle's random catalogues with
two to four roles and up to two awards); the checker there shares no code with the engine.
For each instance and objective: every role and award is listed with the status brute force
gives it; a reachable target's route is a feasible set and, when proved, one of the sets
with the least key, with the least measure; the ranking is by the measure; and the next
best step is the credential brute force counts on the most of the closest best routes
(ties by own measure, then id), serving exactly those targets, with each target's measure
once it is held equal to the brute-force optimum.

``PLANNER_ORACLE_EXAMPLES`` sets the number of examples (default: a short CI run).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from planner.catalogue.models import Objective, Target
from planner.engine.reach import ReachOptions, reach
from tests.oracle import Oracle
from tests.oracle.reach import holding, next_step, reach_scenarios, targets_of, truth
from tests.oracle.strategies import TODAY

EXAMPLES = int(os.environ.get("PLANNER_ORACLE_EXAMPLES", "40"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    phases=tuple(p for p in Phase if p != Phase.shrink))
#: Route totals are rounded (cost to the cent, hours to a tenth).
TOLERANCE = {"cost": 0.006, "weeks": 0.0, "hours": 0.051}


def _close(a: float | None, b: float | None, measure: str) -> bool:
    return a is not None and b is not None and abs(a - b) <= TOLERANCE[measure]


@SETTINGS
@given(reach_scenarios(), st.sampled_from([Objective.COST, Objective.TIME, Objective.WORKLOAD]), st.integers(1, 4))
def test_reach_agrees_with_brute_force(scenario, objective, top) -> None:
    cat, profile, _ = scenario.build()
    options = ReachOptions(objective=objective, today=TODAY, next_top=top, time_limit=5.0)
    result = reach(cat, profile, options)
    measure = options.measure
    truths = {str(t): truth(cat, profile, t, objective, TODAY) for t in targets_of(cat)}
    listed = {e.target: e for e in result.entries}
    assert set(listed) == set(truths), "every role and award is listed once"
    assert len(result.entries) == len(truths)
    for name, known in truths.items():
        entry = listed[name]
        event(f"target {entry.status}")
        if entry.status == "unknown":  # a search stopped by its time limit says so; never a wrong answer
            continue
        assert entry.status == known.status, f"{name}: {entry.status} vs brute force {known.status}\n{scenario}"
        if known.status != "reachable":
            continue
        target = Target.parse(name)
        chosen = frozenset(entry.credential_ids)
        assert Oracle(cat, profile, target, today=TODAY).evaluate(chosen).feasible, \
            f"{name}: the listed route {sorted(chosen)} is not feasible\n{scenario}"
        if entry.proved:
            assert chosen in known.optimal_sets, f"{name}: {sorted(chosen)} is not a best set {known.optimal_sets}"
            assert _close(entry.measure(objective), known.measure, measure), \
                f"{name}: {measure} {entry.measure(objective)} vs brute force {known.measure}\n{scenario}"
    measures = [e.measure(objective) for e in result.ranked]
    assert measures == sorted(measures), "reachable targets are ranked by the objective's measure"
    assert [e.rank for e in result.ranked] == list(range(1, len(result.ranked) + 1))

    closest = [(e.target, e.credential_ids) for e in result.ranked[:top]]
    expected = next_step(cat, profile, closest, objective, TODAY)
    if expected is None:
        assert result.next_step is None
        return
    cid, serves = expected
    event(f"next step serves {len(serves)} of {len(closest)}")
    step = result.next_step
    assert step is not None, f"brute force takes {cid} next\n{scenario}"
    assert (step.credential_id, step.serves) == (cid, serves), \
        f"next step {step.credential_id} serving {step.serves}; brute force: {cid} serving {serves}\n{scenario}"
    assert step.considered == len(closest)
    with_step = holding(profile, cid, TODAY)
    for effect in step.effects:
        assert effect.on_route == (effect.target in serves)
        again = truth(cat, with_step, Target.parse(effect.target), objective, TODAY)
        if effect.after is None or not effect.proved:
            continue
        assert _close(effect.after, again.measure, measure), \
            f"{effect.target} with {cid} held: {effect.after} vs brute force {again.measure}\n{scenario}"
    total_after = sum(e.before if e.after is None else e.after for e in step.effects)
    assert abs(step.after_total - total_after) < 1e-6 and abs(step.saving - (step.before_total - total_after)) < 1e-6
