"""Several uvicorn worker processes, each accepting its own connections (``SO_REUSEPORT``).

uvicorn's own ``--workers`` shares one listening socket between the processes, and
whichever process wakes first accepts: measured with 8 and 50 long-lived client
connections on 2 workers, sometimes every connection went to one worker while the other
stood idle, and the clients of the busy one waited twice as long
(``benchmarks/bench_api.py``). Here every worker binds its own socket to the same address
with ``SO_REUSEPORT``, and the kernel spreads new connections over the sockets by their
addresses. Where the option does not exist (Windows), uvicorn's shared socket is used.

The supervisor starts the workers, stops them on SIGINT/SIGTERM (each finishes the
requests in hand), and starts a worker again when one dies, as uvicorn's does.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import threading
import time
from typing import Any

__all__ = ["reuse_port_supported", "run_workers"]

#: Seconds between two looks at the workers (a dead one is started again).
_WATCH_SECONDS = 0.5


def reuse_port_supported() -> bool:
    """Whether this system can give each worker its own listening socket."""
    return hasattr(socket, "SO_REUSEPORT")


def _listening_socket(host: str, port: int, *, listen: bool = True) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    if listen:
        sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(options: dict[str, Any]) -> None:
    """One worker process: its own socket, one uvicorn server (runs in the child)."""
    import uvicorn

    config = uvicorn.Config(**options)
    uvicorn.Server(config).run(sockets=[_listening_socket(config.host, config.port)])


def run_workers(options: dict[str, Any], workers: int) -> None:
    """Serve with ``workers`` processes until SIGINT or SIGTERM.

    Parameters
    ----------
    options : dict
        ``uvicorn.Config`` keyword arguments (``app`` as an import string, ``host``, ``port``, …).
    workers : int
        Worker processes (at least 2; one worker is plain ``uvicorn.run``).
    """
    # bound, not listening: the address is free (or this fails here, in the parent), and no
    # connection is ever queued on it
    probe = _listening_socket(options["host"], options["port"], listen=False)
    context = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def start() -> Any:
        process = context.Process(target=_worker, args=(options,), name="planner-api-worker")
        process.start()
        return process

    def ask_to_stop(signum: int, _frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, ask_to_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    processes = []
    try:
        processes = [start() for _ in range(workers)]
        while not stop.wait(_WATCH_SECONDS):
            for k, process in enumerate(processes):
                if not process.is_alive():
                    processes[k] = start()
    finally:
        probe.close()
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in hand
        deadline = time.monotonic() + 30
        for process in processes:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
        for s, handler in previous.items():
            signal.signal(s, handler)
