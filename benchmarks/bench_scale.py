"""National scale: a compiled catalogue of 100k and 1.08M credentials, measured end to end.

For each size: build time and database size (the national generator streaming into an
SQLite store); ``planner recommend`` as a whole new process (cold start: interpreter,
imports, opening the store, the sub-catalogue, the engine) p50/p95 over the targets;
warm ``recommend`` p50/p95 for k = 1 and k = 5 in one process with the store open; peak
RSS; explore search latency (first and fifth page); and a check that a sample of routes
equals those from the in-memory catalogue of the same data (each target's field of study
is a complete catalogue: fields never reference each other).

    python benchmarks/bench_scale.py                       # 100k and 1.08M (builds take minutes)
    python benchmarks/bench_scale.py --sizes 100000 --targets 20
    python benchmarks/bench_scale.py --reuse               # keep stores already built in --dir

Wall-clock times depend on what else the machine runs: the CPU time (user + system) of
each measurement is printed beside it, and the load average at the start and the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic

from planner.catalogue.models import Catalogue, Constraints, LearnerProfile, Target
from planner.engine.results import to_jsonable
from planner.engine.routing import recommend
from planner.store.catalogue import open_catalogue

START = dt.date(2026, 9, 1)
ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["data", "data ana", "certificate", "health safety", "advanced planning", "energy", "master",
           "digital reporting", "quality", "logistics operations"]


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def run_timed(args: list[str]) -> tuple[float, float, int, str]:
    """Run a process under our own wait4 to get its CPU time and peak RSS."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {err.decode()[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out.decode()


def db_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def pick_targets(store, n: int, seed: int) -> list[Target]:
    """Half roles, half awards, drawn by page through the store's index (never a full list)."""
    rng = random.Random(seed)
    roles = store.search("", 1, 1, kinds=("role",)).total
    awards = store.search("", 1, 1, kinds=("credential",), awards_only=True).total
    out = []
    for k in range(n):
        if k % 2 == 0:
            hit = store.search("", rng.randrange(roles) + 1, 1, kinds=("role",)).hits[0]
            out.append(Target(kind="role", id=hit.id))
        else:
            hit = store.search("", rng.randrange(awards) + 1, 1, kinds=("credential",), awards_only=True).hits[0]
            out.append(Target(kind="award", id=hit.id))
    return out


def profile_for(k: int) -> LearnerProfile:
    return LearnerProfile(constraints=Constraints(start=START, hours_per_week=20.0 if k % 2 else None))


def field_of(target: Target) -> int:
    return int((target.id or "")[1:5])


