"""Run the heavy analyses' independent tasks serially or on a Dask cluster, with the same results.

Role reachability, the recognition what-if and stacking coverage are many independent
computations over one catalogue (a route search per role or per candidate agreement, a
rule check per award). :func:`runner` turns a *scheduler* into something that maps a
function over those tasks:

* ``None`` or ``"none"``: serially, in this process (the library default, and the right
  choice for small catalogues where starting workers costs more than it saves);
* ``"local"``: a :class:`distributed.LocalCluster` started for the call (worker processes,
  one per core, one thread each: the route engine holds the GIL) and closed after it;
* ``"tcp://host:port"`` (any address with ``://``): a running Dask scheduler, reached by
  :func:`planner.analysis.cluster.connect` (a checked address, every wait bounded by
  ``timeout``, workers checked to import this planner);
* a :class:`distributed.Client`: used as it is and left open (its workers checked the same way).

Results come back in task order whatever order the workers finish in, and every task is a
pure function of its arguments, so a cluster run returns exactly what a serial run does.
Large shared arguments (the catalogue) are sent to every worker once per runner.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from planner._errors import PlannerError
from planner.analysis.cluster import CONNECT_TIMEOUT, check_workers, connect

__all__ = ["DaskRunner", "Progress", "Runner", "Scheduler", "SerialRunner", "runner"]

T = TypeVar("T")

#: ``progress(done, total)`` after each finished task (and once with ``done = 0``).
Progress = Callable[[int, int], None]

#: What the ``scheduler=`` argument of the analyses accepts (see the module docstring).
Scheduler = Any


class Runner(Protocol):
    """Maps a function over tasks, returning the results in task order."""

    def map(self, fn: Callable[..., T], tasks: Sequence[Any], *, common: Sequence[Any] = (),
            progress: Progress | None = None) -> list[T]:
        """Return ``[fn(*common, task) for task in tasks]``."""
        ...


class SerialRunner:
    """Run every task in this process, one after the other."""

    def map(self, fn: Callable[..., T], tasks: Sequence[Any], *, common: Sequence[Any] = (),
            progress: Progress | None = None) -> list[T]:
        """Return ``[fn(*common, task) for task in tasks]``, reporting progress after each."""
        out: list[T] = []
        total = len(tasks)
        if progress is not None:
            progress(0, total)
        for task in tasks:
            out.append(fn(*common, task))
            if progress is not None:
                progress(len(out), total)
        return out


class DaskRunner:
    """Run tasks as futures on a :class:`distributed.Client`.

    Parameters
    ----------
    client : distributed.Client
        A connected client.

    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self._scattered: dict[int, tuple[Any, Any]] = {}

    def _remote(self, value: Any) -> Any:
        # send each shared object to every worker once; keep the object alive so its id stays unique
        key = id(value)
        if key not in self._scattered:
            # in a list, so a dict or tuple travels as one object rather than one future per item
            [future] = self.client.scatter([value], broadcast=True, hash=False)
            self._scattered[key] = (value, future)
        return self._scattered[key][1]

    def map(self, fn: Callable[..., T], tasks: Sequence[Any], *, common: Sequence[Any] = (),
            progress: Progress | None = None) -> list[T]:
        """Return ``[fn(*common, task) for task in tasks]`` computed on the cluster, in task order."""
        from distributed import as_completed

        total = len(tasks)
        if progress is not None:
            progress(0, total)
        if not tasks:
            return []
        shared = [self._remote(c) for c in common]
        futures = [self.client.submit(fn, *shared, task, pure=False) for task in tasks]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * total
        for done, future in enumerate(as_completed(futures), 1):
            results[index[future.key]] = future.result()
            if progress is not None:
                progress(done, total)
        return results


def _local_client() -> Any:
    from distributed import Client, LocalCluster

    # processes, one single-threaded worker per core: route searches are CPU-bound Python
    cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                           dashboard_address=":0")
    return Client(cluster), cluster


@contextlib.contextmanager
def runner(scheduler: Scheduler = None, *, timeout: float = CONNECT_TIMEOUT) -> Iterator[Runner]:
    """Yield a :class:`Runner` for a scheduler (see the module docstring); close what it started.

    Parameters
    ----------
    scheduler : None, str, distributed.Client or Runner
        ``None``/``"none"``, ``"local"``, a scheduler address, a client or a runner.
    timeout : float
        Seconds allowed for each step of reaching a scheduler or checking a client's workers
        (:data:`planner.analysis.cluster.CONNECT_TIMEOUT` by default).

    Yields
    ------
    Runner
        Maps functions over tasks.

    Raises
    ------
    PlannerError
        For an unknown scheduler value, a malformed address, or a scheduler that cannot be
        reached in time, has no worker, or whose workers cannot import this planner.

    """
    if scheduler is None or scheduler == "none":
        yield SerialRunner()
        return
    if isinstance(scheduler, (SerialRunner, DaskRunner)):
        yield scheduler
        return
    if not isinstance(scheduler, str):  # a distributed.Client the caller owns
        check_workers(scheduler, timeout=timeout)
        yield DaskRunner(scheduler)
        return
    if scheduler == "local":
        client, cluster = _local_client()
        try:
            yield DaskRunner(client)
        finally:
            client.close()
            cluster.close()
        return
    if "://" not in scheduler:
        raise PlannerError(f"unknown scheduler {scheduler!r}: use 'none', 'local' or an address like "
                           "tcp://127.0.0.1:8786")
    client = connect(scheduler, timeout=timeout)
    try:
        yield DaskRunner(client)
    finally:
        client.close()
