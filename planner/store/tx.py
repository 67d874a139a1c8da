"""Units of work of the learner store: retried when the database asks for it, every failure said plainly.

Each public :class:`~planner.store.records.Store` method is one unit of work. Two writers
that meet are serialised by row locks taken in one order (the learner first, see
:mod:`planner.store.access`), so a deadlock or a serialisation failure should not happen;
when the database still reports one (or a constraint that a simultaneous change broke, or a
row that vanished under the ORM), the whole unit is run again from the start, a few times
with a short random pause. Whatever remains becomes a :class:`~planner.store.errors.StoreError`
that names the database (password masked) and what was being done: never a raw driver error.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from planner.store.errors import StoreError
from planner.store.urls import mask_url, redact

__all__ = ["ATTEMPTS", "StoreBusy", "transient", "unit_of_work"]

ATTEMPTS = 6
#: SQLSTATEs after which the same transaction may simply be run again.
RETRY_SQLSTATES = {"40001": "a serialisation failure", "40P01": "a deadlock", "55P03": "a lock it could not take"}

F = TypeVar("F", bound=Callable[..., Any])


class StoreBusy(StoreError):
    """The database kept refusing a unit of work as conflicting with simultaneous ones; nothing was changed."""


def transient(exc: BaseException) -> str | None:
    """Why running the same unit of work again may succeed, or None when it would fail the same way.

    Parameters
    ----------
    exc : BaseException
        What a unit of work raised.

    Returns
    -------
    str or None
        A few words for the message ("a deadlock", ...).
    """
    if isinstance(exc, StaleDataError):
        return "a row changed by a simultaneous call"
    if isinstance(exc, IntegrityError):
        return "a simultaneous change to the same record"
    if isinstance(exc, DBAPIError):
        state = getattr(exc.orig, "sqlstate", None)  # psycopg 3
        if state in RETRY_SQLSTATES:
            return RETRY_SQLSTATES[state]
    return None


def _sqlite_busy(exc: BaseException) -> bool:
    # SQLite already waited its busy timeout (30 s) before saying this: running again would only wait again
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError) and ("database is locked" in text or "database table is locked" in text)


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def unit_of_work(what: str) -> Callable[[F], F]:
    """Decorate a store method: retry it on transient database errors, turn the rest into StoreError.

    Parameters
    ----------
    what : str
        What the method does, for messages ("save a plan").

    Returns
    -------
    callable
        The decorator. The method's object must have an ``engine`` attribute.
    """
    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            url = self.engine.url
            for attempt in range(ATTEMPTS):
                try:
                    return fn(self, *args, **kwargs)
                except SQLAlchemyError as exc:
                    if _sqlite_busy(exc):
                        raise StoreBusy(f"{mask_url(url)}: could not {what}: the database stayed locked by "
                                        "other writers; nothing was changed, try again") from None
                    reason = transient(exc)
                    if reason is None:
                        raise StoreError(f"{mask_url(url)}: could not {what}: "
                                         f"{redact(_short(exc), url)}") from None
                    if attempt == ATTEMPTS - 1:
                        raise StoreBusy(f"{mask_url(url)}: could not {what}: the database reported {reason} "
                                        f"{ATTEMPTS} times in a row; nothing was changed, try again") from None
                    time.sleep(random.uniform(0.005, 0.02 * 2 ** attempt))  # apart, so they do not meet again
            raise AssertionError("unreachable")  # pragma: no cover
        return run  # type: ignore[return-value]
    return decorate
