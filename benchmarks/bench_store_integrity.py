"""What a compiled catalogue's integrity checks cost: at open, per question, and ``planner validate``'s full sweep.

For an existing store (build one with ``python benchmarks/synthetic.py --credentials N
--into URL``) it prints:

* opening: :func:`open_catalogue` p50/p95 over ``--opens`` opens, and the structure check
  alone (one catalogue query) — the part that runs on every open;
* ``planner recommend`` as a whole new process, p50/p95 over ``--targets`` targets (the
  rows read are type-checked and every item's id and columns compared with its JSON);
* the warm sub-catalogue collection p50/p95 (the per-row checks' share of a question);
* ``planner validate URL``: the sweep of every row, wall and CPU, items per second.

    python benchmarks/bench_store_integrity.py sqlite:////tmp/national.db
    python benchmarks/bench_store_integrity.py sqlite:////tmp/national.db --no-sweep   # skip the minutes-long sweep

Wall-clock times depend on what else the machine runs: CPU time is printed beside them,
with the load average at the start and the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import START, pct, pick_targets, profile_for, run_timed

from planner.store.catalogue import open_catalogue
from planner.store.catalogue.check import check_store
from planner.store.catalogue.engine import check_structure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the store (sqlite:///FILE or postgresql://…)")
    parser.add_argument("--opens", type=int, default=20)
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-sweep", action="store_true", help="skip the full sweep of planner validate")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")

    opens, structure = [], []
    for _ in range(args.opens):
        t0 = time.perf_counter()
        store = open_catalogue(args.url)
        opens.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        check_structure(store.engine)
        structure.append(time.perf_counter() - t0)
        store.close()
    print(f"open: p50 {pct(opens, 50) * 1e3:.1f} ms, p95 {pct(opens, 95) * 1e3:.1f} ms; "
          f"structure check alone: p50 {pct(structure, 50) * 1e3:.2f} ms, p95 {pct(structure, 95) * 1e3:.2f} ms")

    store = open_catalogue(args.url)
    counts = store.counts()
    print(f"store: {counts['credential']:,} credentials, {counts['role']:,} roles, "
          f"{counts['competency']:,} competencies, {counts['provider']:,} providers, "
          f"{counts['recognition']:,} recognitions")
    targets = pick_targets(store, args.targets, args.seed)
    walls, cpus, collect = [], [], []
    for k, target in enumerate(targets):
        cmd = [sys.executable, "-m", "planner", "recommend", "--catalogue", args.url, "--target", str(target),
               "-k", "1", "--start", START.isoformat(), "--format", "json"]
        wall, cpu, _, _ = run_timed(cmd)
        walls.append(wall)
        cpus.append(cpu)
        store.subcatalogue(profile_for(k), target)  # warm once
        t0 = time.perf_counter()
        store.subcatalogue(profile_for(k), target)
        collect.append(time.perf_counter() - t0)
    print(f"whole `planner recommend`: p50 {pct(walls, 50):.2f} s, p95 {pct(walls, 95):.2f} s wall "
          f"(CPU p50 {pct(cpus, 50):.2f} s, p95 {pct(cpus, 95):.2f} s)")
    print(f"warm sub-catalogue (rows read and checked): p50 {pct(collect, 50) * 1e3:.1f} ms, "
          f"p95 {pct(collect, 95) * 1e3:.1f} ms")

    if not args.no_sweep:
        t0, c0 = time.perf_counter(), time.process_time()
        result = check_store(store)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        items = sum(v for k, v in counts.items() if k != "award")
        print(f"planner validate (every row): {wall:.1f} s wall, {cpu:.1f} s CPU, {items / wall:,.0f} items/s; "
              f"{len(result.problems)} problem(s)")
    store.close()
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
