"""Rebuilding a compiled catalogue after one file changed: incremental against full validation.

A synthetic catalogue (``synthetic.generate_data``) is written as YAML files of 5,000
credentials each and built into a fresh SQLite store. Then one credentials file changes
and the store is rebuilt twice from the same starting copy: incrementally (the changed
file checked against the store) and with ``full=True`` (the loader validates every file).
Two changes are measured: a title edited (the build succeeds) and a credential that others
require deleted (the build fails with located problems in unchanged files).

    python benchmarks/bench_build.py                      # 100k credentials
    python benchmarks/bench_build.py --credentials 20000 --dir /tmp/bench-build

Wall-clock times depend on what else the machine runs: the CPU time (user + system) of
each build is printed beside it.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic

from planner.store.catalogue.build import BuildResult, build


def timed(label: str, fn) -> tuple[BuildResult, float]:  # type: ignore[no-untyped-def]
    """Run ``fn``, print its wall and CPU seconds, return its result and wall time."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"  {label:<34} {wall:8.2f} s wall  {cpu:8.2f} s cpu")
    return result, wall


def _copy_store(db: Path, to: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(str(to) + suffix).unlink(missing_ok=True)
    shutil.copy(db, to)
    return f"sqlite:///{to}"


def compare(name: str, src: Path, db: Path, work: Path, edit) -> None:  # type: ignore[no-untyped-def]
    """Apply ``edit`` to a copy of the folder; rebuild a copy of the store both ways."""
    print(f"{name}:")
    folder = work / "cat"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(src, folder)
    changed = edit(folder)
    # the store was built from ``src``: build the edited copy under the same file names
    swap = work / "orig"
    shutil.rmtree(swap, ignore_errors=True)
    src.rename(swap)
    folder.rename(src)
    try:
        inc, t_inc = timed("incremental", lambda: build([src], _copy_store(db, work / "inc.db")))
        full, t_full = timed("full validation (full=True)", lambda: build([src], _copy_store(db, work / "full.db"),
                                                                           full=True))
    finally:
        src.rename(folder)
        swap.rename(src)
    assert inc.ok == full.ok and [str(p) for p in inc.problems] == [str(p) for p in full.problems]
    errors = sum(p.is_error for p in inc.problems)
    print(f"  changed {changed}; ok={inc.ok}, {errors} error(s); incremental rechecked {len(inc.rechecked)} "
          f"unchanged file(s); speed-up {t_full / t_inc:.1f}x")


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/bench-build"))
    args = parser.parse_args(argv)
    src, db, work = args.dir / "catalogue", args.dir / "store.db", args.dir / "work"
    print(f"{platform.node()} {platform.machine()} {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}; "
          f"{args.credentials} credentials")
    shutil.rmtree(args.dir, ignore_errors=True)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    files = synthetic.write_yaml(synthetic.generate_data(args.credentials, seed=args.seed), src)
    print(f"wrote {len(files)} YAML files in {time.perf_counter() - t0:.1f} s")
    first, _ = timed("first build (new store, full)", lambda: build([src], f"sqlite:///{db}"))
    assert first.ok, first.problems[:3]
    print(f"  store {db.stat().st_size / 1e6:.0f} MB, {first.items} items")
    target = next(f for f in files if "credentials" in f.name and f != files[2])

    def retitle(folder: Path) -> str:
        path = folder / target.name
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^  title: .*$", "  title: A revised title", text, count=1), encoding="utf-8")
        return f"one title in {target.name}"

    def drop_required(folder: Path) -> str:
        # the first credential of the file that another credential requires
        required = set(re.findall(r"credential: (\S+)", "".join(
            f.read_text(encoding="utf-8") for f in folder.glob("02-credentials-*.yaml") if f.name != target.name)))
        path = folder / target.name
        text = path.read_text(encoding="utf-8")
        blocks = re.split(r"(?m)^(?=- id: )", text)
        gone = next(b for b in blocks if b.startswith("- id: ") and b.split()[2] in required)
        path.write_text(text.replace(gone, "", 1), encoding="utf-8")
        return f"credential {gone.split()[2]} deleted from {target.name}"

    compare("edit a title", src, db, work, retitle)
    compare("delete a required credential", src, db, work, drop_required)
    print(f"load at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
