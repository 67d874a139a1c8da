"""POST /routes answers exactly as ``planner recommend --format json``; every refusal is a located problem.

The CLI runs in this process (:func:`planner.cli.main`) on the same bundled catalogue, so
the two documents are compared whole.
"""

from __future__ import annotations

import json

import pytest

from planner.cli import main
from tests.api.conftest import START

QUESTIONS = [
    # (CLI flags, the same question as JSON)
    (["--target", "role:data-analyst", "--start", START.isoformat(), "-k", "3"],
     {"target": "role:data-analyst", "profile": {"constraints": {"start": START.isoformat()}}, "alternatives": 3}),
    (["--target", "role:data-analyst", "--start", START.isoformat(), "--have", "osa-python-data@2026-06-01",
      "--know", "sql=2", "--budget", "900EUR", "--hours-per-week", "12", "--objective", "time", "--pareto",
      "--terms", "3", "-k", "2"],
     {"target": "role:data-analyst", "objective": "time", "pareto": True, "terms": 3, "alternatives": 2,
      "profile": {"holdings": [{"credential": "osa-python-data", "earned": "2026-06-01"}],
                  "competencies": [{"competency": "sql", "level": 2}],
                  "constraints": {"start": START.isoformat(), "budget": {"amount": 900, "currency": "EUR"},
                                  "hours_per_week": 12}}}),
    (["--target", "role:data-analyst", "--start", START.isoformat(), "--weights", "cost=1,time=0.5", "-k", "1"],
     {"target": "role:data-analyst", "weights": "cost=1,time=0.5", "alternatives": 1,
      "profile": {"constraints": {"start": START.isoformat()}}}),
    (["--target", "role:data-analyst", "--start", START.isoformat(), "--budget", "10EUR", "-k", "1"],
     {"target": "role:data-analyst", "alternatives": 1,
      "profile": {"constraints": {"start": START.isoformat(), "budget": {"amount": 10, "currency": "EUR"}}}}),
]


