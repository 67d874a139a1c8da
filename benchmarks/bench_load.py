"""Benchmark catalogue loading: wall time and peak memory of ``planner.catalogue.loader.validate``.

Each catalogue is loaded in a fresh Python process, so that the peak RSS
(``resource.getrusage``) belongs to that catalogue alone. Catalogues: the bundled
sample, a seeded synthetic 10k-credential catalogue and, with ``--large``, a 100k one
(written with ``benchmarks/synthetic.py`` into a temporary directory, or reused from
``--cache DIR``). The timed part is ``validate(path)``: reading the files, the safe
YAML parse with positions, pydantic validation and the meaning checks.

Usage::

    python benchmarks/bench_load.py                  # bundled + 10k
    python benchmarks/bench_load.py --large          # bundled + 10k + 100k
    python benchmarks/bench_load.py --repeats 5 --cache /tmp
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 1


def measure_one(path: str) -> dict[str, float | int]:
    """Validate one catalogue in this process and return time, peak RSS and counts.

    Parameters
    ----------
    path : str
        Catalogue directory.

    Returns
    -------
    dict
        ``seconds`` (wall time of ``validate``), ``peak_rss_mb`` (process peak so far),
        ``baseline_rss_mb`` (peak before loading, i.e. the interpreter and imports),
        ``problems`` and ``credentials``.

    """
    from planner.catalogue.loader import validate  # imported before the baseline is taken

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    report = validate(path)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    catalogue = report.catalogue
    return {
        "seconds": seconds,
        "peak_rss_mb": peak / 1024,
        "baseline_rss_mb": baseline / 1024,
        "problems": len(report.problems),
        "credentials": len(catalogue.credentials) if catalogue is not None else -1,
    }


def _run_child(path: Path) -> dict[str, float | int]:
    """Measure one load in a fresh interpreter (so peak RSS is not shared)."""
    out = subprocess.run([sys.executable, __file__, "--one", str(path)], check=True,
                         capture_output=True, text=True)
    result: dict[str, float | int] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _synthetic(n: int, root: Path) -> Path:
    """Directory of a seeded synthetic catalogue of ``n`` credentials (generated once)."""
    out = root / f"bench_load_cat{n}_seed{SEED}"
    if not any(out.glob("*.yaml")):
        subprocess.run([sys.executable, str(HERE / "synthetic.py"), "--credentials", str(n),
                        "--seed", str(SEED), "--out", str(out)], check=True, capture_output=True)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status (0).

    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also load a 100k-credential catalogue")
    parser.add_argument("--repeats", type=int, default=3, help="loads per catalogue (default 3)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="directory to keep generated catalogues in (default: a temporary one)")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # child-process mode
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure_one(args.one)))
        return 0

    from planner.catalogue.loader import default_catalogue_dir

    with tempfile.TemporaryDirectory() as tmp:
        root = args.cache if args.cache is not None else Path(tmp)
        targets: list[tuple[str, Path]] = [("bundled", default_catalogue_dir())]
        sizes = [10_000] + ([100_000] if args.large else [])
        for n in sizes:
            targets.append((f"synthetic {n:,}", _synthetic(n, root)))
        print("| catalogue | credentials | problems | load s (median) | load s (min) "
              "| peak RSS MB | interpreter+imports MB |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for label, path in targets:
            runs = [_run_child(path) for _ in range(max(1, args.repeats))]
            times = [float(r["seconds"]) for r in runs]
            first = runs[0]
            print(f"| {label} | {first['credentials']} | {first['problems']} "
                  f"| {statistics.median(times):.2f} | {min(times):.2f} "
                  f"| {max(float(r['peak_rss_mb']) for r in runs):.0f} "
                  f"| {float(first['baseline_rss_mb']):.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
