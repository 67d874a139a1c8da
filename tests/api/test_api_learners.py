"""Learners, plans, versions, progress and re-plan over HTTP, as the store's access rules allow.

Each person signs in at the test provider; the advisor's role comes from ``PLANNER_ADVISORS``
(by issuer and subject), as on a real server.
"""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import START, bearer

SCENARIO = {"target": "role:data-analyst", "start": START.isoformat(), "budget": 3000, "alternatives": 2}


@pytest.fixture
def people(oidc, monkeypatch):
    """Bearer headers of an advisor and two learners."""
    monkeypatch.setenv("PLANNER_ADVISORS", oidc.key("ada-advisor"))
    return {who: bearer(oidc.token(who)) for who in ("ada-advisor", "lena-learner", "otto-learner")}


def _own_plan(client, who):
    record = client.post("/learners", json={"name": "Me"}, headers=who)
    assert record.status_code == 201, record.text
    plan = client.post(f"/learners/{record.json()['id']}/plans", json={"scenario": SCENARIO}, headers=who)
    assert plan.status_code == 201, plan.text
    return record.json()["id"], plan.json()


def _same_refusal(a, b, *ids) -> None:
    """Two refusals that say the same, whatever id each named."""
    assert a.status_code == b.status_code == 403, (a.text, b.text)
    text_a, text_b = a.json()["detail"], b.json()["detail"]
    for i in ids:
        text_a, text_b = re.sub(rf"\b{i}\b", "N", text_a), re.sub(rf"\b{i}\b", "N", text_b)
    assert text_a == text_b
    assert {k for k in a.json() if k != "instance"} == {k for k in b.json() if k != "instance"}


def test_a_learner_never_reads_another_learners_plan(client, people):
    lena, otto = people["lena-learner"], people["otto-learner"]
    lena_id, plan = _own_plan(client, lena)
    pid = plan["plan_id"]
    assert client.get(f"/plans/{pid}", headers=lena).json()["version"] == 1
    missing = pid + 1000
    for path in ("/plans/{}", "/plans/{}/versions", "/plans/{}/progress"):
        theirs = client.get(path.format(pid), headers=otto)
        nobody = client.get(path.format(missing), headers=otto)
        _same_refusal(theirs, nobody, pid, missing)  # forbidden and missing look the same
    for path in ("/learners/{}", "/learners/{}/plans", "/learners/{}/export", "/learners/{}/audit"):
        _same_refusal(client.get(path.format(lena_id), headers=otto), client.get(path.format(lena_id + 1000),
                                                                                   headers=otto), lena_id,
                      lena_id + 1000)
    steal = client.post(f"/plans/{pid}/versions", json={"scenario": SCENARIO, "based_on": 1}, headers=otto)
    assert steal.status_code == 403
    assert client.get(f"/plans/{pid}/versions", headers=lena).json()[-1]["version"] == 1  # nothing changed
    assert [r["learner_id"] for r in client.get("/learners", headers=otto).json()] == []


