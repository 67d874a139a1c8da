"""Where can I get from here (``planner reach``): latency on the bundled, a 100k and the 1.08M catalogue.

Three figures, each printed with the load average before and after it (the machine is shared):

* **bundled, all targets, warm**: :func:`planner.engine.reach.reach` over every role and
  award of the bundled catalogue (28 searches, the next step's re-searches on top), for
  seeded learners; one untimed call per learner, then ``--repeats`` timed calls. Goal: p95
  ≤ 1 s.
* **synthetic 100k, top 50**: :func:`planner.store.catalogue.reach.run_reach` on a generated
  catalogue of 100,000 credentials in memory (candidates by overlap, the closest searched,
  the next step weighed over the top 50). Goal: ≤ 5 s on 2 cores.
* **1.08M store, top 50, whole process**: ``planner reach --catalogue sqlite:///… --top 50``
  as a new process (interpreter, imports, opening the store, indexed candidate queries,
  searches on sub-catalogues). Goal: ≤ 10 s. The store is built once under
  ``benchmarks/out/`` (minutes, about 2 GB; ``--reuse`` keeps it).

Usage::

    python benchmarks/bench_reach.py                      # all three (builds the 1.08M store if missing)
    python benchmarks/bench_reach.py --parts bundled 100k --repeats 3
    python benchmarks/bench_reach.py --parts store --store benchmarks/out/national-1080000.db
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks` and `planner` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import generate, write_national  # noqa: E402
from planner.catalogue.models import Catalogue, LearnerProfile  # noqa: E402
from planner.engine.reach import ReachOptions, reach  # noqa: E402

START = dt.date(2026, 9, 1)


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def learners(cat: Catalogue, n: int, seed: int) -> list[LearnerProfile]:
    """Seeded learners: a few holdings, a competency they teach or another, some with a weekly-hours cap."""
    rng = random.Random(seed)
    plain = [c for c in cat.credentials if c.award is None and c.teaches and not c.requires]
    out = []
    for _ in range(n):
        held = rng.sample(plain, rng.randint(1, 3))
        comps = [t for c in held for t in c.teaches][:1] + ([rng.choice(cat.competencies)] if rng.random() < .5 else [])
        out.append(LearnerProfile.model_validate({
            "holdings": [{"credential": c.id, "earned": "2026-03-01"} for c in held],
            "competencies": [{"competency": getattr(k, "competency", getattr(k, "id", None)), "level": 2}
                             for k in comps],
            "constraints": {"start": START.isoformat(), **({"hours_per_week": rng.choice([12, 20])}
                                                           if rng.random() < .5 else {})}}))
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds of one call, and its result."""
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w, time.process_time() - c, out


def bench_bundled(repeats: int, n: int, seed: int) -> None:
    from planner.catalogue.loader import load as load_catalogue

    cat = load_catalogue(ROOT / "catalogue")
    before = load()
    walls, cpus, searched, steps = [], [], [], 0
    for profile in learners(cat, n, seed):
        reach(cat, profile)  # untimed first call
        for _ in range(repeats):
            wall, cpu, result = timed(lambda p=profile: reach(cat, p))
            walls.append(wall)
            cpus.append(cpu)
            searched.append(result.searched + (result.next_step.considered if result.next_step else 0))
            assert result.complete and len(result.entries) == len(cat.roles) + len(cat.awards)
        steps += result.next_step is not None
    print(f"| bundled, all {len(cat.roles) + len(cat.awards)} targets, warm | {len(walls)} calls ({n} learners) | "
          f"{sum(searched) / len(searched):.0f} searches/call | p50 {pct(walls, 50):.3f} s, "
          f"p95 {pct(walls, 95):.3f} s, max {max(walls):.3f} s wall (CPU p95 {pct(cpus, 95):.3f} s) | "
          f"goal p95 ≤ 1 s | load {before} → {load()} |")
    print(f"  next step found for {steps} of {n} learners")


