"""Analysis jobs kept in the database, so that every replica sees and runs them.

``POST /jobs/coverage`` (or ``/jobs/whatif``) writes a *queued* row in ``api_jobs``, in the
database the learner store uses (``PLANNER_DATABASE_URL``), and answers with its id. Every
API process runs one worker thread that claims the oldest queued job (an ``UPDATE … WHERE
status = 'queued'``: of two replicas racing for one job exactly one gets it), runs it on Dask
through :func:`planner.analysis.parallel.runner`, writes its progress as it goes, and its
result or its located error at the end. ``GET /jobs/{id}`` reads the row, from any replica.

A running job's worker touches ``heartbeat_at`` every few seconds; a job whose heartbeat is
older than :data:`STALE_SECONDS` belonged to a process that stopped, and is reported failed
(start it again). Nothing about a job lives only in one process's memory.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, Text, func, select, text, update

__all__ = ["JOB_KINDS", "STALE_SECONDS", "Job", "JobQueue", "JobWorker"]

_log = logging.getLogger("planner.api.jobs")

JOB_KINDS = ("coverage", "whatif")
STATUSES = ("queued", "running", "done", "failed")
#: A running job whose worker has not been heard of for this long is reported failed.
STALE_SECONDS = 60.0
#: How often a running job's worker says it is alive, and how often an idle worker looks for work.
HEARTBEAT_SECONDS = 5.0
POLL_SECONDS = 0.5
#: Most jobs waiting at once (all replicas together): beyond, a new one is refused with 503.
MAX_QUEUED = 20
_LOCK_KEY = 0x504C414E4A4F4253  # "PLANJOBS": the advisory lock under which the table is created

metadata = MetaData()
jobs_table = Table(
    "api_jobs", metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("params", Text, nullable=False),
    Column("status", String(10), nullable=False, index=True),
    Column("phase", String(40), nullable=False, default=""),
    Column("done", Integer, nullable=False, default=0),
    Column("total", Integer, nullable=False, default=0),
    Column("result", Text),
    Column("error", Text),
    Column("created_by", String(600)),
    Column("runner", String(300)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("heartbeat_at", DateTime(timezone=True)),
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; everything written is UTC
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


@dataclass(frozen=True)
class Job:
    """One job as the database holds it."""

    id: str
    kind: str
    params: dict[str, Any]
    status: str
    phase: str
    done: int
    total: int
    result: Any
    error: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    def to_json(self) -> dict[str, Any]:
        """The job as ``GET /jobs/{id}`` shows it."""
        return {"id": self.id, "kind": self.kind, "params": self.params, "status": self.status,
                "progress": {"phase": self.phase, "done": self.done, "total": self.total},
                "result": self.result, "error": self.error, "created_at": self.created_at.isoformat(),
                "started_at": self.started_at.isoformat() if self.started_at else None,
                "finished_at": self.finished_at.isoformat() if self.finished_at else None}


class QueueFull(Exception):
    """Too many jobs are waiting; the client should try again later."""


class JobQueue:
    """The ``api_jobs`` table of one database.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The learner store's engine (SQLite or PostgreSQL).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.runner = f"{socket.gethostname()}:{os.getpid()}"

    def create_table(self) -> None:
        """Create ``api_jobs`` when missing (several processes may do it at once)."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE serialises this already
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            metadata.create_all(conn, checkfirst=True)

    def submit(self, kind: str, params: dict[str, Any], created_by: str | None) -> Job:
        """Queue a job; return it.

        Raises
        ------
        QueueFull
            When :data:`MAX_QUEUED` jobs already wait.
        """
        job_id = str(uuid.uuid4())
        with self.engine.begin() as conn:
            waiting = conn.execute(select(func.count()).select_from(jobs_table)
                                   .where(jobs_table.c.status == "queued")).scalar_one()
            if waiting >= MAX_QUEUED:
                raise QueueFull(f"{waiting} analysis jobs are waiting; try again in a few minutes")
            conn.execute(jobs_table.insert().values(
                id=job_id, kind=kind, params=json.dumps(params, sort_keys=True), status="queued", phase="",
                done=0, total=0, created_by=(created_by or "")[:600], created_at=_now()))
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str) -> Job | None:
        """The job with this id (None when there is none); a stale running job is marked failed first."""
        self.fail_stale()
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs_table).where(jobs_table.c.id == job_id)).mappings().first()
        if row is None:
            return None
        return Job(row["id"], row["kind"], json.loads(row["params"]), row["status"], row["phase"], row["done"],
                   row["total"], json.loads(row["result"]) if row["result"] else None, row["error"],
                   _utc(row["created_at"]) or _now(), _utc(row["started_at"]), _utc(row["finished_at"]))

    def counts(self) -> dict[str, int]:
        """How many jobs are in each status (for ``/metrics``)."""
        with self.engine.connect() as conn:
            found = dict(conn.execute(select(jobs_table.c.status, func.count()).group_by(jobs_table.c.status)).all())
        return {status: int(found.get(status, 0)) for status in STATUSES}

    def fail_stale(self) -> None:
        """Mark failed the running jobs whose worker stopped saying it is alive."""
        cutoff = _now() - dt.timedelta(seconds=STALE_SECONDS)
        with self.engine.begin() as conn:
            conn.execute(update(jobs_table).where(jobs_table.c.status == "running", jobs_table.c.heartbeat_at < cutoff)
                         .values(status="failed", finished_at=_now(),
                                 error="the server running this job stopped before it finished; start it again"))

    def claim(self) -> Job | None:
        """Take the oldest queued job for this process (None when none waits)."""
        for _ in range(5):  # another replica may take the one we saw; look again
            with self.engine.begin() as conn:
                job_id = conn.execute(select(jobs_table.c.id).where(jobs_table.c.status == "queued")
                                      .order_by(jobs_table.c.created_at, jobs_table.c.id).limit(1)).scalar()
                if job_id is None:
                    return None
                now = _now()
                taken = conn.execute(update(jobs_table).where(jobs_table.c.id == job_id,
                                                              jobs_table.c.status == "queued")
                                     .values(status="running", runner=self.runner, started_at=now, heartbeat_at=now))
            if taken.rowcount == 1:
                return self.get(job_id)
        return None

    def progress(self, job_id: str, phase: str, done: int, total: int) -> None:
        """Record how far a running job is (and that its worker is alive)."""
        with self.engine.begin() as conn:
            conn.execute(update(jobs_table).where(jobs_table.c.id == job_id, jobs_table.c.status == "running")
                         .values(phase=phase[:40], done=done, total=total, heartbeat_at=_now()))

    def heartbeat(self, job_id: str) -> None:
        """Say the worker of a running job is alive."""
        with self.engine.begin() as conn:
            conn.execute(update(jobs_table).where(jobs_table.c.id == job_id, jobs_table.c.status == "running")
                         .values(heartbeat_at=_now()))

    def finish(self, job_id: str, result: Any) -> None:
        """Store a job's result."""
        with self.engine.begin() as conn:
            conn.execute(update(jobs_table).where(jobs_table.c.id == job_id, jobs_table.c.status == "running")
                         .values(status="done", result=json.dumps(result), finished_at=_now(), heartbeat_at=_now()))

    def fail(self, job_id: str, message: str) -> None:
        """Store why a job failed (a located message, never a traceback)."""
        with self.engine.begin() as conn:
            conn.execute(update(jobs_table).where(jobs_table.c.id == job_id, jobs_table.c.status == "running")
                         .values(status="failed", error=message[:4000], finished_at=_now(), heartbeat_at=_now()))


