"""Benchmark the route engine: latency, memory and cost against a greedy baseline.

From one run, prints a Markdown table with, per catalogue (the bundled one, then
synthetic catalogues of the requested sizes):

* load (bundled: ``planner.catalogue.loader.load``) or generation + validation time;
* ``planner.engine.routing.recommend`` latency p50 / p95 for a single route and for k = 5
  alternatives (objective: cost), over a seeded set of role and award targets and learner
  profiles, timed warm: one untimed call per target first (its time is reported as
  "first call"), then ``--repeats`` timed calls each. ``recommend`` prunes, solves,
  schedules and explains, so the bundled row is "recommend + schedule + explain";
* peak memory: the process's peak RSS so far (``getrusage``) and the peak Python
  allocation of one recommend call (``tracemalloc``, measured on a separate untimed call);
* the cost ratio optimiser / greedy (mean, min, max) over targets where both find a route,
  and how often optimality was proved.

Targets from the issue, on 2 cores: bundled ≤ 50 ms p95 warm; 100k credentials ≤ 300 ms
p95 after loading.

Usage::

    python benchmarks/bench_recommend.py                 # bundled + 1k, 10k, 100k
    python benchmarks/bench_recommend.py --quick         # bundled + 1k, 10k; fewer repeats
    python benchmarks/bench_recommend.py --sizes 1000 --repeats 3 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import math
import os
import pstats
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks` and `planner` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.greedy import Greedy  # noqa: E402
from benchmarks.synthetic import generate, generate_data, write_yaml  # noqa: E402
from planner.catalogue.models import Catalogue, LearnerProfile, Objective, Target  # noqa: E402

START = dt.date(2026, 9, 1)


@dataclass
class Row:
    """Measurements for one catalogue."""

    name: str
    credentials: int
    load_s: float
    targets: int = 0
    feasible: int = 0
    infeasible_s: list[float] = field(default_factory=list)  # k=1 calls that found no route
    single: list[float] = field(default_factory=list)  # seconds
    multi: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    rss_mb: float = 0.0
    alloc_mb: float = 0.0
    ratios: list[float] = field(default_factory=list)
    worse: list[str] = field(default_factory=list)  # targets where the optimiser cost more than greedy
    proved: int = 0
    routes: int = 0
    errors: list[str] = field(default_factory=list)


def _rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS)
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (seconds) in milliseconds."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1] * 1000


def make_queries(cat: Catalogue, n_targets: int, seed: int,
                 hours: Sequence[float | None] = (None, 20.0, 12.0)) -> list[tuple[Target, LearnerProfile]]:
    """A seeded mix of role and award targets, each with a plausible learner profile.

    Half the learners hold one credential that teaches a competency the target needs (or
    a component of the award), earned recently; some declare a competency at level 1–2.
    Every learner starts on 2026-09-01 with a weekly-hours cap drawn from ``hours``
    (``None``: no cap); no budget, so the optimiser and the greedy baseline (which ignores
    hours) answer the same selection question.
    """
    rng = random.Random(seed)
    roles = sorted(r.id for r in cat.roles)
    awards = sorted(a.id for a in cat.awards)
    picked_roles = rng.sample(roles, min(len(roles), (n_targets + 1) // 2))
    picked_awards = rng.sample(awards, min(len(awards), n_targets - len(picked_roles)))
    if len(picked_roles) + len(picked_awards) < n_targets:  # few awards: fill up with roles
        rest = [r for r in roles if r not in picked_roles]
        picked_roles += rng.sample(rest, min(len(rest), n_targets - len(picked_roles) - len(picked_awards)))
    teachers: dict[str, list[str]] = {}
    for cred in cat.credentials:
        if cred.award is None:
            for t in cred.teaches:
                teachers.setdefault(t.competency, []).append(cred.id)
    queries: list[tuple[Target, LearnerProfile]] = []
    for kind, ids in (("role", picked_roles), ("award", picked_awards)):
        for tid in ids:
            constraints: dict[str, Any] = {"start": START.isoformat()}
            cap = rng.choice(list(hours))
            if cap is not None:
                constraints["hours_per_week"] = cap
            profile: dict[str, Any] = {"constraints": constraints}
            if kind == "role":
                needs = cat.role(tid).needs
                comps = [n.competency for n in needs]
            else:
                comps = []
                needs = []
            if rng.random() < 0.5:
                pool = sorted({c for comp in comps for c in teachers.get(comp, [])})
                if kind == "award":
                    pool = sorted(_rule_credentials(cat.credential(tid).award.rule))  # type: ignore[union-attr]
                    pool = [c for c in pool if cat.credential(c).award is None]
                if pool:
                    held = rng.choice(pool)
                    earned = START - dt.timedelta(days=rng.randint(30, 700))
                    profile["holdings"] = [{"credential": held, "earned": earned.isoformat()}]
            if needs and rng.random() < 0.4:
                need = rng.choice(needs)
                profile["competencies"] = [{"competency": need.competency, "level": min(need.level, 2)}]
            queries.append((Target(kind=kind, id=tid), LearnerProfile.model_validate(profile)))
    return queries


def _rule_credentials(rule: Any) -> set[str]:
    found: set[str] = set()
    stack = [rule]
    while stack:
        node = stack.pop()
        if hasattr(node, "all_of"):
            stack.extend(node.all_of)
        elif hasattr(node, "of"):
            stack.extend(node.of)
        elif hasattr(node, "from_"):
            found.update(node.from_)
        else:
            found.add(node.credential)
    return found


def _recommend() -> Callable[..., Any] | None:
    try:
        from planner.engine.routing import recommend
    except ImportError:
        return None
    return recommend


def bench_catalogue(name: str, cat: Catalogue, load_s: float, *, n_targets: int, repeats: int,
                    seed: int, recommend: Callable[..., Any], profiler: cProfile.Profile | None,
                    hours: Sequence[float | None]) -> Row:
    """Time recommend on one catalogue and compare its costs with the greedy baseline."""
    row = Row(name, len(cat.credentials), load_s)
    queries = make_queries(cat, n_targets, seed, hours)
    row.targets = len(queries)
    greedy = Greedy(cat)
    for target, profile in queries:
        try:
            t0 = time.perf_counter()
            rec = recommend(cat, profile, target, objective=Objective.COST, alternatives=1)
            row.first.append(time.perf_counter() - t0)
        except Exception as exc:  # a crash is a finding: report it, keep measuring the rest
            row.errors.append(f"{target}: {type(exc).__name__}: {exc}")
            continue
        for _ in range(repeats):
            for k, bucket in ((1, row.single), (5, row.multi)):
                gc.collect()  # keep collector pauses of earlier work out of the timings
                if profiler is not None and k == 1:
                    profiler.enable()
                t0 = time.perf_counter()
                rec_k = recommend(cat, profile, target, objective=Objective.COST, alternatives=k)
                bucket.append(time.perf_counter() - t0)
                if k == 1 and not rec_k.routes:
                    row.infeasible_s.append(bucket[-1])
                if profiler is not None and k == 1:
                    profiler.disable()
                if k == 5:
                    row.routes += len(rec_k.routes)
                    row.proved += sum(1 for r in rec_k.routes if r.proved_optimal)
        print(f"    {name} {target}: first {row.first[-1] * 1000:.0f} ms, k=1 last {row.single[-1] * 1000:.0f} ms, "
              f"k=5 last {row.multi[-1] * 1000:.0f} ms", file=sys.stderr, flush=True)
        if rec.best is None:
            continue
        row.feasible += 1
        base = greedy.route(profile, target, today=START)
        if base.met and base.cost > 0:
            ratio = rec.best.total_cost / base.cost
            row.ratios.append(ratio)
            if ratio > 1 + 1e-6:
                row.worse.append(f"{target} optimiser {rec.best.total_cost:.0f} > greedy {base.cost:.0f} "
                                 f"(greedy: {', '.join(base.credential_ids)}; optimiser: "
                                 f"{', '.join(rec.best.credential_ids)})")
    # peak Python allocation of one warm call (untimed: tracemalloc slows everything down)
    if queries and not row.errors:
        target, profile = queries[0]
        tracemalloc.start()
        recommend(cat, profile, target, objective=Objective.COST, alternatives=5)
        row.alloc_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    row.rss_mb = _rss_mb()
    return row


#: Stages of recommend, found by (file suffix, function) in the profile.
STAGES = (
    ("planner/engine/problem.py", "build_problem", "prune: problem.build_problem"),
    ("planner/engine/selection.py", "solve", "select: selection.solve"),
    ("planner/engine/schedule.py", "schedule_route", "schedule: schedule.schedule_route"),
    ("planner/engine/explain.py", "explain_steps", "explain: explain.explain_steps"),
    ("planner/engine/diagnose.py", "diagnose", "diagnose (no route): diagnose.diagnose"),
)


def stage_breakdown(stats: pstats.Stats, n_calls: int) -> str:
    """A Markdown table of where recommend spends its time, by stage."""
    total = sum(ct for (path, _, name), (_, _, _, ct, _) in stats.stats.items()  # type: ignore[attr-defined]
                if path.endswith("planner/engine/routing.py") and name == "recommend")
    lines = ["| stage | calls | total s | ms per recommend | share |", "|---|---|---|---|---|"]
    for suffix, func, label in STAGES:
        calls, cum = 0, 0.0
        for (path, _, name), (_, nc, _, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
            if path.endswith(suffix) and name == func:
                calls += nc
                cum += ct
        share = f"{cum / total:.0%}" if total else "–"
        lines.append(f"| {label} | {calls} | {cum:.2f} | {cum / max(n_calls, 1) * 1000:.1f} | {share} |")
    lines.append(f"| recommend (all) | {n_calls} | {total:.2f} | {total / max(n_calls, 1) * 1000:.1f} | 100% |")
    return "\n".join(lines)


def render(rows: Sequence[Row]) -> str:
    """The Markdown table of all rows."""
    head = ("| catalogue | credentials | load / generate s | targets (feasible) | first call ms "
            "| k=1 p50 ms | k=1 p95 ms | k=1 max ms | k=5 p50 ms | k=5 p95 ms | k=5 max ms | peak RSS MB "
            "| recommend peak alloc MB "
            "| no route: n, median ms | cost optimiser/greedy mean (min–max) | proved optimal |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        if r.ratios:
            ratio = (f"{statistics.fmean(r.ratios):.3f} ({min(r.ratios):.3f}–{max(r.ratios):.3f}, "
                     f"n={len(r.ratios)})")
        else:
            ratio = "–"
        proved = f"{r.proved}/{r.routes}" if r.routes else "–"
        first = f"{statistics.median(r.first) * 1000:.0f} (max {max(r.first) * 1000:.0f})" if r.first else "–"
        nothing = (f"{r.targets - r.feasible}, {statistics.median(r.infeasible_s) * 1000:.0f}"
                   if r.infeasible_s else f"{r.targets - r.feasible}")
        lines.append(
            f"| {r.name} | {r.credentials:,} | {r.load_s:.2f} | {r.targets} ({r.feasible}) | {first} "
            f"| {_pct(r.single, 50):.1f} | {_pct(r.single, 95):.1f} | {_pct(r.single, 100):.0f} "
            f"| {_pct(r.multi, 50):.1f} | {_pct(r.multi, 95):.1f} | {_pct(r.multi, 100):.0f} "
            f"| {r.rss_mb:.0f} | {r.alloc_mb:.1f} | {nothing} | {ratio} | {proved} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (and notes) to stdout."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=None,
                        help="comma-separated synthetic sizes (default 1000,10000,100000; "
                        "--quick: 1000,10000)")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls per target and k (default 5)")
    parser.add_argument("--targets", type=int, default=None, help="targets per catalogue (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the catalogues and queries")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, 2 repeats, 8 targets")
    parser.add_argument("--hours", default="none,20,12",
                        help="weekly-hours caps the seeded learners draw from, 'none' for no cap "
                        "(default none,20,12)")
    parser.add_argument("--load-yaml", action="store_true",
                        help="write each synthetic catalogue as YAML and time planner.catalogue.loader.load on it "
                        "(the 'load' column then shows the loader, not the generator)")
    parser.add_argument("--no-bundled", action="store_true", help="skip the bundled catalogue")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the k=1 calls on the largest catalogue and print the top functions")
    args = parser.parse_args(argv)
    try:
        default = "1000,10000" if args.quick else "1000,10000,100000"
        sizes = [int(s) for s in (args.sizes or default).split(",")]
    except ValueError:
        parser.error("--sizes takes comma-separated whole numbers, such as 1000,10000")
    if any(s < 1 for s in sizes):
        parser.error("--sizes must be positive")
    try:
        hours = [None if h.strip().lower() == "none" else float(h) for h in args.hours.split(",")]
    except ValueError:
        parser.error("--hours takes comma-separated numbers or 'none', such as none,20,12")
    repeats = args.repeats or (2 if args.quick else 5)
    n_targets = args.targets or (8 if args.quick else 20)

    recommend = _recommend()
    if recommend is None:
        print("planner.engine.routing.recommend is not available yet; nothing to time.", file=sys.stderr)
        return 1

    print(f"# recommend benchmark — {dt.datetime.now():%Y-%m-%d %H:%M}, python {sys.version.split()[0]}, "
          f"seed {args.seed}, {repeats} repeats, {n_targets} targets per catalogue, objective cost, "
          f"weekly-hours caps {args.hours}, load average {_load()}\n", flush=True)
    rows: list[Row] = []
    if not args.no_bundled:
        from planner.catalogue.loader import load

        t0 = time.perf_counter()
        cat = load(ROOT / "catalogue")
        rows.append(bench_catalogue("bundled", cat, time.perf_counter() - t0, n_targets=n_targets,
                                    repeats=repeats, seed=args.seed, recommend=recommend, profiler=None,
                                    hours=hours))
        print(f"  bundled done: k=1 p95 {_pct(rows[-1].single, 95):.1f} ms", file=sys.stderr, flush=True)
    profiler: cProfile.Profile | None = None
    for size in sizes:
        if args.load_yaml:
            from planner.catalogue.loader import load

            with tempfile.TemporaryDirectory() as tmp:
                write_yaml(generate_data(size, seed=args.seed), Path(tmp))
                t0 = time.perf_counter()
                cat = load(tmp)
                load_s = time.perf_counter() - t0
        else:
            t0 = time.perf_counter()
            cat = generate(size, seed=args.seed)
            load_s = time.perf_counter() - t0
        if args.profile and size == max(sizes):
            profiler = cProfile.Profile()
        rows.append(bench_catalogue(f"synthetic {size // 1000}k" if size >= 1000 else f"synthetic {size}",
                                    cat, load_s, n_targets=n_targets, repeats=repeats, seed=args.seed,
                                    recommend=recommend, profiler=profiler if size == max(sizes) else None,
                                    hours=hours))
        print(f"  {size} done: k=1 p95 {_pct(rows[-1].single, 95):.1f} ms", file=sys.stderr, flush=True)
        del cat
        gc.collect()

    print(render(rows))
    print("\nTargets: bundled ≤ 50 ms p95 warm (recommend + schedule + explain); "
          "100k ≤ 300 ms p95 after loading.")
    print(f"Load average at the end: {_load()} on {os.cpu_count()} cores (other work inflates the timings).")
    for r in rows:
        for line in r.worse:
            print(f"\nWARNING {r.name}: {line}")
        for line in r.errors[:10]:
            print(f"\nERROR {r.name}: {line}")
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
        n_calls = len(rows[-1].single)
        print(f"\n## Where the time goes: k=1 calls on {rows[-1].name} (cProfile, {n_calls} calls)\n")
        print(stage_breakdown(stats, n_calls))
        print("\n```")
        print(out.getvalue().replace(str(ROOT) + "/", ""))
        print("```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
