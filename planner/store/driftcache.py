"""A cache of plan drift, keyed by everything the drift depends on, safe across threads and sessions.

A plan version never changes, so its drift against one catalogue on one day is computed
once. The key holds the catalogue's digest, the day, and the version's identity *as stored*
(id, plan, version number and the moment it was saved), so that an id given again by an
older database, a second catalogue used by another session at the same time, or another
day can never return another plan's drift. One lock guards the table; the drift itself is
computed outside it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

from planner.store.basis import Drift

__all__ = ["DriftCache", "VersionKey"]

#: (version id, plan id, version number, saved at): a plan version as the database holds it.
VersionKey = tuple[int, int, int, dt.datetime | None]


class DriftCache:
    """Drift per (catalogue digest, day, plan version), least recently used first out.

    Parameters
    ----------
    size : int
        At most this many entries are kept.
    """

    def __init__(self, size: int = 50_000) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[Drift, ...]] = OrderedDict()

    def get_many(self, digest: str, day: dt.date, versions: Iterable[VersionKey],
                 compute: Callable[[list[VersionKey]], dict[VersionKey, tuple[Drift, ...]]]
                 ) -> dict[VersionKey, tuple[Drift, ...]]:
        """The drift of each version; ``compute`` is called once with the versions not cached.

        Parameters
        ----------
        digest : str
            The catalogue's digest.
        day : datetime.date
            The day the drift is judged on.
        versions : iterable of VersionKey
            The plan versions whose drift is wanted.
        compute : callable
            Returns the drift of every version it is given.

        Returns
        -------
        dict
            Version key to its drift.
        """
        wanted = list(versions)
        found: dict[VersionKey, tuple[Drift, ...]] = {}
        with self._lock:
            for v in wanted:
                hit = self._entries.get((digest, day, v))
                if hit is not None:
                    self._entries.move_to_end((digest, day, v))
                    found[v] = hit
        missing = [v for v in wanted if v not in found]
        if missing:
            fresh = compute(missing)
            found.update(fresh)
            with self._lock:
                for v, drift in fresh.items():
                    self._entries[(digest, day, v)] = drift
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
        return {v: found[v] for v in wanted}

    def forget(self, version_ids: Iterable[int]) -> None:
        """Drop every entry of these plan versions (they were erased)."""
        gone = set(version_ids)
        if not gone:
            return
        with self._lock:
            for key in [k for k in self._entries if k[2][0] in gone]:  # type: ignore[index]
                del self._entries[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