def bench_100k(n: int, seed: int, scheduler: Any) -> None:
    from planner.store.catalogue.reach import run_reach

    before = load()
    wall, cpu, cat = timed(lambda: generate(100_000, seed=seed))
    print(f"  generated 100k in {wall:.1f} s wall ({cpu:.1f} s CPU): {len(cat.roles)} roles, {len(cat.awards)} awards"
          f" (load {before})")
    walls, cpus = [], []
    for profile in learners(cat, n, seed):
        before = load()
        wall, cpu, result = timed(lambda p=profile: run_reach(cat, p, ReachOptions(top=50), scheduler=scheduler))
        walls.append(wall)
        cpus.append(cpu)
        print(f"    learner: {result.searched} of {result.within_filters:,} targets searched, {len(result.ranked)} "
              f"listed, next step over {result.next_step.considered if result.next_step else 0}: {wall:.2f} s wall, "
              f"{cpu:.2f} s CPU (load {before} → {load()})")
    print(f"| synthetic 100k, top 50 (scheduler {scheduler or 'serial'}) | {len(walls)} learners | "
          f"p50 {pct(walls, 50):.2f} s, p95 {pct(walls, 95):.2f} s, max {max(walls):.2f} s wall "
          f"(CPU p95 {pct(cpus, 95):.2f} s) | goal ≤ 5 s | "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB |")


def _store_learners(url: str, n: int, seed: int) -> list[list[str]]:
    """Command-line learners drawn by paging the store (never a full list): hold a credential, know what it teaches."""
    from planner.store.catalogue import open_catalogue

    store = open_catalogue(url)
    rng = random.Random(seed)
    try:
        total = store.search("", 1, 1, kinds=("credential",)).total
        out = []
        while len(out) < n:
            hit = store.search("", rng.randrange(total) + 1, 1, kinds=("credential",)).hits[0]
            cred = store.get("credential", hit.id)
            if cred.award is not None or not cred.teaches:
                continue
            flags = ["--have", f"{cred.id}@2026-03-01", "--know", f"{cred.teaches[0].competency}=2"]
            if rng.random() < .5:
                flags += ["--hours-per-week", "20"]
            out.append(flags)
        return out
    finally:
        store.close()


def bench_store(path: Path, n: int, seed: int, reuse: bool) -> None:
    if not (reuse and path.exists()):
        path.parent.mkdir(parents=True, exist_ok=True)
        for f in path.parent.glob(path.name + "*"):
            f.unlink()
        before = load()
        wall, cpu, counts = timed(lambda: write_national(str(path), 1_080_000, seed=0))
        print(f"  built the 1.08M store in {wall:.0f} s wall ({cpu:.0f} s CPU): {counts} (load {before} → {load()})")
    url = f"sqlite:///{path.resolve()}"
    walls, cpus, rss = [], [], []
    for flags in _store_learners(url, n, seed):
        args = [sys.executable, "-m", "planner", "reach", "--catalogue", url, "--start", START.isoformat(),
                "--top", "50", "--format", "json", *flags]
        before = load()
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        out = proc.stdout.read() if proc.stdout else b""  # stderr stays small: no progress bar off a terminal
        err = proc.stderr.read() if proc.stderr else b""
        _, status, usage = os.wait4(proc.pid, 0)  # reap it ourselves, for its own CPU time and peak RSS
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {err.decode()[-600:]}")
        data = json.loads(out)
        walls.append(wall)
        cpus.append(usage.ru_utime + usage.ru_stime)
        rss.append(usage.ru_maxrss / 1024)
        print(f"    {' '.join(flags)}: {data['searched']} of {data['within_filters']:,} targets searched, "
              f"{len(data['ranked'])} listed: {wall:.2f} s wall (load {before} → {load()})")
    print(f"| 1.08M store, top 50, whole process | {len(walls)} learners | p50 {pct(walls, 50):.2f} s, "
          f"p95 {pct(walls, 95):.2f} s, max {max(walls):.2f} s wall | goal ≤ 10 s | peak RSS "
          f"{max(rss):.0f} MB; CPU p95 {pct(cpus, 95):.2f} s |")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks named by ``--parts``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parts = ["bundled", "100k", "store"]
    parser.add_argument("--parts", nargs="+", default=parts, choices=parts)
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per learner (bundled)")
    parser.add_argument("--learners", type=int, default=8, help="learners per catalogue")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scheduler", default=None, help="100k: none (default), local or an address")
    parser.add_argument("--store", type=Path, default=ROOT / "benchmarks" / "out" / "national-1080000.db")
    parser.add_argument("--reuse", action="store_true", help="keep the 1.08M store when it exists")
    args = parser.parse_args(argv)
    print(f"planner reach benchmarks, {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}; load average (1/5/15 min) {load()}")
    if "bundled" in args.parts:
        bench_bundled(args.repeats, args.learners, args.seed)
    if "100k" in args.parts:
        bench_100k(min(args.learners, 5), args.seed, args.scheduler)
    if "store" in args.parts:
        bench_store(args.store, min(args.learners, 5), args.seed, args.reuse)
    return 0


if __name__ == "__main__":
    sys.exit(main())
