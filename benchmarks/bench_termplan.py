"""Balanced term plans of generated degrees: solver time and whether the optimum was proved.

For each curriculum of ``benchmarks/curriculum.py`` (40–70 courses, 8/10/12 terms, minimum
and maximum weekly load and a cap on courses per term) and each solver, one call of
:func:`planner.engine.termplan.balanced_plan` with the number of terms given. Printed as one
Markdown table: the time of the first solve (which proves the heaviest term, or not), the
time spent inside the solver backend (model building, both levels of the objective and the
list heuristic included), the whole call's time, whether the heaviest term was proved
minimal, and that heaviest term's hours (the objective).

    python benchmarks/bench_termplan.py                     # both solvers, every size
    python benchmarks/bench_termplan.py --solvers cp-sat --sizes 66 --terms 12 --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ortools.sat.python import cp_model

from benchmarks.curriculum import TERM_WEEKS, curriculum
from planner.engine import termplan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[40, 50, 60, 66, 70])
    parser.add_argument("--terms", type=int, nargs="+", default=[8, 10, 12])
    parser.add_argument("--solvers", nargs="+", default=list(termplan.SOLVERS), choices=termplan.SOLVERS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per call (default 10)")
    args = parser.parse_args(argv)

    # time spent inside the backends, and in their first solve (the proof of the heaviest term)
    spent = [0.0]
    solves: list[float] = []
    for name, backend in list(termplan._BACKENDS.items()):
        def timed(*a: object, _backend=backend) -> object:  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return _backend(*a)
            finally:
                spent[0] += time.perf_counter() - t

        termplan._BACKENDS[name] = timed
    for cls in (cp_model.CpSolver, termplan._Milp):
        def clocked(self: object, *a: object, _orig=cls.solve, **kw: object) -> object:
            t = time.perf_counter()
            try:
                return _orig(self, *a, **kw)
            finally:
                solves.append(time.perf_counter() - t)

        cls.solve = clocked

    print("| courses | terms | seed | solver | proof s | solver s | call s | proved | heaviest term h |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        for k in args.terms:
            for seed in args.seeds:
                cat, ids, prof = curriculum(n, k, seed)
                for solver in args.solvers:
                    spent[0] = 0.0
                    solves.clear()
                    t = time.perf_counter()
                    plan = termplan.balanced_plan(cat, ids, prof, terms=k, term_weeks=TERM_WEEKS,
                                                  time_limit=args.time_limit, solver=solver)
                    call = time.perf_counter() - t
                    objective = f"{plan.max_term_hours:.1f}" if plan.feasible else f"none: {plan.reason[:60]}"
                    first = f"{solves[0]:.2f}" if solves else "-"
                    print(f"| {n} | {k} | {seed} | {solver} | {first} | {spent[0]:.2f} | {call:.2f} | "
                          f"{'yes' if plan.proved_optimal else 'no'} | {objective} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
