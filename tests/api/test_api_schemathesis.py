"""Property-based requests on every operation of the served OpenAPI document (schemathesis).

The API runs on uvicorn in this process (a real HTTP server on 127.0.0.1) with the test
provider's tokens; schemathesis reads ``/openapi.json`` from it and sends generated requests
to every operation, as an advisor. Checked: no 5xx, every status code, content type,
header and body as the document declares.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="the 'schemathesis' dev dependency is not installed")

from hypothesis import HealthCheck, given, settings  # noqa: E402 (after the skip)
from schemathesis import checks  # noqa: E402

from tests.api.conftest import AUDIENCE, bearer  # noqa: E402

#: Examples per operation: about a minute for the whole document on two cores.
EXAMPLES = 10
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(oidc, tmp_path_factory) -> Iterator[str]:
    """The API on uvicorn, on a fresh SQLite store; searches limited to 2 s so that a run stays short."""
    import os

    import uvicorn

    from planner.api.app import create_app
    from planner.api.settings import Settings

    os.environ["PLANNER_ADVISORS"] = oidc.key("schemathesis-advisor")
    settings = Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('st') / 'api.sqlite3'}",
                        issuers=(oidc.issuer,), audience=AUDIENCE, open_catalogue=True, scheduler="none",
                        max_seconds=2.0)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, run_jobs=False), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the API did not start"
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        os.environ.pop("PLANNER_ADVISORS", None)


@pytest.fixture(scope="module")
def advisor(oidc, served) -> dict[str, str]:
    return bearer(oidc.token("schemathesis-advisor"))


@pytest.fixture(scope="module")
def api_schema(served):
    return schemathesis.openapi.from_url(f"{served}/openapi.json")


def _operations(api_schema) -> list:
    return [result.ok() for result in api_schema.get_all_operations()]


def test_the_document_covers_every_endpoint(api_schema):
    operations = {f"{op.method.upper()} {op.path}" for op in _operations(api_schema)}
    assert {"POST /routes", "POST /reach", "POST /credentials/verify", "GET /credentials", "GET /roles", "GET /awards",
            "POST /learners/{learner_id}/plans", "POST /plans/{plan_id}/versions", "POST /jobs/coverage",
            "GET /jobs/{job_id}", "GET /health", "GET /metrics"} <= operations
    assert len(operations) >= 35


def _examples(operation, headers: dict[str, str], seen: set[int]):  # type: ignore[no-untyped-def]
    """A Hypothesis test sending generated requests to one operation, recording the statuses seen."""

    from hypothesis import strategies as st

    # the document's own examples first, then generated requests
    strategy = st.one_of(*operation.get_strategies_from_examples(), operation.as_strategy())

    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case) -> None:  # type: ignore[no-untyped-def]
        seen.add(case.call_and_validate(headers=headers, checks=CHECKS, timeout=60).status_code)

    return run


def test_every_operation_answers_as_documented(api_schema, advisor, served):
    import httpx

    # records to reach: the documented example ids (1) name the advisor's first learner and plan
    with httpx.Client(base_url=served, headers=advisor, timeout=60) as http:
        for name in ("First", "Second"):
            learner = http.post("/learners", json={"name": name}).json()
            scenario = {"target": "role:data-analyst", "start": "2027-01-04"}
            assert http.post(f"/learners/{learner['id']}/plans", json={"scenario": scenario}).status_code == 201
    failures = []
    statuses: dict[str, set[int]] = {}
    # erasing last, so that the other operations meet records that exist
    for operation in sorted(_operations(api_schema), key=lambda op: op.method.upper() == "DELETE"):
        name = f"{operation.method.upper()} {operation.path}"
        run = _examples(operation, advisor, statuses.setdefault(name, set()))

        try:
            run()
        except Exception as exc:  # every operation is tried; all failures are reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:3000])
    assert not failures, "\n\n".join(failures)
    # every operation was called, and the generated requests got past validation where they could
    assert set(statuses) == {f"{op.method.upper()} {op.path}" for op in _operations(api_schema)}
    for name in ("GET /credentials", "GET /roles", "GET /health", "GET /me", "POST /learners", "POST /routes",
                 "GET /plans/{plan_id}", "GET /learners/{learner_id}/plans"):
        assert any(200 <= s < 300 for s in statuses[name]), (name, statuses[name])
    assert {s for seen in statuses.values() for s in seen} >= {200, 403, 422}
    print({name: sorted(seen) for name, seen in sorted(statuses.items())})
