"""What one API process holds (catalogue, learner store, jobs, token checks) and who is asking.

:class:`Served` is opened when the application starts and closed when it stops; endpoints
reach it through the :func:`served` dependency. :func:`acting_user` turns the request's
bearer token into the store's user (401 without a usable token); :func:`caller` does the
same but lets a request without a token through on the open endpoints, when the server
is configured to leave them open (``PLANNER_API_OPEN``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request

from planner.api.auth import TokenError, Verifier, bearer_token, unauthorized
from planner.api.catalogue import CatalogueService
from planner.api.jobs import JobQueue, JobWorker
from planner.api.settings import Settings
from planner.store.access import User, initial_role
from planner.store.records import Store, open_store

__all__ = ["ActingUser", "Caller", "Context", "Served", "acting_user", "caller", "served"]

_log = logging.getLogger("planner.api")

T = TypeVar("T")


class Served:
    """The resources of one API process.

    Parameters
    ----------
    settings : Settings
        What to serve and whom to trust.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.catalogue: CatalogueService | None = None
        self.store: Store | None = None
        self.jobs: JobQueue | None = None
        self.worker: JobWorker | None = None
        self.verifier = (Verifier(settings.issuers, settings.audience or "", leeway=settings.leeway)
                         if settings.sign_in else None)
        self._answering: anyio.CapacityLimiter | None = None

    async def answer(self, work: Callable[[], T]) -> T:
        """Run one question's work in a thread, at most ``settings.answering`` at once, in arrival order.

        The engine is CPU-bound Python: questions answered side by side in one process share
        its core and every answer is late, the longest ones most (measured in
        ``benchmarks/bench_api.py``). Waiting in line keeps each answer's time close to its
        own work plus the queue ahead of it.
        """
        if self._answering is None:  # made in the event loop that serves (anyio's limiter belongs to it)
            self._answering = anyio.CapacityLimiter(self.settings.answering)
        return await anyio.to_thread.run_sync(work, limiter=self._answering)

    def open(self, *, run_jobs: bool = True) -> None:
        """Open the catalogue and the learner store, create the jobs table, start the job worker."""
        from planner.api.analyses import run_job
        from planner.api.problems import describe_failure

        self.catalogue = CatalogueService(self.settings.catalogue)
        self.store = open_store(self.settings.database_url)
        self.jobs = JobQueue(self.store.engine)
        self.jobs.create_table()
        if run_jobs:
            catalogue, scheduler = self.catalogue, self.settings.scheduler
            self.worker = JobWorker(self.jobs, lambda job, progress: run_job(catalogue, scheduler, job, progress),
                                    describe_failure)
            self.worker.start()

    def close(self) -> None:
        """Stop the worker and release the databases."""
        if self.worker is not None:
            self.worker.stop()
        if self.catalogue is not None:
            self.catalogue.close()
        if self.store is not None:
            self.store.engine.dispose()


def served(request: Request) -> Served:
    """The process's :class:`Served` (a FastAPI dependency)."""
    return request.app.state.served  # type: ignore[no-any-return]


def _user(ctx: Served, header: str | None) -> User:
    if ctx.verifier is None:
        raise unauthorized("sign-in is not configured on this server (PLANNER_OIDC_ISSUER, PLANNER_OIDC_AUDIENCE)")
    try:
        token = bearer_token(header)
        if token is None:
            raise unauthorized("no bearer token")
        identity = ctx.verifier.identity(token)
    except TokenError as exc:
        raise unauthorized(str(exc)) from None
    assert ctx.store is not None
    # the store keeps a person's role; a new user gets the role trusted claims give (never a token's own claim)
    return ctx.store.user_for(identity, role=initial_role(identity))


def acting_user(request: Request, ctx: Annotated[Served, Depends(served)]) -> User:
    """The signed-in user a request acts as (401 without a valid bearer token)."""
    return _user(ctx, request.headers.get("authorization"))


def caller(request: Request, ctx: Annotated[Served, Depends(served)]) -> User | None:
    """The signed-in user, or None on an open server when no token is sent (a bad token is still 401)."""
    header = request.headers.get("authorization")
    if header is None and ctx.settings.open_catalogue:
        return None
    return _user(ctx, header)


ActingUser = Annotated[User, Depends(acting_user)]
Caller = Annotated[User | None, Depends(caller)]
Context = Annotated[Served, Depends(served)]