def bench(size: int, args: argparse.Namespace) -> dict[str, object]:
    db = Path(args.dir) / f"national-{size}.db"
    url = f"sqlite:///{db}"
    row: dict[str, object] = {"size": size}
    if not (args.reuse and db.exists()):
        for p in db.parent.glob(db.name + "*"):
            p.unlink()
        wall, cpu, rss, _ = run_timed([sys.executable, "benchmarks/synthetic.py", "--credentials", str(size),
                                       "--seed", str(args.seed), "--into", url])
        row.update(build_s=wall, build_cpu_s=cpu, build_rss_mb=rss / 1024)
    row["db_mb"] = db_size(db) / 1e6

    store = open_catalogue(url)
    targets = pick_targets(store, args.targets, args.seed)

    # whole process, cold start: a new interpreter per question
    cold, cold_cpu, cold_rss = [], [], []
    for k, target in enumerate(targets):
        cmd = [sys.executable, "-m", "planner", "recommend", "--catalogue", url, "--target", str(target),
               "-k", "1", "--start", START.isoformat(), "--format", "json"]
        if k % 2:
            cmd += ["--hours-per-week", "20"]
        wall, cpu, rss, _ = run_timed(cmd)
        cold.append(wall)
        cold_cpu.append(cpu)
        cold_rss.append(rss / 1024)
    row.update(cold_p50=pct(cold, 50), cold_p95=pct(cold, 95), cold_cpu_p50=pct(cold_cpu, 50),
               cold_cpu_p95=pct(cold_cpu, 95), cold_rss_mb=max(cold_rss))

    # warm: one process, store open
    for k_routes in (1, 5):
        walls, cpus = [], []
        for k, target in enumerate(targets):
            profile = profile_for(k)
            store.recommend(profile, target, alternatives=k_routes, today=START)  # first call untimed
            for _ in range(args.repeats):
                t0, c0 = time.perf_counter(), time.process_time()
                store.recommend(profile, target, alternatives=k_routes, today=START)
                walls.append(time.perf_counter() - t0)
                cpus.append(time.process_time() - c0)
        row[f"warm{k_routes}_p50"], row[f"warm{k_routes}_p95"] = pct(walls, 50), pct(walls, 95)
        row[f"warm{k_routes}_cpu_p95"] = pct(cpus, 95)

    # explore search: first and fifth page of 20
    lat = []
    for q in QUERIES:
        for page in (1, 5):
            t0 = time.perf_counter()
            store.search(q, page, 20)
            lat.append(time.perf_counter() - t0)
    row.update(search_p50=pct(lat, 50), search_p95=pct(lat, 95))
    row["warm_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # routes equal those of the in-memory catalogue of the same data (the target's field)
    same = checked = 0
    fields: dict[int, Catalogue] = {}
    for k, target in enumerate(targets[: args.check]):
        f = field_of(target)
        if f not in fields:
            fields[f] = Catalogue.model_validate(synthetic.national_field(size, f, seed=args.seed))
        a = recommend(fields[f], profile_for(k), target, alternatives=3, today=START)
        b = store.recommend(profile_for(k), target, alternatives=3, today=START)
        checked += 1
        same += (to_jsonable(a.routes) == to_jsonable(b.routes) and a.diagnoses == b.diagnoses
                 and a.candidates == b.candidates)
    row.update(checked=checked, same=same)
    store.close()
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_080_000])
    parser.add_argument("--targets", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--check", type=int, default=10, help="targets whose routes are compared in memory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dir", default="/tmp/planner-bench", help="where the stores are built")
    parser.add_argument("--reuse", action="store_true", help="keep a store already built in --dir")
    args = parser.parse_args(argv)
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    load0 = os.getloadavg()
    print(f"# bench_scale {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {platform.platform()}; "
          f"{os.cpu_count()} cores; Python {platform.python_version()}; load average {load0[0]:.1f}", flush=True)
    rows = []
    for size in args.sizes:
        rows.append(bench(size, args))
        print(json.dumps(rows[-1]), flush=True)
    load1 = os.getloadavg()
    print("\n| credentials | build s (CPU s) | DB MB | whole process p50 / p95 s (CPU p95 s) | warm k=1 p50 / p95 ms "
          "| warm k=5 p50 / p95 ms | peak RSS MB (CLI / warm / build) | search p50 / p95 ms | routes equal |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        build = f"{r['build_s']:.0f} ({r['build_cpu_s']:.0f})" if "build_s" in r else "reused"
        build_rss = f"{r['build_rss_mb']:.0f}" if "build_rss_mb" in r else "–"
        print(f"| {r['size']:,} | {build} | {r['db_mb']:.0f} | {r['cold_p50']:.2f} / {r['cold_p95']:.2f} "
              f"({r['cold_cpu_p95']:.2f}) | {r['warm1_p50'] * 1e3:.0f} / {r['warm1_p95'] * 1e3:.0f} "
              f"| {r['warm5_p50'] * 1e3:.0f} / {r['warm5_p95'] * 1e3:.0f} "
              f"| {r['cold_rss_mb']:.0f} / {r['warm_rss_mb']:.0f} / {build_rss} "
              f"| {r['search_p50'] * 1e3:.1f} / {r['search_p95'] * 1e3:.1f} | {r['same']}/{r['checked']} |")
    print(f"\nload average at start {load0[0]:.1f}, at end {load1[0]:.1f} (1-minute)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
