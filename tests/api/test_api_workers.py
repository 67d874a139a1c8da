"""``planner serve --workers N``: each worker accepts its own connections, and all stop together.

With one listening socket shared by the workers, whichever wakes first accepts, and long-lived
client connections can all land on one worker while the other idles
(``benchmarks/bench_api.py``). Each worker here listens on its own ``SO_REUSEPORT``
socket; the test reads the kernel's socket table (``/proc/net/tcp``) to see who listens.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from planner.api.workers import reuse_port_supported
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not reuse_port_supported() or not Path("/proc/net/tcp").exists(),
                                reason="SO_REUSEPORT and /proc are Linux's; elsewhere uvicorn's shared socket is used")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields.get("PPid", "0")) == pid and b"resource_tracker" not in (status.parent / "cmdline").read_bytes():
            out.append(int(fields["Pid"]))
    return out


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # 0A: LISTEN
            inodes.add(fields[9])
    return inodes


def _sockets_of(pid: int) -> set[str]:
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def test_each_worker_listens_on_its_own_socket_and_all_stop_on_sigterm(tmp_path):
    import httpx

    port = _free_port()
    env = {**os.environ, "PLANNER_DATABASE_URL": f"sqlite:///{tmp_path / 'records.sqlite3'}",
           "PLANNER_API_OPEN": "true", "PLANNER_API_SCHEDULER": "none"}
    env.pop("PLANNER_OIDC_ISSUER", None)
    env.pop("PLANNER_CATALOGUE", None)
    proc = subprocess.Popen([sys.executable, "-m", "planner", "serve", "--port", str(port), "--workers", "2",
                             "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "no /health"
            time.sleep(0.3)
        while len(_listening_inodes(port)) < 2 and time.monotonic() < deadline:
            time.sleep(0.3)  # the second worker may still be starting
        workers = _children(proc.pid)
        listening = _listening_inodes(port)
        assert len(workers) == 2 and len(listening) == 2, (workers, listening)
        held = {pid: _sockets_of(pid) & listening for pid in workers}
        assert sorted(len(h) for h in held.values()) == [1, 1]  # one socket each ...
        assert set.union(*held.values()) == listening  # ... not the same one
        assert not _sockets_of(proc.pid) & listening  # the supervisor accepts nothing itself

        def ask(_: int) -> int:
            with httpx.Client(timeout=60) as http:  # a connection of its own
                return http.get(f"http://127.0.0.1:{port}/credentials?page_size=1").status_code

        with ThreadPoolExecutor(16) as pool:
            assert set(pool.map(ask, range(32))) == {200}
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
    assert code == 0
    time.sleep(0.5)
    assert all(not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
               for pid in workers)
