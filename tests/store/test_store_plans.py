"""Plans: every save a version, conflicts named, progress becomes holdings, export and erase."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.outputs.export import plan_from_json, plan_to_json
from planner.store.access import Role
from planner.store.errors import AccessDenied, PlanConflict, StoreError
from planner.store.identity import Identity
from planner.store.records import open_store

from .conftest import START


@pytest.fixture
def team(store):
    admin = store.user_for(Identity("https://idp.test", "admin"), role=Role.ADMIN)
    ana = store.user_for(Identity("https://idp.test", "ana", name="Ana Advisor"), role=Role.ADVISOR)
    ben = store.user_for(Identity("https://idp.test", "ben", name="Ben Advisor"), role=Role.ADVISOR)
    learner = store.create_learner(ana, "Lee Learner")
    store.assign(admin, ben.id, learner.id)
    return ana, ben, learner


def test_every_save_is_a_version_and_older_versions_stay_readable(store, team, sample_catalogue, analyst):
    ana, ben, learner = team
    scenario, rec = analyst
    whatif = scenario.model_copy(update={"budget": 1500.0})
    v1 = store.save_plan(ana, learner.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                         whatifs=[whatif], notes="first meeting")
    v2 = store.save_plan(ben, learner.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                         route_index=1, notes="second meeting", plan_id=v1.plan_id, based_on=1)
    assert (v1.version, v2.version) == (1, 2)
    assert store.plan(ana, v1.plan_id).notes == "second meeting"
    old = store.plan(ana, v1.plan_id, version=1)
    assert old.notes == "first meeting" and old.whatifs == (whatif,) and old.saved_by == "Ana Advisor"
    assert old.chosen == rec.routes[0].credential_ids
    assert store.plan(ana, v1.plan_id).chosen == rec.routes[1].credential_ids
    # the stored route is the export module's plan file: it reads back equal
    assert old.route == plan_from_json(plan_to_json(rec, 0, notes="first meeting", alternatives=scenario.alternatives))
    assert [v.version for v in store.plan_versions(ben, v1.plan_id)] == [1, 2]
    assert old.catalogue_digest and old.basis["credentials"].keys() == set(old.chosen)


def test_a_concurrent_save_is_refused_with_who_and_when_and_overwrite_keeps_both(
        store, team, sample_catalogue, analyst, db_url):
    ana, ben, learner = team
    scenario, rec = analyst
    v1 = store.save_plan(ana, learner.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec)
    # Ben works in another process (another store on the same database), both start from version 1
    other = open_store(db_url)
    other.save_plan(ben, learner.id, scenario=scenario, catalogue=sample_catalogue, notes="Ben's edit",
                    plan_id=v1.plan_id, based_on=1)
    with pytest.raises(PlanConflict) as err:
        store.save_plan(ana, learner.id, scenario=scenario, catalogue=sample_catalogue, notes="Ana's edit",
                        plan_id=v1.plan_id, based_on=1)
    assert err.value.changed_by == "Ben Advisor" and err.value.latest == 2
    assert "changed by Ben Advisor at " in str(err.value) and "reload" in str(err.value)
    assert store.plan(ana, v1.plan_id).notes == "Ben's edit"  # nothing of Ana's was written
    v3 = store.save_plan(ana, learner.id, scenario=scenario, catalogue=sample_catalogue, notes="Ana's edit",
                         plan_id=v1.plan_id, based_on=1, overwrite=True)
    assert v3.version == 3 and v3.based_on == 1
    assert [v.notes for v in store.plan_versions(ana, v1.plan_id)] == ["", "Ben's edit", "Ana's edit"]
    other.engine.dispose()


def test_completing_a_step_makes_it_a_holding_dated_that_day(store, team, sample_catalogue, analyst):
    ana, _, learner = team
    scenario, rec = analyst
    plan = store.save_plan(ana, learner.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec)
    first, second = plan.chosen[:2]
    day = dt.date(2027, 3, 1)
    store.set_progress(ana, plan.plan_id, first, "completed", on=day)
    store.set_progress(ana, plan.plan_id, second, "in_progress")
    progress = store.progress(ana, plan.plan_id)
    assert [p.credential_id for p in progress.values()] == list(plan.chosen)
    assert (progress[first].status, progress[first].completed_on) == ("completed", day)
    assert progress[second].status == "in_progress" and progress[plan.chosen[-1]].status == "planned"
    assert [(h.credential, h.earned) for h in store.learner(ana, learner.id).profile.holdings] == [(first, day)]
    row = store.caseload(ana)[0]
    assert (row.steps, row.completed) == (len(plan.chosen), 1)
    store.set_progress(ana, plan.plan_id, first, "in_progress")  # undone: the holding goes again
    assert store.learner(ana, learner.id).profile.holdings == []
    with pytest.raises(StoreError, match="not a step"):
        store.set_progress(ana, plan.plan_id, "not-in-the-plan", "completed")
    with pytest.raises(StoreError, match="status"):
        store.set_progress(ana, plan.plan_id, first, "finished")


def test_export_holds_everything_and_erase_keeps_only_the_audit_entry(store, team, sample_catalogue, analyst):
    ana, ben, learner = team
    scenario, rec = analyst
    plan = store.save_plan(ana, learner.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                           notes="private note")
    store.save_plan(ben, learner.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                    plan_id=plan.plan_id, based_on=1, notes="second")
    store.set_progress(ben, plan.plan_id, plan.chosen[0], "completed", on=START)
    store.record_contact(ana, learner.id)
    data = store.export_learner(ana, learner.id)
    assert data["learner"]["name"] == "Lee Learner"
    assert data["advisors"] == ["Ana Advisor", "Ben Advisor"]
    assert [v["notes"] for v in data["plans"][0]["versions"]] == ["private note", "second"]
    assert data["plans"][0]["progress"][0]["credential"] == plan.chosen[0]
    assert data["learner"]["profile"]["holdings"] == [{"credential": plan.chosen[0], "earned": START.isoformat(),
                                                       "verification": "declared"}]
    actions = [a["action"] for a in data["audit_log"]]
    assert {"create", "assign", "save_plan", "progress", "contact", "export"} <= set(actions)
    assert "Ben Advisor" in {a["actor"].split("'")[1] for a in data["audit_log"]}

    store.erase_learner(ben, learner.id)
    with pytest.raises(AccessDenied):
        store.learner(ana, learner.id)
    assert store.caseload(ana) == [] and store.caseload(ben) == []
    with store.engine.connect() as conn:
        dump = "".join(str(row) for table in ("learners", "plans", "plan_versions", "progress", "caseload")
                       for row in conn.exec_driver_sql(f"SELECT * FROM {table}"))
    assert dump == ""  # no content left anywhere
    entries = store.audit_entries(learner.id)
    assert entries[-1].action == "erase" and "Ben Advisor" in entries[-1].actor
    assert not any("private note" in e.detail or "Lee" in e.detail for e in entries)


def test_an_erased_learners_id_is_never_given_to_another(store, team):
    ana, _, learner = team
    store.erase_learner(ana, learner.id)
    newcomer = store.create_learner(ana, "Next learner")
    assert newcomer.id > learner.id
    assert [e.action for e in store.audit_entries(newcomer.id)] == ["create"]


def test_simultaneous_saves_from_one_version_keep_exactly_one_and_refuse_the_rest(store, team, sample_catalogue,
                                                                                   analyst, db_url):
    from concurrent.futures import ThreadPoolExecutor

    ana, ben, learner = team
    scenario, _ = analyst
    plan = store.save_plan(ana, learner.id, scenario=scenario, catalogue=sample_catalogue)
    stores = [open_store(db_url) for _ in range(4)]  # four app processes, one database

    def save(i: int) -> str:
        try:
            stores[i].save_plan(ben if i % 2 else ana, learner.id, scenario=scenario, catalogue=sample_catalogue,
                                notes=f"edit {i}", plan_id=plan.plan_id, based_on=1)
        except PlanConflict:
            return "conflict"
        return "saved"

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(save, range(4)))
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "saved"]
    assert [v.version for v in store.plan_versions(ana, plan.plan_id)] == [1, 2]
    for s in stores:
        s.engine.dispose()