def test_an_advisor_plans_records_progress_and_replans(client, people):
    ada = people["ada-advisor"]
    assert client.get("/me", headers=ada).json()["role"] == "advisor"
    learner = client.post("/learners", json={"name": "Sam", "profile": {"constraints": {"hours_per_week": 10}}},
                          headers=ada).json()
    saved = client.post(f"/learners/{learner['id']}/plans", json={"scenario": SCENARIO, "notes": "first"},
                        headers=ada)
    assert saved.status_code == 201, saved.text
    plan = saved.json()
    assert plan["version"] == 1 and plan["chosen"] and plan["route"]["chosen"] == plan["chosen"]
    # the route saved is the one POST /routes gives for the same question
    answer = client.post("/routes", json={"target": SCENARIO["target"], "alternatives": 2,
                                          "profile": {"constraints": {"start": SCENARIO["start"],
                                                                      "budget": {"amount": 3000,
                                                                                 "currency": "EUR"}}}}).json()
    assert plan["chosen"] == answer["routes"][0]["credential_ids"]
    first = plan["chosen"][0]
    step = client.put(f"/plans/{plan['plan_id']}/progress/{first}", json={"status": "completed",
                                                                          "on": "2027-03-01"}, headers=ada)
    assert step.json()["completed_on"] == "2027-03-01"
    record = client.get(f"/learners/{learner['id']}", headers=ada).json()
    assert {"credential": first, "earned": "2027-03-01", "verification": "declared"} in record["profile"]["holdings"]
    steps = {s["credential_id"]: s["status"] for s in client.get(f"/plans/{plan['plan_id']}/progress",
                                                                  headers=ada).json()}
    assert steps[first] == "completed" and set(steps) == set(plan["chosen"])
    proposal = client.post(f"/plans/{plan['plan_id']}/replan", json={}, headers=ada).json()
    assert proposal["based_on"] == 1 and first in proposal["completed"] and proposal["saved"] is None
    assert first not in proposal["answer"]["routes"][0]["credential_ids"]  # held now, not planned again
    accepted = client.post(f"/plans/{plan['plan_id']}/replan", json={"accept": True}, headers=ada).json()
    assert accepted["saved"]["version"] == 2 and accepted["saved"]["notes"] == "first"
    versions = client.get(f"/plans/{plan['plan_id']}/versions", headers=ada).json()
    assert [v["version"] for v in versions] == [1, 2]
    assert client.get(f"/plans/{plan['plan_id']}?version=1", headers=ada).json()["notes"] == "first"
    rows = client.get("/learners", headers=ada).json()
    mine = next(r for r in rows if r["learner_id"] == learner["id"])
    assert (mine["plan_id"], mine["version"], mine["completed"]) == (plan["plan_id"], 2, 1)  # progress stays


def test_a_save_on_a_replaced_version_conflicts_and_nothing_is_lost(client, people):
    ada = people["ada-advisor"]
    learner = client.post("/learners", json={"name": "Kim"}, headers=ada).json()
    pid = client.post(f"/learners/{learner['id']}/plans", json={"scenario": SCENARIO}, headers=ada).json()["plan_id"]
    mine = client.post(f"/plans/{pid}/versions", json={"scenario": SCENARIO, "based_on": 1, "notes": "mine"},
                       headers=ada)
    assert mine.status_code == 201 and mine.json()["version"] == 2
    late = client.post(f"/plans/{pid}/versions", json={"scenario": SCENARIO, "based_on": 1, "notes": "late"},
                       headers=ada)
    assert late.status_code == 409
    problem = late.json()
    assert late.headers["content-type"] == "application/problem+json"
    assert (problem["type"], problem["latest"], problem["based_on"], problem["changed_by"]) == (
        "urn:stackable-planner:problem:plan-conflict", 2, 1, "Ada-Advisor")
    assert "was changed by Ada-Advisor" in problem["detail"]
    kept = client.post(f"/plans/{pid}/versions", json={"scenario": SCENARIO, "based_on": 1, "notes": "late",
                                                        "overwrite": True}, headers=ada)
    assert kept.status_code == 201 and kept.json()["version"] == 3
    assert [v["notes"] for v in client.get(f"/plans/{pid}/versions", headers=ada).json()] == ["", "mine", "late"]


def test_erased_learners_are_gone_and_refused_like_strangers(client, people):
    ada = people["ada-advisor"]
    learner = client.post("/learners", json={"name": "Erin"}, headers=ada).json()
    exported = client.get(f"/learners/{learner['id']}/export", headers=ada).json()
    assert exported["learner"]["name"] == "Erin"
    assert client.delete(f"/learners/{learner['id']}", headers=ada).status_code == 204
    _same_refusal(client.get(f"/learners/{learner['id']}", headers=ada),
                  client.get(f"/learners/{learner['id'] + 1000}", headers=ada), learner["id"], learner["id"] + 1000)


