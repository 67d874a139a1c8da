"""Two API replicas (real ``planner serve`` processes) on one PostgreSQL and one compiled catalogue.

A throw-away PostgreSQL cluster (``tests/store/catalogue_store_pg.py``) holds the learner
store, the jobs and the compiled catalogue. Two advisors save the same plan at the same
moment through different replicas: exactly one save wins, every other gets 409 naming who
changed it, and after overwriting nothing anyone saved is lost. A job queued on one replica
is followed to its end on the other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.api.conftest import AUDIENCE, START, bearer
from tests.conftest import CATALOGUE_DIR, ROOT
from tests.store.catalogue_store_pg import cluster, create_database

SCENARIO = {"target": "role:data-analyst", "start": START.isoformat(), "budget": 3000}
ROUNDS = 4
RACERS = 4


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    try:
        with cluster() as url:
            yield url
    except FileNotFoundError as exc:
        pytest.skip(f"{exc}; .ci/run installs Debian's postgresql")


def _replica(stack: ExitStack, env: dict[str, str], workers: int, log) -> str:  # type: ignore[no-untyped-def]
    import httpx

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "planner", "serve", "--port", str(port), "--workers",
                             str(workers), "--log-level", "warning"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    stack.callback(stop)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"replica on {port} exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"replica on {port} did not answer /health")


@pytest.fixture(scope="module")
def replicas(postgres, oidc, tmp_path_factory) -> Iterator[tuple[str, str]]:
    from planner.store.catalogue.build import build

    catalogue = create_database(postgres, "catalogue")
    assert build([CATALOGUE_DIR], catalogue).ok
    env = {**os.environ, "PLANNER_DATABASE_URL": create_database(postgres, "records"),
           "PLANNER_CATALOGUE": catalogue, "PLANNER_OIDC_ISSUER": oidc.issuer, "PLANNER_OIDC_AUDIENCE": AUDIENCE,
           "PLANNER_ADVISORS": f"{oidc.key('ada')},{oidc.key('bo')}", "PLANNER_ADMINS": oidc.key("amy"),
           "PLANNER_API_SCHEDULER": "none", "PLANNER_API_OPEN": "false"}
    log_path = tmp_path_factory.mktemp("replicas") / "replicas.log"
    with ExitStack() as stack, log_path.open("wb") as log:
        try:
            first = _replica(stack, env, 2, log)  # two worker processes behind one port
            second = _replica(stack, env, 1, log)
        except AssertionError:
            log.flush()
            raise AssertionError(log_path.read_text(errors="replace")[-4000:]) from None
        yield first, second


def test_simultaneous_saves_through_two_replicas_conflict_cleanly(replicas, oidc):
    import httpx

    first, second = replicas
    ada, bo, amy = (bearer(oidc.token(who)) for who in ("ada", "bo", "amy"))
    with httpx.Client(timeout=120) as http:
        learner = http.post(f"{first}/learners", json={"name": "Sam"}, headers=ada).json()
        bo_id = http.get(f"{second}/me", headers=bo).json()["id"]
        assert http.put(f"{second}/advisors/{bo_id}/learners/{learner['id']}", headers=amy).status_code == 200
        plan = http.post(f"{first}/learners/{learner['id']}/plans", json={"scenario": SCENARIO}, headers=ada)
        assert plan.status_code == 201, plan.text
        pid = plan.json()["plan_id"]
    saved_notes = []
    for round_ in range(ROUNDS):
        based_on = 1 + 2 * round_  # each round ends with a win and one overwrite
        barrier = threading.Barrier(RACERS)
        answers: list[tuple[str, object]] = [("", None)] * RACERS

        def save(i: int, round_: int = round_, barrier: threading.Barrier = barrier,
                 answers: list = answers, based_on: int = based_on) -> None:
            who, url = (("Ada", ada), first) if i % 2 == 0 else (("Bo", bo), second)
            note = f"round {round_} save {i} by {who[0]}"
            with httpx.Client(timeout=120) as http:
                barrier.wait()
                answers[i] = (note, http.post(f"{url}/plans/{pid}/versions", headers=who[1], json={
                    "scenario": SCENARIO, "route": None, "based_on": based_on, "notes": note}))

        threads = [threading.Thread(target=save, args=(i,)) for i in range(RACERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        won = [(note, r) for note, r in answers if r.status_code == 201]
        lost = [(note, r) for note, r in answers if r.status_code != 201]
        assert len(won) == 1, [(r.status_code, r.text) for _, r in answers]
        winner_note, winner = won[0]
        assert winner.json()["version"] == based_on + 1
        for _, r in lost:
            problem = r.json()
            assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json", r.text
            assert problem["latest"] == based_on + 1 and problem["based_on"] == based_on
            assert problem["changed_by"] == winner.json()["saved_by"]  # who changed it
            assert f"was changed by {problem['changed_by']}" in problem["detail"]
        saved_notes.append(winner_note)
        # one loser keeps their edit anyway: a new version, the winner's stays readable
        loser_note = lost[0][0]
        with httpx.Client(timeout=120) as http:
            kept = http.post(f"{second}/plans/{pid}/versions", headers=bo, json={
                "scenario": SCENARIO, "route": None, "based_on": based_on, "notes": loser_note, "overwrite": True})
        assert kept.status_code == 201 and kept.json()["version"] == based_on + 2
        saved_notes.append(loser_note)
    with httpx.Client(timeout=120) as http:
        versions = [http.get(f"{url}/plans/{pid}/versions", headers=ada).json() for url in (first, second)]
    assert versions[0] == versions[1]  # both replicas read the one database
    assert [v["version"] for v in versions[0]] == list(range(1, 2 + 2 * ROUNDS))
    assert [v["notes"] for v in versions[0][1:]] == saved_notes  # nothing lost, in order


def test_a_job_queued_on_one_replica_is_followed_on_the_other(replicas, oidc):
    import httpx

    first, second = replicas
    ada = bearer(oidc.token("ada"))
    with httpx.Client(timeout=60) as http:
        queued = http.post(f"{first}/jobs/coverage", json={"routes": False, "provider": "openskills-academy"},
                           headers=ada)
        assert queued.status_code == 202, queued.text
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            job = http.get(f"{second}/jobs/{queued.json()['id']}", headers=ada).json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.5)
        assert job["status"] == "done", job
        assert job["result"]["provider"] == "openskills-academy"
        metrics = http.get(f"{first}/metrics").text  # both workers of the first replica counted together
        assert 'planner_api_jobs{status="done"}' in metrics
        assert 'route="/learners/{learner_id}/plans"' in metrics or 'route="/jobs/coverage"' in metrics
