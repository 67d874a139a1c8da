"""Writers that meet: eight real processes call the store at the same moment, on SQLite and PostgreSQL.

Each race is the one reported against the store: steps of one learner marked at once (lost
holdings), first use of an empty database (failed migrations), first sign-ins of one person
(duplicate users), an erase racing changes of the same learner (deadlocks, stale rows, a
learner left in place), and simultaneous saves of one plan (lost overwrites). Every outcome
must be a success or one of the store's own refusals; the database must hold exactly what
the successes wrote. The processes are spawned once per test session
(:mod:`tests.store.race_worker`) and meet at a barrier before each call.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import text

from planner.engine.routing import recommend
from planner.engine.scenario import Scenario
from planner.store import db
from planner.store.access import Role
from planner.store.errors import AccessDenied
from planner.store.identity import Identity
from planner.store.records import open_store

from .conftest import START
from .race_worker import Racers

N = 8


@pytest.fixture(scope="module")
def racers():
    pool = Racers(N)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def dba(sample_catalogue):
    """A question whose best route has at least eight steps (database administrator)."""
    scenario = Scenario(target="role:database-administrator", start=START)
    rec = recommend(sample_catalogue, scenario.to_profile(), scenario.to_target(), alternatives=1, today=START)
    assert len(rec.best.credential_ids) >= N
    return scenario, rec


@pytest.fixture
def case(store, sample_catalogue, dba):
    """An advisor, a learner on her caseload, and a saved plan with eight or more steps."""
    scenario, rec = dba
    advisor = store.user_for(Identity("https://idp.test", "ana", name="Ana"), role=Role.ADVISOR)
    learner = store.create_learner(advisor, "Lee Learner")
    plan = store.save_plan(advisor, learner.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                           notes="private note about Lee")
    return advisor, learner, plan


def _kinds(outcomes):
    return sorted(kind for kind, _ in outcomes)


def _count(store, sql: str, **params) -> int:
    with store.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def test_eight_processes_marking_eight_steps_of_one_learner_keep_all_eight(store, db_url, racers, case):
    advisor, learner, plan = case
    steps = plan.chosen[:N]
    outcomes = racers.race(db_url, [("progress", {"actor": advisor, "plan_id": plan.plan_id, "step": step,
                                                  "on": START}) for step in steps])
    assert _kinds(outcomes) == ["ok"] * N, outcomes
    holdings = {h.credential: h.earned for h in store.learner(advisor, learner.id).profile.holdings}
    assert holdings == dict.fromkeys(steps, START)  # none lost to another process's write
    progress = store.progress(advisor, plan.plan_id)
    assert {cid for cid, p in progress.items() if p.status == "completed"} == set(steps)
    assert _count(store, "SELECT count(*) FROM progress WHERE plan_id = :p", p=plan.plan_id) == N


def test_first_use_of_an_empty_database_by_eight_processes_all_succeed(db_url, racers):
    outcomes = racers.race(db_url, [("first_use", {})] * N)
    assert _kinds(outcomes) == ["ok"] * N, outcomes
    assert len({value for _, value in outcomes}) == 1  # one local user, one learner record
    store = open_store(db_url)
    try:
        assert db.current_revision(store.engine) == db.head_revision()
        assert _count(store, "SELECT count(*) FROM users") == 1
        assert _count(store, "SELECT count(*) FROM learners") == 1
        assert _count(store, "SELECT count(*) FROM caseload") == 1
    finally:
        store.engine.dispose()


def test_eight_simultaneous_first_sign_ins_of_one_person_make_one_user(store, db_url, racers):
    who = {"issuer": "https://idp.test", "subject": "kim", "name": "Kim", "email": "kim@example.org"}
    outcomes = racers.race(db_url, [("sign_in", {"identity": who})] * N)
    assert _kinds(outcomes) == ["ok"] * N, outcomes
    assert len({value for _, value in outcomes}) == 1
    assert _count(store, "SELECT count(*) FROM users WHERE subject = 'kim'") == 1


def test_an_erase_racing_changes_to_the_same_learner_leaves_nothing(store, db_url, racers, case, sample_catalogue,
                                                                    dba):
    advisor, learner, plan = case
    admin = store.user_for(Identity("https://idp.test", "root"), role=Role.ADMIN)
    other = store.user_for(Identity("https://idp.test", "ben"), role=Role.ADVISOR)
    scenario, rec = dba
    change = [
        ("progress", {"actor": advisor, "plan_id": plan.plan_id, "step": plan.chosen[0]}),
        ("progress", {"actor": advisor, "plan_id": plan.plan_id, "step": plan.chosen[1]}),
        ("progress", {"actor": advisor, "plan_id": plan.plan_id, "step": plan.chosen[2]}),
        ("profile", {"actor": advisor, "learner_id": learner.id, "name": "Lee Renamed"}),
        ("save", {"actor": advisor, "learner_id": learner.id, "scenario": scenario, "catalogue": sample_catalogue,
                  "notes": "another private note", "plan_id": plan.plan_id, "based_on": 1, "overwrite": True,
                  "recommendation": rec}),
        ("save", {"actor": advisor, "learner_id": learner.id, "scenario": scenario, "catalogue": sample_catalogue,
                  "notes": "a new plan", "plan_id": None, "based_on": None, "overwrite": False}),
        ("assign", {"actor": admin, "advisor_id": other.id, "learner_id": learner.id}),
    ]
    outcomes = racers.race(db_url, [("erase", {"actor": advisor, "learner_id": learner.id}), *change])
    kinds = _kinds(outcomes)
    assert kinds.count("ok") >= 1 and set(kinds) <= {"ok", "AccessDenied", "NotFound"}, outcomes
    assert ("ok", "erased") in outcomes
    with pytest.raises(AccessDenied):
        store.learner(advisor, learner.id)
    for sql in ("SELECT count(*) FROM learners WHERE id = :l", "SELECT count(*) FROM plans WHERE learner_id = :l",
                "SELECT count(*) FROM caseload WHERE learner_id = :l"):
        assert _count(store, sql, l=learner.id) == 0, sql
    assert _count(store, "SELECT count(*) FROM progress") == 0
    assert _count(store, "SELECT count(*) FROM plan_versions") == 0
    assert "erase" in [e.action for e in store.audit_entries(learner.id)]


def test_eight_simultaneous_overwrites_are_all_kept_and_saves_from_one_version_keep_one(
        store, db_url, racers, case, sample_catalogue, dba):
    advisor, learner, plan = case
    scenario, _ = dba

    def save(i: int, based_on: int, overwrite: bool):
        return ("save", {"actor": advisor, "learner_id": learner.id, "scenario": scenario,
                         "catalogue": sample_catalogue, "notes": f"edit {i}", "plan_id": plan.plan_id,
                         "based_on": based_on, "overwrite": overwrite})

    outcomes = racers.race(db_url, [save(i, 1, True) for i in range(N)])
    assert _kinds(outcomes) == ["ok"] * N, outcomes
    assert sorted(v for _, v in outcomes) == list(range(2, N + 2))
    versions = store.plan_versions(advisor, plan.plan_id)
    assert [v.version for v in versions] == list(range(1, N + 2))
    assert sorted(v.notes for v in versions[1:]) == sorted(f"edit {i}" for i in range(N))

    outcomes = racers.race(db_url, [save(i + N, N + 1, False) for i in range(N)])
    assert _kinds(outcomes) == ["PlanConflict"] * (N - 1) + ["ok"], outcomes
    assert all("was changed by Ana" in msg for kind, msg in outcomes if kind == "PlanConflict")
    assert [v.version for v in store.plan_versions(advisor, plan.plan_id)] == list(range(1, N + 3))


def test_threads_listing_one_caseload_against_two_catalogues_each_get_their_own_drift(store, case,
                                                                                      sample_catalogue):
    """One store shared by sessions (as the app does): the drift cache must not mix catalogues or days."""
    advisor, _, plan = case
    data = sample_catalogue.model_dump(mode="json", by_alias=True, exclude_none=True)
    gone = plan.chosen[0]
    data["credentials"] = [c for c in data["credentials"] if c["id"] != gone]
    retired = type(sample_catalogue).model_validate(data)
    expected = {id(sample_catalogue): (), id(retired): ("retired",)}
    problems: list[str] = []

    def look(catalogue, rounds: int) -> None:
        for i in range(rounds):
            try:
                [row] = store.caseload(advisor, catalogue=catalogue, today=START + dt.timedelta(days=i % 3))
                got = tuple(d.code for d in row.drift)
                if got != expected[id(catalogue)]:
                    problems.append(f"got {got}")
            except Exception as exc:
                problems.append(repr(exc))

    threads = [threading.Thread(target=look, args=(cat, 25)) for cat in (sample_catalogue, retired) * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
