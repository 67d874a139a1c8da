"""Search for the smallest instance on which the engine and the oracle disagree, per kind of finding.

Usage::

    python -m tests.oracle_hunt CATEGORY [CATEGORY ...] [--examples N]

Each category found is shrunk by hypothesis and saved as
``tests/oracle/cases/<category>.json``, which ``tests/engine/test_oracle_cases.py`` replays.
Categories are those of :mod:`tests.oracle_checks` (``false_no_route``,
``route1_not_optimal``, ``bad_schedule``, ...).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from planner.catalogue.models import Objective
from tests.oracle.strategies import race_scenarios, scenarios
from tests.oracle_checks import Report, check_routes

CASES = Path(__file__).resolve().parent / "oracle" / "cases"


def _credit_award(scenario) -> str | None:
    if scenario.target["kind"] == "award":
        return scenario.target["id"]
    awards = [c["id"] for c in scenario.catalogue["credentials"] if "award" in c]
    return awards[0] if awards else None


def run_case(scenario, objective: str, alternatives: int) -> Report:
    """Check one saved or generated case."""
    cat, profile, target = scenario.build()
    award = _credit_award(scenario) if objective == "credit" else None
    if objective == "credit" and award is None:
        return Report()
    return check_routes(cat, profile, target, objective, alternatives, credit_award=award)


def hunt(category: str, examples: int, complete: bool = False, race: bool = False) -> Path | None:
    if race:  # cost and time only: the workload of these courses also tests the effort rule
        strategy = st.tuples(race_scenarios(), st.sampled_from(["cost", "time"]), st.integers(1, 3))
    else:
        strategy = st.tuples(scenarios(complete=complete), st.sampled_from([o.value for o in Objective]),
                             st.integers(1, 3))
    try:
        scenario, objective, k = find(
            strategy, lambda x: category in run_case(*x).categories,
            settings=settings(max_examples=examples, deadline=None, database=None,
                              suppress_health_check=list(HealthCheck)),
        )
    except NoSuchExample:
        return None
    report = run_case(scenario, objective, k)
    path = CASES / f"{category}{'-complete' if complete else ''}{'-race' if race else ''}.json"
    path.write_text(json.dumps({
        "category": category, "objective": objective, "alternatives": k,
        "findings": [f"[{f.category}] {f.message}" for f in report.findings],
        "catalogue": scenario.catalogue, "profile": scenario.profile, "target": scenario.target,
    }, indent=1, sort_keys=True) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("categories", nargs="+")
    parser.add_argument("--examples", type=int, default=400)
    parser.add_argument("--complete", action="store_true", help="every course gives duration and weekly hours")
    parser.add_argument("--race", action="store_true", help="OR-prerequisite races (tests.oracle.strategies)")
    args = parser.parse_args()
    for category in args.categories:
        path = hunt(category, args.examples, args.complete, args.race)
        print(f"{category}: {path or 'not found'}", flush=True)


if __name__ == "__main__":
    main()
