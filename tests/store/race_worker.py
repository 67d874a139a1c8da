"""Worker processes for the store's race tests: real processes that meet at a barrier, then call the store.

A :class:`Racers` pool starts ``n`` spawned Python processes once per test session. Each
round gives every process one job; the processes prepare (open the store), wait for each
other at a shared barrier, then all call the store at the same moment and report what
happened: ``("ok", value)``, or the class name and message of what was raised. A raw
database error is reported under its own class name, so a test sees it.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import sys
import traceback
import types
from typing import Any

JOB_TIMEOUT = 240


def _open(cache: dict[str, Any], url: str) -> Any:
    from planner.store.records import open_store

    if url not in cache:
        for old in cache.values():
            old.engine.dispose()
        cache.clear()
        cache[url] = open_store(url)
    return cache[url]


def _job(store: Any, job: str, args: dict[str, Any]) -> Any:
    from planner.store.identity import Identity

    if job == "progress":
        return store.set_progress(args["actor"], args["plan_id"], args["step"], "completed", on=args.get("on"))
    if job == "sign_in":
        return store.user_for(Identity(**args["identity"])).id
    if job == "local_user":
        me = store.local_user()
        return me.id, store.own_learner_id(me)
    if job == "save":
        return store.save_plan(args["actor"], args["learner_id"], scenario=args["scenario"],
                               catalogue=args["catalogue"], recommendation=args.get("recommendation"),
                               notes=args["notes"], plan_id=args["plan_id"],
                               based_on=args["based_on"], overwrite=args["overwrite"]).version
    if job == "erase":
        store.erase_learner(args["actor"], args["learner_id"])
        return "erased"
    if job == "profile":
        from planner.catalogue.models import LearnerProfile

        return store.update_profile(args["actor"], args["learner_id"], LearnerProfile(), name=args["name"]).name
    if job == "assign":
        store.assign(args["actor"], args["advisor_id"], args["learner_id"])
        return "assigned"
    raise ValueError(f"unknown job {job}")


def serve(tasks: Any, results: Any, barrier: Any) -> None:
    """Run jobs from ``tasks`` until ``None`` arrives (the body of one racing process)."""
    cache: dict[str, Any] = {}
    while True:
        task = tasks.get()
        if task is None:
            break
        job, url, args = task
        store, failure = None, None
        if job != "first_use":
            try:
                store = _open(cache, url)
            except Exception as exc:
                failure = (type(exc).__name__, str(exc))
        try:
            barrier.wait(timeout=JOB_TIMEOUT)
        except Exception:
            results.put(("BrokenBarrier", "the racers did not all arrive"))
            continue
        if failure:
            results.put(failure)
            continue
        try:
            if job == "first_use":
                from planner.store.records import open_store

                fresh = open_store(url)
                me = fresh.local_user()
                value = (me.id, fresh.own_learner_id(me))
                fresh.engine.dispose()
            else:
                value = _job(store, job, args)
            results.put(("ok", value))
        except Exception as exc:
            results.put((type(exc).__name__, f"{exc}\n{traceback.format_exc(limit=3)}"))
    for s in cache.values():
        s.engine.dispose()


class Racers:
    """``n`` real processes that run one job each per round, starting together."""

    def __init__(self, n: int = 8) -> None:
        ctx = mp.get_context("spawn")  # a clean interpreter: nothing of the parent's engines or threads
        self.n = n
        self.barrier = ctx.Barrier(n)
        self.results = ctx.Queue()
        self.tasks = [ctx.Queue() for _ in range(n)]
        self.procs = [ctx.Process(target=serve, args=(q, self.results, self.barrier), daemon=True)
                      for q in self.tasks]
        # a spawned child runs the parent's __main__ again first: pytest's, or a script an AppTest left
        # there (app.py, which cannot run outside Streamlit); the racers need none of it
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            for p in self.procs:
                p.start()
        finally:
            sys.modules["__main__"] = main

    def race(self, url: str, jobs: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, Any]]:
        """Run ``jobs`` (one per process, exactly ``n``) at once on the database ``url``; their outcomes."""
        assert len(jobs) == self.n, f"a round needs {self.n} jobs"
        for q, (job, args) in zip(self.tasks, jobs, strict=True):
            q.put((job, url, args))
        out: list[tuple[str, Any]] = []
        waited = 0.0
        while len(out) < len(jobs) and waited < JOB_TIMEOUT + 30:
            try:
                out.append(self.results.get(timeout=1))
            except queue.Empty:
                waited += 1
                dead = [p.exitcode for p in self.procs if not p.is_alive()]
                if dead:  # a racer that died never answers: say so now, not after the timeout
                    raise RuntimeError(f"{len(dead)} racing process(es) died (exit codes {dead}); "
                                       f"answers: {out}") from None
        return out + [("Timeout", "a racer did not answer")] * (len(jobs) - len(out))

    def close(self) -> None:
        """Stop the processes."""
        for q in self.tasks:
            q.put(None)
        for p in self.procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
