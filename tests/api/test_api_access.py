"""The store's access-rule property, through HTTP: each token reaches exactly the records the rules allow.

The random populations and the rule of who may reach what are those of
``tests/store/test_store_access.py`` (imported, not restated); the people sign in at the test
provider and every call is an HTTP request with their bearer token. Allowed calls succeed;
every other call, on a record that exists or on one that never did, is the same 403.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings

from planner.store.access import Role
from planner.store.identity import Identity
from tests.api.conftest import START, bearer, client_for
from tests.store.conftest import reset
from tests.store.test_store_access import _allowed, population

SCENARIO = {"target": "role:data-analyst", "start": START.isoformat(), "budget": 3000}


@pytest.fixture(scope="module")
def api(oidc, tmp_path_factory):
    """One app for every example (the store is emptied between them) and a token per person."""
    from planner.api.settings import Settings

    url = f"sqlite:///{tmp_path_factory.mktemp('access') / 'api.sqlite3'}"
    settings = Settings(database_url=url, issuers=(oidc.issuer,), audience="stackable-planner-api", leeway=0)
    tokens: dict[str, dict[str, str]] = {}

    def headers(subject: str) -> dict[str, str]:
        if subject not in tokens:
            tokens[subject] = bearer(oidc.token(subject))
        return tokens[subject]

    with client_for(settings) as client:
        yield client, headers


def _build(client, store, issuer, headers, pop):
    """The population of the store test, made through the API (users sign in; roles as an operator sets them)."""
    def person(subject: str, role: Role):
        store.user_for(Identity(issuer, subject), role=role)  # the operator's lists, before first sign-in
        me = client.get("/me", headers=headers(subject)).json()
        assert me["role"] == role.value
        return me["id"], subject

    admin = person("admin", Role.ADMIN)
    advisors = [person(f"adv{i}", Role.ADVISOR) for i in range(pop["advisors"])]
    learners = [person(f"lrn{i}", Role.LEARNER) for i in range(pop["learner_users"])]
    records, used = [], set()
    for link, creator in pop["records"]:
        owner = learners[link] if link is not None and link < len(learners) and link not in used else None
        if owner is not None:
            used.add(link)
            saver, advisers = owner, set()
        else:
            saver = advisors[creator % len(advisors)]
            advisers = {saver[0]}
        lid = client.post("/learners", json={"name": f"L{len(records)}"}, headers=headers(saver[1])).json()["id"]
        plan = client.post(f"/learners/{lid}/plans", json={"scenario": SCENARIO, "route": None},
                           headers=headers(saver[1]))
        assert plan.status_code == 201, plan.text
        records.append([lid, plan.json()["plan_id"], owner[0] if owner else None, advisers])
    for a, r in pop["extra_links"]:
        if r < len(records):
            adv = advisors[a % len(advisors)]
            assert client.put(f"/advisors/{adv[0]}/learners/{records[r][0]}",
                              headers=headers(admin[1])).status_code == 200
            records[r][3].add(adv[0])
    return admin, advisors, learners, records


def _calls(lid: int, pid: int) -> list[tuple[str, str, dict | None]]:
    """Every query and command on one learner's records, as requests."""
    return [
        ("GET", f"/learners/{lid}", None),
        ("GET", f"/learners/{lid}/plans", None),
        ("GET", f"/plans/{pid}", None),
        ("GET", f"/plans/{pid}/versions", None),
        ("GET", f"/plans/{pid}/progress", None),
        ("POST", f"/plans/{pid}/versions", {"scenario": SCENARIO, "route": None, "based_on": None,
                                             "overwrite": True}),
        ("PUT", f"/learners/{lid}/profile", {"profile": {"name": "changed"}}),
        ("GET", f"/learners/{lid}/export", None),
        ("GET", f"/learners/{lid}/audit", None),
    ]


class _Who:
    """The store test's ``_allowed`` reads ``user.id`` and ``user.role``."""

    def __init__(self, user_id: int, role: Role) -> None:
        self.id, self.role = user_id, role


def _words(text: str, *ids: int) -> str:
    for i in ids:
        text = re.sub(rf"\b{i}\b", "N", text)
    return text


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pop=population)
def test_every_token_reaches_exactly_the_records_the_rules_allow(api, oidc, pop):
    client, headers = api
    store = client.app.state.served.store
    reset(store)
    admin, advisors, learners, records = _build(client, store, oidc.issuer, headers, pop)
    ghost = [max(r[0] for r in records) + 1000, max(r[1] for r in records) + 1000, None, set()]
    people = [(admin, Role.ADMIN)] + [(a, Role.ADVISOR) for a in advisors] + [(x, Role.LEARNER) for x in learners]
    for (user_id, subject), role in people:
        who = _Who(user_id, role)
        visible = {r[0] for r in records if _allowed(who, r)}
        listed = client.get("/learners", headers=headers(subject))
        if role == Role.ADMIN:
            assert listed.status_code == 403
        else:
            assert {row["learner_id"] for row in listed.json()} == visible
        for record in [*records, ghost]:
            twins = _calls(ghost[0], ghost[1])
            for (method, path, body), (_, twin_path, _) in zip(_calls(record[0], record[1]), twins, strict=True):
                answer = client.request(method, path, json=body, headers=headers(subject))
                if _allowed(who, record):
                    assert answer.status_code in (200, 201), (subject, method, path, answer.text)
                else:
                    assert answer.status_code == 403, (subject, method, path, answer.text)
                    # and a stranger's record is refused in exactly the words of one that never existed
                    twin = client.request(method, twin_path, json=body, headers=headers(subject))
                    assert _words(answer.json()["detail"], record[0], record[1], ghost[0], ghost[1]) == \
                        _words(twin.json()["detail"], record[0], record[1], ghost[0], ghost[1])