def _cli(flags: list[str], capsys) -> tuple[int, dict | None, str]:
    code = main(["recommend", *flags, "--format", "json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


@pytest.mark.parametrize(("flags", "question"), QUESTIONS, ids=["plain", "everything", "weights", "infeasible"])
def test_routes_answer_exactly_as_the_cli(client, capsys, flags, question):
    code, expected, _ = _cli(flags, capsys)
    answer = client.post("/routes", json=question)
    assert answer.status_code == 200, answer.text
    assert answer.json() == expected
    assert (code == 0) == answer.json()["feasible"]


@pytest.mark.parametrize(("flags", "question", "field"), [
    (["--target", "role:astronaut"], {"target": "role:astronaut"}, None),
    (["--target", "job:x"], {"target": "job:x"}, "target"),
    (["--target", "role:data-analyst", "--weights", "cost=inf"],
     {"target": "role:data-analyst", "weights": "cost=inf"}, "weights"),
    (["--target", "role:data-analyst", "--have", "no-such-course"],
     {"target": "role:data-analyst", "profile": {"holdings": [{"credential": "no-such-course",
                                                               "earned": "2026-01-01"}]}}, None),
])
def test_refusals_say_what_the_cli_says(client, capsys, flags, question, field):
    code, _, err = _cli(flags, capsys)
    cli_message = err.strip().splitlines()[-1].removeprefix("planner recommend: ")
    answer = client.post("/routes", json=question)
    assert code == 1 and answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    detail = answer.json()["detail"]
    if field is None:  # the library's own words, unchanged
        assert detail == cli_message
    else:  # located at the body's field instead of the flag, for the same reason
        assert detail.startswith(f"request body: {field}: ")
        assert detail.split(": ", 2)[2] in err


def test_schema_refusals_name_every_field(client):
    answer = client.post("/routes", json={"target": "role:data-analyst", "alternatives": 0, "colour": "red",
                                          "profile": {"constraints": {"start": "9999-12-01"}}})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"] == "urn:stackable-planner:problem:invalid-input"
    assert any(e.startswith("request body: alternatives: ") for e in problem["errors"])
    assert any(e.startswith("request body: colour: ") for e in problem["errors"])
    assert "request body: profile.constraints.start: Input should be less than or equal to 2200-12-31" in \
        problem["errors"]  # docs/limits.md's MAX_DATE
    slow = client.post("/routes", json={"target": "role:data-analyst", "time_limit": 3000})
    assert slow.status_code == 422 and "PLANNER_API_MAX_SECONDS" not in slow.json()["detail"]
    assert slow.json()["detail"] == "request body: time_limit: at most 30 seconds on this server"


def test_bodies_are_limited_before_they_are_parsed(settings):
    from dataclasses import replace

    from tests.api.conftest import client_for

    with client_for(replace(settings, max_body_bytes=2_000)) as client:
        big = client.post("/routes", content=b"{" + b" " * 3_000 + b"}", headers={"content-type": "application/json"})
        assert big.status_code == 413 and big.json()["detail"].startswith("request body: 3,002 bytes announced")

        def chunks():  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b" " * 500

        streamed = client.post("/routes", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413 and "more than 2,000 bytes sent" in streamed.json()["detail"]


@pytest.mark.parametrize(("body", "words"), [
    (b'{"target": ', "request body:1: invalid JSON"),
    (b"[" * 150 + b"]" * 150, "nested more than 100 levels deep"),
    (b'{"target": "role:data-analyst", "alternatives": ' + b"9" * 200 + b"}", "a number with 200 digits"),
    (b'{"target": "role:data-analyst", "time_limit": NaN}', "NaN is not a JSON number"),
    (b'{"target": "role:data-analyst"} {"target": "x"}', "more than one JSON document"),
    (b"\xff\xfe\x00", "request body"),
])
def test_malformed_bodies_are_located_by_the_input_layer(client, body, words):
    answer = client.post("/routes", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert words in answer.json()["detail"]


def test_a_bug_is_a_500_with_a_reference_never_a_traceback(client, monkeypatch, tmp_path):
    import planner.engine.routing

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("secret internal detail")

    monkeypatch.setattr(planner.engine.routing, "recommend", broken)
    answer = client.post("/routes", json={"target": "role:data-analyst"})
    assert answer.status_code == 500
    problem = answer.json()
    assert problem["detail"] == "internal error, please report (ZeroDivisionError)"
    assert "secret" not in answer.text and "Traceback" not in answer.text and "File " not in answer.text
    saved = list((tmp_path / "stackable-planner" / "reports").iterdir())
    assert [p.name for p in saved] == [problem["reference"]]
    assert "secret internal detail" in saved[0].read_text()  # the maintainer gets the detail


def test_unknown_paths_and_methods_are_problems_too(client):
    for answer, status in ((client.get("/nowhere"), 404), (client.delete("/routes"), 405)):
        assert answer.status_code == status
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["status"] == status


# a time budget no busy machine exhausts: both sides prove every search, so their answers are equal
@pytest.mark.parametrize(("flags", "question"), [
    (["--start", START.isoformat(), "--top", "5", "--time-limit", "30"],
     {"profile": {"constraints": {"start": START.isoformat()}}, "options": {"top": 5, "time_limit": 30}}),
    (["--start", START.isoformat(), "--have", "osa-python-data@2026-06-01", "--kind", "award", "--objective", "time",
      "--time-limit", "30"],
     {"profile": {"holdings": [{"credential": "osa-python-data", "earned": "2026-06-01"}],
                  "constraints": {"start": START.isoformat()}},
      "options": {"kind": "award", "objective": "time", "time_limit": 30}}),
], ids=["top", "awards-by-time"])
def test_reach_answers_exactly_as_the_cli(client, capsys, flags, question):
    assert main(["reach", *flags, "--scheduler", "none", "--format", "json"]) == 0
    expected = json.loads(capsys.readouterr().out)
    answer = client.post("/reach", json=question)
    assert answer.status_code == 200, answer.text
    assert answer.json() == expected
    assert answer.json()["ranked"]


def test_reach_refusals_are_the_librarys_words(client):
    bad = client.post("/reach", json={"options": {"top": 0}})
    assert bad.status_code == 422 and bad.json()["detail"] == "top must be a whole number from 1 to 500"
    slow = client.post("/reach", json={"options": {"time_limit": 100}})
    assert slow.status_code == 422 and slow.json()["detail"].startswith("request body: options.time_limit: at most")
    unknown = client.post("/reach", json={"profile": {"holdings": [{"credential": "nope", "earned": "2026-01-01"}]}})
    assert unknown.status_code == 422 and "nope" in unknown.json()["detail"]
