"""Fuzz fixtures: one memory-limited worker process, seeds from the project and the reference data."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_DIR, ROOT

#: Examples per format: a short profile by default, more with PLANNER_FUZZ_EXAMPLES=N.
EXAMPLES = int(os.environ.get("PLANNER_FUZZ_EXAMPLES", "6"))
#: Address space of the worker: far above what any valid input needs, far below the machine.
MEMORY_LIMIT = 3 * 2**30
#: Seconds one run may take before it counts as a hang (generous: it only catches hangs).
HANG_SECONDS = 120
#: Seeds are cut to this size so that each mutated run stays quick.
SEED_BYTES = 48 * 1024


def reference_dir() -> Path:
    """``PLANNER_REFERENCE_DIR`` or the repository's sibling ``../shared/reference``."""
    return Path(os.environ.get("PLANNER_REFERENCE_DIR") or REFERENCE_DIR)


def reference_seeds(*patterns: str) -> list[tuple[str, bytes]]:
    """Reference files matching glob ``patterns`` (cut to :data:`SEED_BYTES` at a line end)."""
    base = reference_dir()
    out = []
    for pattern in patterns:
        for path in sorted(base.glob(pattern)):
            if path.is_file():
                data = path.read_bytes()
                if len(data) > SEED_BYTES and not data.startswith(b"\x1f\x8b"):
                    data = data[: data.rfind(b"\n", 0, SEED_BYTES) + 1] or data[:SEED_BYTES]
                out.append((path.name, data))
    return out


class Worker:
    """A ``tests/fuzz/_worker.py`` process, restarted after a hang or a crash."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.proc: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(self.cache)}
        return subprocess.Popen([sys.executable, "-m", "tests.fuzz._worker", str(MEMORY_LIMIT)], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, env=env)

    def run(self, request: dict) -> dict:
        """Send one request; return ``{"code", "out", "err"}`` or fail the test on a hang or crash."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], HANG_SECONDS)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.stop()
            kind = "hung" if not ready else "died"
            pytest.fail(f"the planner {kind} on {request}")
        return json.loads(line)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture(scope="session")
def worker(tmp_path_factory: pytest.TempPathFactory):
    w = Worker(tmp_path_factory.mktemp("fuzz-cache"))
    yield w
    w.stop()
