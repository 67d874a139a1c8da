"""Time the full institution coverage report on a synthetic catalogue.

Usage::

    python benchmarks/bench_coverage.py                 # 10,000 credentials, seed 1
    python benchmarks/bench_coverage.py --credentials 2000 --seed 3 --formats text html

Prints the time of every analysis (graph, obtainability, coverage, gaps, orphans,
quality, role reachability, recognition what-ifs) and of rendering each format, plus a
few figures about what was found. The goal on 10k credentials is the full report in
under a minute.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic import generate

from planner.report import build_report, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", nargs="*", default=["text", "json", "markdown", "html"])
    parser.add_argument("--fastest", action="store_true", help="force fastest-route searches for every role")
    parser.add_argument("--no-routes", action="store_true", help="skip the route-engine analyses")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    catalogue = generate(args.credentials, seed=args.seed)
    t_gen = time.perf_counter() - t0
    print(f"synthetic catalogue: {len(catalogue.credentials)} credentials, {len(catalogue.awards)} awards, "
          f"{len(catalogue.roles)} roles, {len(catalogue.recognitions)} recognitions "
          f"(generated and validated in {t_gen:.1f} s)")

    t0 = time.perf_counter()
    report = build_report(catalogue, as_of=dt.date(2026, 1, 15), reachability=not args.no_routes,
                          whatif=not args.no_routes, fastest=True if args.fastest else None)
    t_build = time.perf_counter() - t0
    print("\nanalyses (seconds):")
    for name, seconds in report.seconds.items():
        print(f"  {name:<14} {seconds:8.2f}")
    print(f"  {'total':<14} {t_build:8.2f}")

    t_render = 0.0
    print("\nrendering (seconds, size):")
    for fmt in args.formats:
        t0 = time.perf_counter()
        text = render(report, fmt, catalogue=catalogue)
        elapsed = time.perf_counter() - t0
        t_render += elapsed
        print(f"  {fmt:<14} {elapsed:8.2f}   {len(text) / 1e6:6.2f} MB")

    cov, orph = report.coverage, report.orphans
    print("\nfound:")
    print(f"  awards stackable        {sum(a.stackable for a in cov.awards)} of {len(cov.awards)}")
    print(f"  competency gaps         {len(report.gaps.gaps)}")
    print(f"  orphans / dead ends     {len(orph.orphans)} / {len(orph.dead_ends)}")
    print(f"  near-duplicate groups   {len(orph.duplicates)}")
    print(f"  mean EU completeness    {100 * report.quality.mean_completeness:.0f}%")
    if report.reachability is not None:
        reach = report.reachability
        print(f"  roles reachable (zero)  {reach.reachable_from_zero} of {len(reach.roles)}"
              f"{'' if reach.fastest_searched else ' (cheapest routes only)'}")
    if report.whatif is not None:
        w = report.whatif
        helping = sum(c.helps for c in w.candidates)
        print(f"  what-if candidates      {len(w.candidates)} tried, {helping} help; {w.searches} searches"
              f"{' (stopped at the limit)' if w.truncated else ''}")
    total = t_build + t_render
    print(f"\nfull report (analyses + rendering): {total:.1f} s — goal under 60 s: "
          f"{'met' if total < 60 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
