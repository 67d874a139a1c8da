"""Every claim of ``recommend()`` against the brute-force oracle, on random small catalogues.

Catalogues come from ``tests/oracle/strategies.py``: 2–3 providers in 2–3 countries;
credentials with and without hours, ECTS, durations and weekly hours; rolling starts or
1–2 yearly intakes near day zero; AND/OR prerequisites on credentials, awards and
competency levels; languages, modes, prices in EUR and SEK; 0–2 awards with nested rule
trees (all-of, n-of, pools, RPL caps, windows), some required by later courses;
recognition agreements with and without pool or equivalent, in force or lapsing around
day zero; holdings earned near their validity limit; budgets, weekly hours, deadlines.

For each instance and each objective: "no route" only when the oracle finds none (an
answer labelled unproved is allowed and counted); every route is feasible, its schedule
obeys intakes, prerequisites, award completion weeks, weekly hours and the deadline; a
route marked proved optimal has the oracle's least key (alternatives: least among the
sets that are not supersets of earlier routes); and every diagnosis fix, applied, makes
the target reachable.

``PLANNER_ORACLE_EXAMPLES`` sets the number of examples (default: a short CI run; use
2000 for a long one); ``PLANNER_ORACLE_SHRINK=1`` shrinks a failure to a small example.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from planner.catalogue.models import Objective
from tests.oracle import Oracle
from tests.oracle.strategies import TODAY, race_scenarios, scenarios
from tests.oracle_checks import UNPROVED, check_all, check_routes

EXAMPLES = int(os.environ.get("PLANNER_ORACLE_EXAMPLES", "40"))
#: Shrinking a failure re-runs the engine hundreds of times (minutes); off unless asked for, so that
#: a failing CI run stays short. ``python -m tests.oracle_hunt`` shrinks and saves a case.
SHRINK = os.environ.get("PLANNER_ORACLE_SHRINK", "") not in ("", "0")
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    phases=tuple(Phase) if SHRINK else tuple(p for p in Phase if p != Phase.shrink))


def _count_unproved(before: dict[str, int]) -> None:
    """Unproved answers are allowed; they show in ``--hypothesis-show-statistics``."""
    for kind, n in UNPROVED.items():
        if n > before.get(kind, 0):
            event(f"engine answer labelled unproved: {kind}")


@SETTINGS
@given(scenarios(), st.integers(1, 3))
def test_every_objective_tells_the_truth(scenario, alternatives) -> None:
    cat, profile, target = scenario.build()
    before = dict(UNPROVED)
    report = check_all(cat, profile, target, alternatives)
    _count_unproved(before)
    assert not report.findings, f"{report}\n{scenario}"


@SETTINGS
@given(scenarios(max_plain=5), st.sampled_from([Objective.COST, Objective.TIME]))
def test_deadline_routes_and_fixes(scenario, objective) -> None:
    """Deadlines and weekly hours everywhere: the constraints where time enters."""
    cat, profile, target = scenario.build()
    constraints = profile.constraints.model_copy(update={
        "deadline": profile.constraints.deadline or TODAY.replace(month=4),
        "hours_per_week": profile.constraints.hours_per_week or 10.0,
    })
    profile = profile.model_copy(update={"constraints": constraints})
    before = dict(UNPROVED)
    report = check_routes(cat, profile, target, objective, 2, oracle=Oracle(cat, profile, target, today=TODAY))
    _count_unproved(before)
    assert not report.findings, f"{report}\n{scenario}"



@SETTINGS
@given(race_scenarios(), st.sampled_from(list(Objective)[:3]), st.integers(1, 3))
def test_prerequisite_races(scenario, objective, alternatives) -> None:
    """OR prerequisites opened by courses of different speed and price, with deadlines and weekly hours:
    the cheapest set is often not the fastest, and a deadline may need a dearer superset."""
    cat, profile, target = scenario.build()
    before = dict(UNPROVED)
    report = check_routes(cat, profile, target, objective, alternatives)
    _count_unproved(before)
    assert not report.findings, f"{report}\n{scenario}"


@SETTINGS
@given(st.one_of(scenarios(), race_scenarios()), st.integers(2, 3))
def test_time_alternatives_are_never_supersets(scenario, alternatives) -> None:
    """Time objective, 2–3 alternatives: route i + 1 is the best set that is neither equal to nor a
    superset of routes 1 … i (the oracle's keys), every claim checked.

    With time, sets wait in a queue until no set still to come can beat them; ranking that
    queue must drop the supersets of each set it ranks (a superset of route 1 once came
    out as route 2 about 4 times in 1,000 race instances)."""
    cat, profile, target = scenario.build()
    before = dict(UNPROVED)
    report = check_routes(cat, profile, target, Objective.TIME, alternatives)
    _count_unproved(before)
    assert not report.findings, f"{report}\n{scenario}"
