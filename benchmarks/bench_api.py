"""The HTTP API under load: concurrent clients asking ``POST /routes`` of the 1.08M compiled catalogue.

``planner serve --workers 2`` runs on the national store (``benchmarks/bench_scale.py`` builds
it: minutes and ~2 GB under ``benchmarks/out/``); 50 clients (asyncio + httpx, one
connection each) post route questions with k = 1, one after another, for 60 s. Printed:
throughput, latency p50/p95/p99, errors (any status but 200, or no answer), the RSS of each
worker process, and the CPU time they used; with the load average at the start and the end,
since the machine is shared (and the load generator itself runs on the same cores).

    python benchmarks/bench_api.py                          # finds a national-1080000.db already built
    python benchmarks/bench_api.py --store benchmarks/out/national-1080000.db --clients 50 --seconds 60
    python benchmarks/bench_api.py --store benchmarks/out/national-100000.db --seconds 20

The store is only read (an SQLite file in WAL mode; no row is written). Goal: p95 <= 300 ms
and no errors.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import glob
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import pct, pick_targets

ROOT = Path(__file__).resolve().parents[1]
START = dt.date(2026, 9, 1)
NAME = "national-1080000.db"


def find_store() -> Path | None:
    """A national store already built here, by another checkout, or under /tmp (read, never changed)."""
    candidates = [ROOT / "benchmarks" / "out" / NAME,
                  *map(Path, sorted(glob.glob(f"/work/wt/*/benchmarks/out/{NAME}"))),
                  *map(Path, sorted(glob.glob("/tmp/*/national*.db")))]
    return next((p for p in candidates if p.is_file() and p.stat().st_size > 1e9), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    """The uvicorn worker processes under the server (its children, then theirs)."""
    out: list[int] = []
    for status in glob.glob("/proc/[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in Path(status).read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields.get("PPid", "0").strip()) == pid:
            child = int(fields["Pid"].strip())
            out += [child, *children(child)]
    return out


def memory_and_cpu(pid: int) -> tuple[float, float, float]:
    """(RSS MB, peak RSS MB, CPU seconds) of one process."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024,
            (int(stat[11]) + int(stat[12])) / ticks)


async def load(url: str, questions: list[dict], clients: int, seconds: float) -> tuple[list[float], list[str], float]:
    """Each client posts questions one after another until ``seconds`` have passed; latencies and errors."""
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    async def client(k: int) -> None:
        rng = random.Random(k)
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            while time.perf_counter() < stop:
                question = rng.choice(questions)
                t0 = time.perf_counter()
                try:
                    answer = await http.post("/routes", json=question)
                    if answer.status_code != 200:
                        errors.append(f"{answer.status_code}: {answer.text[:120]}")
                except httpx.HTTPError as exc:
                    errors.append(type(exc).__name__)
                latencies.append(time.perf_counter() - t0)

    start = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(clients)))
    return latencies, errors, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help=f"a compiled catalogue (default: a {NAME} already built)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--targets", type=int, default=40, help="distinct questions (half roles, half awards)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    store_path = args.store or find_store()
    if store_path is None or not store_path.is_file():
        sys.exit("no compiled store: build one with 'python benchmarks/bench_scale.py --sizes 1080000', or --store")
    url = f"sqlite:///{store_path.resolve()}"
    from planner.store.catalogue import open_catalogue

    store = open_catalogue(url)
    targets = pick_targets(store, args.targets, args.seed)
    credentials = store.counts()["credential"]
    store.close()
    questions = [{"target": str(t), "alternatives": 1, "time_limit": 10,
                  "profile": {"constraints": {"start": START.isoformat(), **({"hours_per_week": 20} if k % 2 else {})}}}
                 for k, t in enumerate(targets)]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        env = {**os.environ, "PLANNER_DATABASE_URL": f"sqlite:///{tmp}/records.sqlite3", "PLANNER_API_OPEN": "true"}
        env.pop("PLANNER_OIDC_ISSUER", None)
        server = subprocess.Popen([sys.executable, "-m", "planner", "serve", "--catalogue", url, "--port", str(port),
                                   "--workers", str(args.workers), "--log-level", "warning"], cwd=ROOT, env=env,
                                  start_new_session=True)
        try:
            import httpx

            deadline = time.monotonic() + 180
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("the server did not start")
                time.sleep(0.5)
            # uvicorn's worker processes (not multiprocessing's resource tracker)
            workers = [p for p in children(server.pid)
                       if b"resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes()]
            for question in questions:  # each question once per worker, untimed (first use of its pages)
                for _ in range(args.workers):
                    httpx.post(f"{base}/routes", json=question, timeout=120).raise_for_status()
            before = {p: memory_and_cpu(p) for p in workers}
            load_start = os.getloadavg()
            cpu_start = time.process_time()
            latencies, errors, wall = asyncio.run(load(base, questions, args.clients, args.seconds))
            client_cpu = time.process_time() - cpu_start
            load_end = os.getloadavg()
            after = {p: memory_and_cpu(p) for p in workers}
        finally:
            server.terminate()
            server.wait(30)
    ms = [x * 1000 for x in latencies]
    print(f"POST /routes k=1 on {credentials:,} credentials ({store_path}), {args.workers} workers, "
          f"{args.clients} clients, {wall:.0f} s, {len(targets)} targets")
    print(f"  requests {len(ms):,}  throughput {len(ms) / wall:.1f}/s  errors {len(errors)}"
          + (f" (first: {errors[0]})" if errors else ""))
    print(f"  latency p50 {pct(ms, 50):.0f} ms  p95 {pct(ms, 95):.0f} ms  p99 {pct(ms, 99):.0f} ms  "
          f"max {max(ms):.0f} ms  (goal p95 <= 300 ms, 0 errors)")
    for p in workers:
        rss, peak, cpu = after[p]
        print(f"  worker {p}: RSS {rss:.0f} MB (peak {peak:.0f} MB), CPU {cpu - before[p][2]:.1f} s during the load")
    print(f"  load generator CPU {client_cpu:.1f} s; load average {load_start[0]:.2f} at the start, "
          f"{load_end[0]:.2f} at the end ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
