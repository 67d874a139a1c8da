"""Analysis jobs: queued in the database, run on Dask by a worker, followed from any process.

The coverage job's result is exactly ``planner coverage --format json`` for the same scope;
a second application on the same database (another replica) sees the job and its result;
a job whose worker stopped is reported failed, never left running for ever.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import replace

from planner.cli import main
from tests.api.conftest import client_for

AS_OF = "2027-01-04"


def _wait(client, job_id: str, seconds: float = 240) -> dict:
    deadline = time.monotonic() + seconds
    seen = []
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}").json()
        seen.append((job["status"], job["progress"]["phase"]))
        if job["status"] in ("done", "failed"):
            job["seen"] = seen
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish: {seen[-3:]}")


def test_a_coverage_job_runs_on_dask_and_gives_the_cli_report(settings, capsys):
    # a real local Dask cluster (worker processes), as PLANNER_API_SCHEDULER=local asks
    dask = replace(settings, scheduler="local")
    with client_for(dask, run_jobs=True) as worker, client_for(dask) as other_replica:
        queued = worker.post("/jobs/coverage", json={"as_of": AS_OF, "provider": "openskills-academy"})
        assert queued.status_code == 202 and queued.headers["location"] == f"/jobs/{queued.json()['id']}"
        assert queued.json()["status"] in ("queued", "running")
        job = _wait(other_replica, queued.json()["id"])  # followed from the other application
    assert job["status"] == "done", job["error"]
    assert ("running", "reachability") in job["seen"] or ("running", "whatif") in job["seen"]
    assert main(["coverage", "--provider", "openskills-academy", "--as-of", AS_OF, "--format", "json",
                 "--scheduler", "none"]) == 0
    assert job["result"] == json.loads(capsys.readouterr().out)


def test_a_whatif_job_gives_the_reports_whatif_part(settings, capsys):
    with client_for(settings, run_jobs=True) as client:
        queued = client.post("/jobs/whatif", json={"as_of": AS_OF, "award": "nhu-msc-data-science"})
        job = _wait(client, queued.json()["id"])
    assert job["status"] == "done", job["error"]
    assert main(["coverage", "--award", "nhu-msc-data-science", "--as-of", AS_OF, "--format", "json",
                 "--scheduler", "none"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert job["result"] == {"as_of": AS_OF, "provider": None, "award": "nhu-msc-data-science",
                             "whatif": report["whatif"]}
    assert job["result"]["whatif"]["candidates"] is not None


def test_a_bad_scope_fails_the_job_in_words(settings):
    with client_for(settings, run_jobs=True) as client:
        job = _wait(client, client.post("/jobs/coverage", json={"provider": "nobody", "routes": False}).json()["id"])
        assert job["status"] == "failed"
        assert job["error"] == "unknown provider 'nobody' (known providers include: " + job["error"].split(": ", 1)[1]
        assert client.get("/jobs/00000000-0000-4000-8000-000000000000").status_code == 404
        assert client.get("/jobs/not-a-job").status_code == 422


def test_a_job_whose_worker_stopped_is_reported_failed(settings):
    from sqlalchemy import update

    from planner.api.jobs import STALE_SECONDS, jobs_table

    with client_for(settings) as client:  # no worker here: the job waits
        queued = client.post("/jobs/coverage", json={"routes": False}).json()
        served = client.app.state.served
        claimed = served.jobs.claim()  # a replica takes it, then dies without a word
        assert claimed is not None and claimed.id == queued["id"]
        assert client.get(f"/jobs/{queued['id']}").json()["status"] == "running"
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=STALE_SECONDS + 1)
        with served.store.engine.begin() as conn:
            conn.execute(update(jobs_table).where(jobs_table.c.id == queued["id"]).values(heartbeat_at=past))
        job = client.get(f"/jobs/{queued['id']}").json()
        assert job["status"] == "failed" and "stopped before it finished" in job["error"]
        assert served.jobs.claim() is None  # and nobody runs it twice


def test_metrics_count_requests_and_jobs(client):
    client.get("/roles")
    client.post("/jobs/coverage", json={"routes": False})
    text = client.get("/metrics").text
    assert 'planner_api_requests_total{method="GET",route="/roles",status="200"}' in text
    assert 'planner_api_jobs{status="queued"} 1.0' in text
    assert "planner_api_request_seconds_bucket" in text
