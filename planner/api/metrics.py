"""``/metrics`` in Prometheus's text format: requests, their durations, and the jobs.

Requests are counted by method, route template (never the raw path: ids would make a
series each) and status, with a duration histogram per route. With several uvicorn workers
``planner serve`` gives them a shared folder (``PROMETHEUS_MULTIPROC_DIR``) and a scrape of
any worker reports the sum of all of them. The jobs gauge is read from the database, so
every replica reports the same queue.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "exposition"]

REQUESTS = Counter("planner_api_requests", "HTTP requests answered", ["method", "route", "status"])
SECONDS = Histogram("planner_api_request_seconds", "Time to answer a request", ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))


class Metrics:
    """ASGI middleware that counts and times every HTTP request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def watch(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            REQUESTS.labels(scope["method"], route, str(status[0])).inc()
            SECONDS.labels(scope["method"], route).observe(time.perf_counter() - start)


class _Jobs:
    """A collector reading the jobs table at each scrape."""

    def __init__(self, counts: Callable[[], dict[str, int]]) -> None:
        self.counts = counts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("planner_api_jobs", "Analysis jobs in the database, by status", labels=["status"])
        try:
            for status, n in self.counts().items():
                family.add_metric([status], n)
        except Exception:  # the database is away: report no jobs rather than fail the whole scrape
            pass
        yield family


def exposition(job_counts: Callable[[], dict[str, int]]) -> bytes:
    """The text a scrape gets: this process (or every worker's, in multiprocess mode) and the jobs."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    jobs = CollectorRegistry()
    jobs.register(_Jobs(job_counts))  # type: ignore[arg-type]
    return text + generate_latest(jobs)