def test_bad_learner_input_is_located(client, people):
    ada = people["ada-advisor"]
    learner = client.post("/learners", json={"name": "Ines"}, headers=ada).json()
    bad = client.post(f"/learners/{learner['id']}/plans",
                      json={"scenario": {**SCENARIO, "deadline": "2026-01-01"}}, headers=ada)
    assert bad.status_code == 422 and bad.json()["detail"].startswith("request body: scenario")
    unknown = client.post(f"/learners/{learner['id']}/plans",
                          json={"scenario": {**SCENARIO, "target": "role:astronaut"}}, headers=ada)
    assert unknown.status_code == 422 and "astronaut" in unknown.json()["detail"]
    huge = client.get("/plans/99999999999", headers=ada)
    assert huge.status_code == 422 and huge.json()["detail"].startswith("path parameter plan_id")


def test_an_administrator_assigns_and_sees_no_records(client, people, oidc, monkeypatch):
    monkeypatch.setenv("PLANNER_ADMINS", oidc.key("amy-admin"))
    amy = bearer(oidc.token("amy-admin"))
    ada = people["ada-advisor"]
    advisor_id = client.get("/me", headers=ada).json()["id"]
    lena_id, plan = _own_plan(client, people["lena-learner"])
    assert client.get(f"/learners/{lena_id}", headers=ada).status_code == 403  # not on Ada's caseload yet
    assigned = client.put(f"/advisors/{advisor_id}/learners/{lena_id}", headers=amy)
    assert assigned.status_code == 200 and assigned.json()["learner_id"] == lena_id
    assert client.get(f"/learners/{lena_id}", headers=ada).json()["name"] == "Me"
    assert {u["identity"]: u["role"] for u in client.get("/users", headers=amy).json()}[oidc.key("ada-advisor")] \
        == "advisor"
    assert [(a["advisor_id"], a["learner_id"]) for a in client.get("/caseloads", headers=amy).json()] == [
        (advisor_id, lena_id)]
    # the administrator sees figures and assignments, never a record or a plan
    assert client.get(f"/learners/{lena_id}", headers=amy).status_code == 403
    assert client.get(f"/plans/{plan['plan_id']}", headers=amy).status_code == 403
    assert client.get("/aggregate", headers=amy).json()["plans"] == 1
    for who in (ada, people["lena-learner"]):  # and nobody else administers
        assert client.get("/users", headers=who).status_code == 403
        assert client.put(f"/advisors/{advisor_id}/learners/{lena_id}", headers=who).status_code == 403
    assert client.delete(f"/advisors/{advisor_id}/learners/{lena_id}", headers=amy).status_code == 204
    assert client.get(f"/learners/{lena_id}", headers=ada).status_code == 403


def test_a_routes_answer_is_saved_as_a_plan_file(client, people):
    ada = people["ada-advisor"]
    learner = client.post("/learners", json={"name": "Noor"}, headers=ada).json()
    answer = client.post("/routes", json={"target": "role:data-analyst", "alternatives": 2,
                                          "profile": {"constraints": {"start": START.isoformat()}}}).json()
    saved = client.post(f"/learners/{learner['id']}/plan-files", json={"file": answer, "route": 2}, headers=ada)
    assert saved.status_code == 201, saved.text
    assert saved.json()["chosen"] == answer["routes"][1]["credential_ids"]
    file = client.get(f"/plans/{saved.json()['plan_id']}/file", headers=ada).json()
    assert file["format"] == "stackable-planner-plan" and file["chosen"] == saved.json()["chosen"]
    again = client.post(f"/learners/{learner['id']}/plan-files",
                        json={"file": file, "plan_id": saved.json()["plan_id"]}, headers=ada)
    assert again.status_code == 201 and again.json()["version"] == 2
    bad = client.post(f"/learners/{learner['id']}/plan-files", json={"file": {"hello": 1}}, headers=ada)
    assert bad.status_code == 422 and bad.json()["detail"].startswith("request body: file: not a plan file")
