"""Reaching a Dask scheduler: bad addresses, silent ports and workers without the planner fail in one line, in time.

Every failure must be a :class:`PlannerError` naming the address (the CLI prints it as one
line, exit 1), raised within the configured timeout: a port that accepts and never answers
used to hang Dask's client for ever, and a worker that cannot import the planner used to
give "internal error" (or crash on the first task and hang the run).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from planner._errors import PlannerError
from planner.analysis.cluster import check_address
from planner.analysis.parallel import DaskRunner, runner
from planner.cli import main
from tests.analysis.test_analysis_coverage import mini_data

distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")

HERE = Path(__file__).resolve().parent
HIDE_PLANNER = HERE / "dask_preload_hide_planner.py"
OTHER_VERSION = HERE / "dask_preload_other_version.py"
#: The most a bounded failure may take beyond its timeout here (a loaded, shared machine).
SLACK = 20.0


@pytest.fixture()
def serve() -> Iterator[Callable[[Callable[[socket.socket], None]], str]]:
    """Start TCP servers on 127.0.0.1 that treat each accepted connection with a given behaviour."""
    sockets: list[socket.socket] = []

    def start(behaviour: Callable[[socket.socket], None]) -> str:
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        sockets.append(server)

        def accept() -> None:
            while True:
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                sockets.append(conn)
                behaviour(conn)

        threading.Thread(target=accept, daemon=True).start()
        return f"tcp://127.0.0.1:{server.getsockname()[1]}"

    yield start
    for s in sockets:
        s.close()


def _silent(conn: socket.socket) -> None:
    """Accept and never answer (the connection stays open)."""


def _bounded(fn: Callable[[], object], limit: float) -> tuple[BaseException | None, float]:
    """Run ``fn`` in a thread; fail the test (instead of hanging it) when it outlives ``limit``."""
    box: dict[str, BaseException] = {}

    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # handed back to the test
            box["error"] = exc

    start = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit)
    assert not thread.is_alive(), f"still waiting after {limit:g} s"
    return box.get("error"), time.monotonic() - start


def _enter(scheduler: object, **kw: object) -> None:
    with runner(scheduler, **kw):
        pass


# ------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(("address", "says"), [
    ("tcp://", "host is missing"),
    ("tcp://:8786", "host is missing"),
    ("tcp://127.0.0.1", "port is missing"),
    ("tcp://127.0.0.1:0", "port 0"),
    ("tcp://127.0.0.1:abc", "not an address like"),
    ("tcp://127.0.0.1:99999", "not an address like"),
    ("tcp://[::1", "not an address like"),
    ("tcp://127.0.0.1:8786/path", "no path"),
    ("tcp://user@127.0.0.1:8786", "no path, user"),
    ("tcp://a b:8786", "no spaces"),
    ("tcp://bad_host!:8786", "neither a host name nor an IP"),
    ("foo://127.0.0.1:8786", "foo scheme is not supported"),
    ("ucx://127.0.0.1:8786", "ucx scheme is not supported"),
    ("inproc://192.0.2.2/9471/1", "pass its distributed.Client instead"),
    ("tls://127.0.0.1:8786", "needs Dask's TLS settings"),
])
def test_a_malformed_address_is_refused_before_connecting(address: str, says: str) -> None:
    error, _ = _bounded(lambda: _enter(address), 10)
    assert isinstance(error, PlannerError), error
    assert says in str(error) and repr(address)[:40] in str(error)
    assert "\n" not in str(error)


def test_the_cli_refuses_a_malformed_address_before_reading_the_catalogue(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture) -> None:
    # the catalogue folder does not even exist: the address is checked first
    assert main(["coverage", str(tmp_path / "none"), "--scheduler", "tcp://127.0.0.1:abc"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("planner coverage: Dask scheduler 'tcp://127.0.0.1:abc': not an address")
    assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err


def test_refused_and_unknown_hosts_say_why_at_once() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    error, _ = _bounded(lambda: _enter(f"tcp://127.0.0.1:{port}", timeout=5), 5 + SLACK)
    assert isinstance(error, PlannerError) and "connection refused" in str(error)
    error, _ = _bounded(lambda: _enter("tcp://no-such-host.invalid:8786", timeout=5), 5 + SLACK)
    assert isinstance(error, PlannerError) and "unknown host 'no-such-host.invalid'" in str(error)


# ------------------------------------------------------------------------- peers that are not schedulers


def test_a_port_that_accepts_and_never_answers_fails_within_the_timeout(serve) -> None:
    address = serve(_silent)
    for timeout in (1.0, 3.0):  # configurable: the failure follows the timeout given
        error, took = _bounded(lambda t=timeout: _enter(address, timeout=t), timeout + SLACK)
        assert isinstance(error, PlannerError), error
        assert str(error) == (f"Dask scheduler {address!r}: no answer within {timeout:g} s (is this the "
                              "scheduler's address, not its dashboard? --scheduler-timeout allows longer)")
        assert took >= timeout * 0.9  # it did wait for the peer, as long as it was told


def test_the_cli_timeout_applies_to_a_silent_port(serve, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "all.yaml").write_text(yaml.safe_dump(mini_data(), sort_keys=False), encoding="utf-8")
    address = serve(_silent)
    args = ["coverage", str(folder), "--scheduler", address, "--scheduler-timeout", "1.5"]
    error, _ = _bounded(lambda: pytest.fail("exit 0") if main(args) == 0 else None, 1.5 + SLACK)
    assert error is None
    err = capsys.readouterr().err
    assert err.startswith(f"planner coverage: Dask scheduler {address!r}: no answer within 1.5 s")
    assert err.count("\n") == 1 and "Traceback" not in err
    for bad in ("0", "-1", "nan", "inf", "soon"):
        assert main(["coverage", str(folder), "--scheduler-timeout", bad]) == 1


@pytest.mark.parametrize(("behaviour", "says"), [
    (lambda c: c.sendall(b"SSH-2.0-OpenSSH_9.6\r\n"), "does not answer in Dask's protocol"),
    (lambda c: (c.recv(65536), c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), c.close()),
     "does not answer in Dask's protocol"),
    (lambda c: c.close(), "closed during Dask's handshake"),
])
def test_a_peer_speaking_another_protocol_is_named(serve, behaviour, says: str) -> None:
    address = serve(behaviour)
    error, _ = _bounded(lambda: _enter(address, timeout=3), 3 + SLACK)
    assert isinstance(error, PlannerError) and says in str(error) and address in str(error), error


@pytest.fixture(scope="module")
def empty_cluster() -> Iterator[object]:
    """A real scheduler with one in-process worker, and one with none."""
    # in-process, but on TCP: an inproc:// address cannot be reached by address at all
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=":0") as none, \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                     dashboard_address=":0") as one:
        yield none, one


def test_a_workers_address_and_a_scheduler_without_workers_are_named(empty_cluster) -> None:
    none, one = empty_cluster
    worker = next(iter(one.scheduler.workers))
    error, _ = _bounded(lambda: _enter(worker, timeout=3), 3 + SLACK)
    assert isinstance(error, PlannerError) and "is a Dask worker, not the scheduler" in str(error), error
    error, _ = _bounded(lambda: _enter(none.scheduler_address, timeout=1), 1 + SLACK)
    assert isinstance(error, PlannerError) and "no worker joined within 1 s" in str(error), error
    # and a working one still works
    with runner(one.scheduler_address, timeout=5) as run:
        assert isinstance(run, DaskRunner) and run.map(pow, [2, 3], common=(2,)) == [4, 8]


# ------------------------------------------------------------------------- workers without the planner


def _cluster_with(preload: Path) -> object:
    # worker processes: each imports (or fails to import) the planner on its own
    return distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                                    preload=[str(preload)], silence_logs=logging.CRITICAL)


@pytest.mark.slow
def test_workers_that_cannot_import_the_planner_are_refused_before_any_task(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "all.yaml").write_text(yaml.safe_dump(mini_data(), sort_keys=False), encoding="utf-8")
    with _cluster_with(HIDE_PLANNER) as cluster, distributed.Client(cluster, set_as_default=False) as client:
        worker = next(iter(cluster.scheduler.workers))
        # the library, by address and with the caller's own client
        for scheduler in (cluster.scheduler_address, client):
            error, _ = _bounded(lambda s=scheduler: _enter(s, timeout=10), 10 + SLACK)
            assert isinstance(error, PlannerError), error
            assert f"worker {worker} cannot import the planner (" in str(error)
            assert "No module named 'planner" in str(error) and "install stackable-planner" in str(error)
        # the CLI: one located line, never "internal error"
        code = main(["coverage", str(folder), "--scheduler", cluster.scheduler_address])
        err = capsys.readouterr().err
        assert code == 1 and err.startswith(f"planner coverage: Dask scheduler {cluster.scheduler_address!r}: "
                                            f"worker {worker} cannot import the planner")
        assert err.count("\n") == 1 and "internal error" not in err
        # no task was sent: the worker that cannot unpickle one is still there
        assert list(cluster.scheduler.workers) == [worker]


@pytest.mark.slow
def test_workers_on_another_planner_version_are_refused() -> None:
    with _cluster_with(OTHER_VERSION) as cluster:
        error, _ = _bounded(lambda: _enter(cluster.scheduler_address, timeout=10), 10 + SLACK)
        assert isinstance(error, PlannerError) and "runs planner '0.0.0-other'" in str(error), error


def test_check_address_returns_a_good_address_unchanged() -> None:
    for good in ("tcp://127.0.0.1:8786", "tcp://[::1]:8786", "tcp://scheduler.example.org:8786", "TCP://h:1"):
        assert check_address(good) == good
