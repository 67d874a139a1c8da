"""Institution analyses on a compiled catalogue: what a provider's question costs at national scale.

For each size, a synthetic national catalogue is streamed into an SQLite store (or reused),
then, for the providers with most awards: the time to collect the provider's analysis
scope (:meth:`planner.store.catalogue.CatalogueStore.analysis_scope`) and its size; the
institution report on it (quick analyses, role reachability without the fastest-route
search, and the exhaustive recognition what-if, serially); and once per store ``planner
validate`` and ``planner info`` as whole processes. Wall and CPU time are printed side by
side (other jobs on the machine stretch wall time), with the peak RSS of this process.

    python benchmarks/bench_store_analyses.py                      # 100k and 1.08M (builds take minutes)
    python benchmarks/bench_store_analyses.py --sizes 100000 --providers 2 --reuse
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic
from sqlalchemy import func, select

from planner.outputs.report import build_report
from planner.store.catalogue import open_catalogue
from planner.store.catalogue import schema as t

AS_OF = dt.date(2026, 9, 1)


def _timed(fn):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def _process(*args: str) -> tuple[float, float]:
    """Wall and CPU seconds of a whole ``planner`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "planner", *args], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - start, cpu


def provider_reports(url: str, providers: int, *, report: bool = True, label: str = "") -> list[float]:
    """Print, for the ``providers`` providers with most awards in the store at ``url``, the
    time to collect their analysis scope and (``report``) the institution report on it.

    Returns the report wall times in seconds (empty without ``report``).
    """
    times: list[float] = []
    store = open_catalogue(url)
    with store.engine.connect() as conn:
        count = func.count().label("n")
        top = [r[0] for r in conn.execute(
            select(t.credentials.c.provider, count).where(t.credentials.c.is_award)
            .group_by(t.credentials.c.provider).order_by(count.desc(), t.credentials.c.provider)
            .limit(providers))]
    for provider in top:
        scope, wall, cpu = _timed(lambda provider=provider, store=store: store.analysis_scope(provider))
        line = (f"{label}: {provider}: scope {len(scope.catalogue.credentials):,} credentials, "
                f"{len(scope.roles or ()):,} roles in {wall:.2f} s wall ({cpu:.2f} s CPU)")
        if report:
            built, wall, cpu = _timed(lambda scope=scope: build_report(
                scope.catalogue, as_of=AS_OF, fastest=False, **scope.report_kwargs()))
            times.append(wall)
            searches = built.whatif.searches if built.whatif else 0
            line += (f"; report {wall:.1f} s wall ({cpu:.1f} s CPU): what-if {built.seconds['whatif']:.1f} s "
                     f"for {searches} route searches, reachability {built.seconds['reachability']:.1f} s")
        print(line, flush=True)
    store.close()
    return times


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_080_000])
    parser.add_argument("--providers", type=int, default=3, help="providers measured per size")
    parser.add_argument("--seed", type=int, default=0, help="the generator's seed")
    parser.add_argument("--dir", default="/tmp/planner-bench-store-analyses")
    parser.add_argument("--reuse", action="store_true", help="keep stores already built in --dir")
    parser.add_argument("--no-report", action="store_true", help="only the scope, not the report on it")
    args = parser.parse_args()
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    print(f"# {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.platform()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    for n in args.sizes:
        path = Path(args.dir) / f"national-{n}.db"
        url = f"sqlite:///{path}"
        if not (args.reuse and path.exists()):
            path.unlink(missing_ok=True)
            _, wall, cpu = _timed(lambda n=n, url=url: synthetic.write_national(url, n, seed=args.seed))
            print(f"{n:,} credentials (seed {args.seed}): built in {wall:.0f} s wall ({cpu:.0f} s CPU)")
        for command in ("validate", "info"):
            wall, cpu = _process(command, url)
            print(f"{n:,}: planner {command}: {wall:.2f} s wall ({cpu:.2f} s CPU)")
        provider_reports(url, args.providers, report=not args.no_report, label=f"{n:,}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the measuring process: {peak:.0f} MB; load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
