"""Reach a running Dask scheduler safely: a checked address, bounded waits, workers that can do the work.

:func:`planner.analysis.parallel.runner` calls :func:`connect` for a scheduler address and
:func:`check_workers` for a client it was given. Every way of failing is a
:class:`~planner._errors.PlannerError` that names the address, raised within the time
allowed:

* an address that is not ``tcp://HOST:PORT`` (or ``tls://HOST:PORT`` with Dask's TLS
  settings) is refused before any connection is tried;
* the connection, Dask's handshake and the scheduler's first answer are each bounded by
  ``timeout``: Dask's own client waits for the handshake without a limit, so a port that
  accepts and never answers (a dashboard, a proxy, a stopped process) would hang it. The
  handshake is therefore tried first on a connection of our own, in a thread of its own,
  under one deadline;
* a scheduler with no worker, or whose workers cannot import this planner (or run
  another version of it), is refused before any task is sent: such a worker crashes on
  the first task it cannot unpickle and the run would wait for ever.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from planner._errors import PlannerError

__all__ = ["CONNECT_TIMEOUT", "SCHEMES", "check_address", "check_workers", "connect"]

T = TypeVar("T")

#: Seconds allowed for each step of reaching a scheduler (connection, handshake, first
#: worker, the workers' answer to the import check).
CONNECT_TIMEOUT = 10.0
#: Address schemes accepted (TLS needs Dask's TLS settings: ``distributed.comm.tls.*``).
SCHEMES = ("tcp", "tls")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$")


def _where(address: str) -> str:
    shown = address if len(address) <= 200 else address[:200] + "…"
    return f"Dask scheduler {shown!r}"


def check_address(address: str) -> str:
    """Return ``address`` when it is a usable scheduler address; else raise a located error.

    Parameters
    ----------
    address : str
        ``tcp://HOST:PORT`` or ``tls://HOST:PORT`` (IPv6 hosts in brackets).

    Returns
    -------
    str
        The address, unchanged.

    Raises
    ------
    PlannerError
        Naming the address and what is wrong with it.
    """
    where = _where(address)
    if any(ch.isspace() or not ch.isprintable() for ch in address):
        raise PlannerError(f"{where}: an address holds no spaces or control characters")
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError as exc:  # a port that is not a number or out of range, a broken [IPv6]
        raise PlannerError(f"{where}: not an address like tcp://127.0.0.1:8786 ({exc})") from None
    if parts.scheme.lower() == "inproc":
        raise PlannerError(f"{where}: an inproc:// address works only inside the process that started the "
                           "cluster; pass its distributed.Client instead")
    if parts.scheme.lower() not in SCHEMES:
        raise PlannerError(f"{where}: use tcp://HOST:PORT (or tls://HOST:PORT with Dask's TLS settings); "
                           f"{parts.scheme or 'no'} scheme is not supported")
    if parts.path or parts.query or parts.fragment or parts.username is not None or parts.password is not None:
        raise PlannerError(f"{where}: an address is only scheme://HOST:PORT (no path, user or query)")
    host = parts.hostname or ""
    if not host:
        raise PlannerError(f"{where}: the host is missing (tcp://HOST:PORT)")
    if not _is_host(host):
        raise PlannerError(f"{where}: {host!r} is neither a host name nor an IP address")
    if port is None:
        raise PlannerError(f"{where}: the port is missing; it is a number from 1 to 65535 (tcp://HOST:PORT)")
    if port == 0:
        raise PlannerError(f"{where}: port 0 is not a port a scheduler listens on (1 to 65535)")
    if parts.scheme.lower() == "tls" and _connection_args().get("ssl_context") is None:
        raise PlannerError(f"{where}: tls:// needs Dask's TLS settings (distributed.comm.tls.ca-file and "
                           "distributed.comm.tls.client.cert/key)")
    return address


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(host))


def _connection_args() -> dict[str, Any]:
    from distributed.security import Security

    return Security().get_connection_args("client")


def _in_thread(fn: Callable[[], T], timeout: float) -> tuple[bool, T | None, BaseException | None]:
    """Run ``fn`` in a daemon thread; ``(finished, result, error)`` after at most ``timeout`` seconds.

    A daemon thread, so that a peer that never answers cannot keep the process alive either.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # handed to the calling thread, which decides
            box["error"] = exc

    thread = threading.Thread(target=run, name="planner-dask-check", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return False, None, None
    return True, box.get("result"), box.get("error")


async def _identity(address: str, timeout: float) -> dict[str, Any]:
    from distributed.comm import connect as comm_connect

    comm = await comm_connect(address, timeout=timeout, **_connection_args())
    try:
        await comm.write({"op": "identity", "reply": True})
        reply = await comm.read()
    finally:
        comm.abort()
    return reply if isinstance(reply, dict) else {"type": type(reply).__name__}


def _reach(address: str, timeout: float) -> None:
    """Open (and close) a plain TCP connection within ``timeout``: the exact reason when it fails.

    Dask's own connect retries a refused connection or an unknown host until its deadline
    and then reports only that it timed out; one plain attempt says which it was at once.
    """
    where = _where(address)
    parts = urlsplit(address)

    def attempt() -> None:
        socket.create_connection((parts.hostname, parts.port), timeout=timeout).close()

    finished, _, error = _in_thread(attempt, timeout)
    if not finished or isinstance(error, TimeoutError):
        raise PlannerError(f"{where}: no connection within {timeout:g} s (--scheduler-timeout allows longer)")
    if isinstance(error, socket.gaierror):
        raise PlannerError(f"{where}: unknown host {parts.hostname!r} ({error.strerror or error})")
    if isinstance(error, ConnectionRefusedError):
        raise PlannerError(f"{where}: connection refused (is the scheduler running, on this port?)")
    if isinstance(error, OSError):
        raise PlannerError(f"{where}: cannot connect ({error.strerror or _short(error)})")
    if error is not None:
        raise error


def _handshake(address: str, timeout: float) -> None:
    """Connect, complete Dask's handshake and ask who answers, all within ``timeout`` seconds."""
    where = _where(address)

    def ask() -> dict[str, Any]:
        # Dask's connect gives up on refused connections at ``timeout`` with the reason; the
        # handshake after it has no limit of its own: the outer deadline bounds both
        return asyncio.run(asyncio.wait_for(_identity(address, timeout), timeout + 0.5))

    finished, reply, error = _in_thread(ask, timeout + 1.5)
    if not finished or isinstance(error, (asyncio.TimeoutError, TimeoutError)):
        raise PlannerError(f"{where}: no answer within {timeout:g} s (is this the scheduler's address, "
                           "not its dashboard? --scheduler-timeout allows longer)")
    if isinstance(error, OSError):  # the TCP connection was made (see _reach), then closed or reset
        cause = error.__cause__ or error.__context__ or error
        raise PlannerError(f"{where}: the connection was closed during Dask's handshake ({_short(cause)}); "
                           "is this a Dask scheduler's address?")
    if error is not None:
        # whatever the peer sent was not Dask's protocol (an HTTP server, SSH, garbage); what
        # Dask made of it (a frame size of exabytes) would only confuse
        raise PlannerError(f"{where}: does not answer in Dask's protocol ({type(error).__name__}); "
                           "is this a Dask scheduler's address?")
    kind = str((reply or {}).get("type", ""))
    if kind != "Scheduler":
        what = {"Worker": "a Dask worker", "Nanny": "a Dask nanny"}.get(kind, f"not a Dask scheduler ({kind!r})")
        raise PlannerError(f"{where}: this address is {what}, not the scheduler")


def connect(address: str, *, timeout: float = CONNECT_TIMEOUT) -> Any:
    """A :class:`distributed.Client` of the scheduler at ``address``, checked and ready for tasks.

    Parameters
    ----------
    address : str
        The scheduler's address (see :func:`check_address`).
    timeout : float
        Seconds allowed for each step (connection, handshake, a first worker, the workers' check).

    Returns
    -------
    distributed.Client
        Connected; the caller closes it.

    Raises
    ------
    PlannerError
        Naming the address: malformed, unreachable, silent, not a scheduler, no worker, or
        workers that cannot import this planner.
    """
    check_address(address)
    if not timeout > 0:
        raise PlannerError(f"the Dask timeout must be above 0 seconds, got {timeout!r}")
    _reach(address, timeout)
    _handshake(address, timeout)
    from distributed import Client

    where = _where(address)
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise PlannerError(f"{where}: cannot connect within {timeout:g} s ({_short(exc)})") from None
    try:
        check_workers(client, address=address, timeout=timeout)
    except BaseException:
        client.close()
        raise
    return client


def _planner_version() -> str:
    """Runs on each worker: the version of the planner it imports (unpickling this imports the planner)."""
    from planner import __version__

    return __version__


def check_workers(client: Any, *, address: str | None = None, timeout: float = CONNECT_TIMEOUT) -> None:
    """Refuse a cluster without workers, or whose workers cannot import this planner or run another version.

    Parameters
    ----------
    client : distributed.Client
        A connected client.
    address : str, optional
        The scheduler's address as the user gave it (default: the client's).
    timeout : float
        Seconds to wait for a first worker, and for the workers' answers.

    Raises
    ------
    PlannerError
        Naming the scheduler and the first worker that failed.
    """
    from planner import __version__

    where = _where(address or str(getattr(client.scheduler, "address", "?")))
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError):
        raise PlannerError(f"{where}: no worker joined within {timeout:g} s; start workers with "
                           f"'dask worker {address or 'ADDRESS'}'") from None
    finished, answers, error = _in_thread(lambda: client.run(_planner_version, on_error="return"), timeout)
    if not finished:
        raise PlannerError(f"{where}: the workers did not answer within {timeout:g} s")
    if error is not None:
        raise PlannerError(f"{where}: the workers could not be checked ({type(error).__name__}: {_short(error)})")
    for worker, answer in sorted((answers or {}).items()):
        if isinstance(answer, BaseException):
            raise PlannerError(f"{where}: worker {worker} cannot import the planner ({_short(answer)}); install "
                               f"stackable-planner {__version__} in the workers' environment")
        if answer != __version__:
            raise PlannerError(f"{where}: worker {worker} runs planner {answer!r}, this is {__version__}: results "
                               "could differ; install the same version on the workers")


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"
