"""Interaction to new route, server side: how long the learner's page takes to re-run.

Goal (issue 5): at most 300 ms on the bundled catalogue. The page is driven with Streamlit's
AppTest, which runs the script exactly as the server does (minus the websocket): each
measured interaction changes a widget to a scenario not seen before (a new budget, or a
new target with a new budget), so the route search is never served from the cache.

Run: ``python benchmarks/bench_ui.py [--rounds N]``. Prints p50 / p95 / max per kind of
interaction, and the share within the goal.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_MS = 300.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="interactions per kind (default 40)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    from planner.catalogue.loader import default_catalogue_dir, load

    catalogue = load(default_catalogue_dir())
    roles = sorted(f"role:{r.id}" for r in catalogue.roles)
    at = AppTest.from_string("from planner.ui.plan_page import page\npage()\n", default_timeout=120)
    at.run()  # imports, catalogue load and first search: not an interaction
    at.checkbox(key="sc_use_budget").check().run()
    if at.exception:
        print("the page failed:", [e.value for e in at.exception])
        return 1

    timings: dict[str, list[float]] = {"budget": [], "target": []}
    budget = 5000.0
    for i in range(args.rounds):
        budget += 7.0  # a scenario never searched before
        at.number_input(key="sc_budget").set_value(budget)
        start = time.perf_counter()
        at.run()
        timings["budget"].append(1000 * (time.perf_counter() - start))

        at.selectbox(key="sc_target").set_value(roles[i % len(roles)])
        at.number_input(key="sc_budget").set_value(budget + 3.0)
        start = time.perf_counter()
        at.run()
        timings["target"].append(1000 * (time.perf_counter() - start))
        if at.exception:
            print("the page failed:", [e.value for e in at.exception])
            return 1

    print(f"bundled catalogue: {len(catalogue.credentials)} credentials, {len(roles)} roles; "
          f"{args.rounds} uncached interactions per kind; goal {GOAL_MS:.0f} ms server time")
    print(f"{'interaction':<28}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'within goal':>13}")
    for kind, label in (("budget", "change budget"), ("target", "change target (+ budget)")):
        ms = timings[kind]
        within = sum(t <= GOAL_MS for t in ms) / len(ms)
        print(f"{label:<28}{statistics.median(ms):>9.0f}{_pct(ms, 0.95):>9.0f}{max(ms):>9.0f}{within:>12.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
