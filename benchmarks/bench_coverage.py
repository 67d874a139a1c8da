"""Time the full institution coverage report on a synthetic catalogue.

Usage::

    python benchmarks/bench_coverage.py                 # 10,000 credentials, seed 1
    python benchmarks/bench_coverage.py --credentials 2000 --seed 3 --formats text html

Prints the time of every analysis (graph, obtainability, coverage, gaps, orphans,
quality, role reachability, recognition what-ifs) and of rendering each format, plus a
few figures about what was found. The goal on 10k credentials is the full report in
under a minute.

``--whatif-compare`` then runs the exhaustive recognition what-if twice, serially and on a
``LocalCluster`` of 2 worker processes, checks the two results are identical and prints the
speed-up (the report itself runs serially, ``--scheduler`` changes that)::

    python benchmarks/bench_coverage.py --credentials 10000 --no-routes --formats --whatif-compare

The two what-if goals (2 cores): the 10k exhaustive what-if serially in at most 120 s
(``--whatif-compare --phases serial``; ``--whatif-baseline`` also runs it one search per
agreement, as before the searches shared their work, and checks the results are identical),
and a provider's report on the 1.08M compiled store in at most 15 s (``--store URL``: the
report for the providers with most awards, as ``bench_store_analyses.py`` measures it)::

    python benchmarks/bench_coverage.py --credentials 10000 --no-routes --formats --whatif-compare --phases serial
    python benchmarks/bench_coverage.py --store sqlite:////tmp/national.db --providers 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic import generate

from planner.outputs.report import build_report, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", nargs="*", default=["text", "json", "markdown", "html"])
    parser.add_argument("--fastest", action="store_true", help="force fastest-route searches for every role")
    parser.add_argument("--no-routes", action="store_true", help="skip the route-engine analyses")
    parser.add_argument("--scheduler", default=None, help="scheduler for the report (default: serial)")
    parser.add_argument("--whatif-compare", action="store_true",
                        help="time the exhaustive what-if serially and on a 2-worker LocalCluster")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster workers for --whatif-compare")
    parser.add_argument("--phases", nargs="+", choices=("serial", "cluster"), default=["serial", "cluster"],
                        help="which --whatif-compare runs to time (each prints a digest of its result, so "
                             "runs made at different times can be compared)")
    parser.add_argument("--whatif-baseline", action="store_true",
                        help="with --whatif-compare: also one search per agreement (slow), and compare")
    parser.add_argument("--store", default=None,
                        help="only time providers' reports on this compiled catalogue (a database URL)")
    parser.add_argument("--providers", type=int, default=3, help="providers measured with --store")
    args = parser.parse_args(argv)
    if args.store:
        from bench_store_analyses import provider_reports

        print(f"providers' reports on {args.store} ({os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.1f}):", flush=True)
        times = provider_reports(args.store, args.providers, label="store")
        worst = max(times, default=0.0)
        print(f"slowest provider report: {worst:.1f} s wall — goal at most 15 s: {'met' if worst <= 15 else 'NOT met'}")
        return 0

    t0 = time.perf_counter()
    catalogue = generate(args.credentials, seed=args.seed)
    t_gen = time.perf_counter() - t0
    print(f"synthetic catalogue: {len(catalogue.credentials)} credentials, {len(catalogue.awards)} awards, "
          f"{len(catalogue.roles)} roles, {len(catalogue.recognitions)} recognitions "
          f"(generated and validated in {t_gen:.1f} s)")

    t0 = time.perf_counter()
    report = build_report(catalogue, as_of=dt.date(2026, 1, 15), reachability=not args.no_routes,
                          whatif=not args.no_routes, fastest=True if args.fastest else None,
                          scheduler=args.scheduler)
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
        print(f"  what-if candidates      {len(w.candidates)} tried, {helping} help; {w.searches} searches")
    total = t_build + t_render
    print(f"\nfull report (analyses + rendering): {total:.1f} s — goal under 60 s: "
          f"{'met' if total < 60 else 'NOT met'}")
    if args.whatif_compare:
        whatif_compare(catalogue, args.workers, args.phases, baseline=args.whatif_baseline)
    return 0


def _digest(result) -> str:
    """A short fingerprint of a what-if result (its dataclasses' repr is deterministic)."""
    return hashlib.sha256(repr(result).encode()).hexdigest()[:16]


def whatif_compare(catalogue, workers: int, phases=("serial", "cluster"), *, baseline: bool = False) -> None:
    """Exhaustive what-if: serial, then on a LocalCluster of worker processes; same result, speed-up."""
    from distributed import Client, LocalCluster

    from planner.analysis.recognition import recognition_whatif

    day = dt.date(2026, 1, 15)
    print(f"\nexhaustive recognition what-if ({os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}):")
    serial = t_serial = None
    if "serial" in phases:
        t0 = time.perf_counter()
        serial = recognition_whatif(catalogue, as_of=day)
        t_serial = time.perf_counter() - t0
        print(f"  serial                   {t_serial:8.1f} s   {serial.searches} route searches, "
              f"{len(serial.candidates)} candidates, result digest {_digest(serial)}", flush=True)
        print(f"  goal on 10k credentials: at most 120 s serially: {'met' if t_serial <= 120 else 'NOT met'}")
        if baseline:  # one search per agreement and target, sharing nothing: the results must not change
            t0 = time.perf_counter()
            alone = recognition_whatif(catalogue, as_of=day, reuse=False)
            t_alone = time.perf_counter() - t0
            print(f"  one search at a time     {t_alone:8.1f} s   {alone.searches} route searches, "
                  f"result digest {_digest(alone)}; identical: {'yes' if alone == serial else 'NO'}", flush=True)
    if "cluster" not in phases:
        return
    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        t_start = time.perf_counter() - t0
        parallel = recognition_whatif(catalogue, as_of=day, scheduler=client)
    t_cluster = time.perf_counter() - t0
    print(f"  LocalCluster, {workers} workers  {t_cluster:8.1f} s   (of which {t_start:.1f} s starting workers), "
          f"{parallel.searches} route searches, result digest {_digest(parallel)}")
    print(f"  load average at the end  {os.getloadavg()[0]:.1f}")
    if serial is not None and t_serial is not None:
        print(f"  speed-up                 {t_serial / t_cluster:8.2f}x   results identical: "
              f"{'yes' if parallel == serial else 'NO'}")


if __name__ == "__main__":
    sys.exit(main())