#: ``run(job, progress) -> result`` where ``progress(phase, done, total)``.
JobFunction = Callable[[Job, Callable[[str, int, int], None]], Any]


class JobWorker:
    """One thread per process that runs queued jobs, one at a time.

    Parameters
    ----------
    queue : JobQueue
        The jobs table.
    run : callable
        ``run(job, progress) -> JSON-ready result``; an exception fails the job with
        ``describe(exception)``.
    describe : callable
        ``describe(exception) -> str``: the located message a failed job shows.
    """

    def __init__(self, queue: JobQueue, run: JobFunction, describe: Callable[[BaseException], str]) -> None:
        self.queue, self.run, self.describe = queue, run, describe
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start looking for work."""
        self._thread = threading.Thread(target=self._loop, name="planner-api-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the job in hand (a job still running is taken over by no one: it goes stale)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                job = self.queue.claim()
            except Exception as exc:  # the database is away for a moment: look again later
                _log.warning("cannot claim a job: %s", type(exc).__name__)
                job = None
            if job is None:
                self._stop.wait(POLL_SECONDS)
                continue
            self._run(job)

    def _run(self, job: Job) -> None:
        alive = threading.Event()

        def beat() -> None:
            while not alive.wait(HEARTBEAT_SECONDS):
                try:
                    self.queue.heartbeat(job.id)
                except Exception:  # a missed heartbeat is retried on the next beat
                    _log.warning("heartbeat of job %s failed", job.id)

        last = [0.0]

        def progress(phase: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.5 or done >= total:  # at most twice a second, and always the last step
                last[0] = now
                self.queue.progress(job.id, phase, done, total)

        beater = threading.Thread(target=beat, name=f"planner-api-job-{job.id[:8]}", daemon=True)
        beater.start()
        try:
            result = self.run(job, progress)
        except Exception as exc:
            self.queue.fail(job.id, self.describe(exc))
        else:
            self.queue.finish(job.id, result)
        finally:
            alive.set()
            beater.join(1.0)
