"""Questions wait their turn: at most ``PLANNER_API_ANSWERING`` are answered at once in one process.

The route engine is CPU-bound Python; answered side by side in one process, questions share
its core and all of them are late (``benchmarks/bench_api.py``). These tests count how many
answers are being worked on at once while many clients ask together.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from planner.api import routes_questions
from tests.api.conftest import START, client_for

QUESTION = {"target": "role:data-analyst", "alternatives": 1, "profile": {"constraints": {"start": START.isoformat()}}}


@pytest.mark.parametrize("answering", [1, 3])
def test_no_more_questions_are_answered_at_once_than_the_setting_allows(settings, monkeypatch, answering):
    lock = threading.Lock()
    now = [0]
    most = [0]
    real = routes_questions._routes

    def counted(question, ctx):  # type: ignore[no-untyped-def]
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        try:
            time.sleep(0.15)  # long enough for every client to be waiting
            return real(question, ctx)
        finally:
            with lock:
                now[0] -= 1

    monkeypatch.setattr(routes_questions, "_routes", counted)
    with client_for(replace(settings, answering=answering)) as client:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: client.post("/routes", json=QUESTION), range(8)))
        assert [a.status_code for a in answers] == [200] * 8
        assert len({a.content for a in answers}) == 1  # the same answer, however long each waited
        assert client.get("/health").status_code == 200
    assert most[0] == answering  # never more; and as many as allowed when that many wait
