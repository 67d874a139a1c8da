"""The caseload page and the plan page's Save action, driven with AppTest on a real store."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from planner.catalogue.models import Catalogue
from planner.engine.routing import recommend
from planner.engine.scenario import Scenario
from planner.store.records import open_store

CASELOAD = "from planner.ui.caseload_page import page\npage()\n"
PLAN = "from planner.ui.plan_page import page\npage()\n"
# the frame draws the sidebar's learner picker on these pages
PICKER = "from planner.ui.learner_picker import learner_picker\nlearner_picker()\n"
START = dt.date(2027, 1, 4)


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ui.sqlite3'}"
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    store = open_store(url)
    yield store
    store.engine.dispose()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _priced(catalogue: Catalogue, cid: str, amount: float) -> Catalogue:
    data = catalogue.model_dump(mode="json", by_alias=True, exclude_none=True)
    next(c for c in data["credentials"] if c["id"] == cid)["cost"] = {"amount": amount, "currency": "EUR"}
    return Catalogue.model_validate(data)


def _saved_plan(db, catalogue, *, as_if_priced: float | None = None):
    me = db.local_user()
    learner = db.own_learner_id(me)
    scenario = Scenario(target="role:data-analyst", start=START)
    rec = recommend(catalogue, scenario.to_profile(), scenario.to_target(), today=START)
    basis_catalogue = _priced(catalogue, rec.best.credential_ids[0], as_if_priced) if as_if_priced else catalogue
    return me, db.save_plan(me, learner, scenario=scenario, catalogue=basis_catalogue, recommendation=rec)


def test_caseload_lists_the_local_learner_with_plan_progress_and_a_drift_badge(db, sample_catalogue):
    me, plan = _saved_plan(db, sample_catalogue, as_if_priced=50.0)
    db.set_progress(me, plan.plan_id, plan.chosen[1], "completed", on=START)
    at = AppTest.from_string(CASELOAD, default_timeout=60).run()
    _ok(at)
    first = sample_catalogue.credential(plan.chosen[0]).title
    now = sample_catalogue.credential(plan.chosen[0]).cost
    reason = f"the price of '{first}' changed from 50 EUR to {now}"
    [table] = at.dataframe
    assert table.value.to_dict("records") == [{
        "Learner": "Local user", "Plan": sample_catalogue.role("data-analyst").title, "Version": "1",
        "Status": "active", "Done": f"1 of {len(plan.chosen)} steps", "Plan holds": "⚠ " + reason,
        "Last contact": "never"}]  # words, never "None"
    # the drift badge with its reason, above the list
    assert any(m.value.startswith("**Local user** :red-badge[") and "1 change]" in m.value for m in at.markdown)
    assert reason in [c.value.replace("\\", "") for c in at.caption]
    assert "1 of 1 learners · 1 plans no longer hold" in [c.value for c in at.caption]


def test_one_click_replan_shows_the_difference_and_saves_a_new_version(db, sample_catalogue):
    me, plan = _saved_plan(db, sample_catalogue, as_if_priced=50.0)
    db.set_progress(me, plan.plan_id, plan.chosen[0], "completed", on=START)
    at = AppTest.from_string(CASELOAD, default_timeout=60).run()
    at.button(key=f"cl_replan_{plan.learner_id}").click().run()
    _ok(at)
    first = sample_catalogue.credential(plan.chosen[0]).title
    assert any(f"done: {first}" in m.value.replace("\\", "") for m in at.markdown)
    assert [m.label for m in at.metric][-2:] == ["Cost of what is left (EUR)", "Finish"]
    at.button(key="cl_replan_save").click().run()
    _ok(at)
    assert [s.value for s in at.success] == ["Saved as version 2 of your plan."]
    latest = db.plan(me, plan.plan_id)
    assert latest.version == 2 and plan.chosen[0] not in latest.chosen
    assert not any("red-badge" in m.value for m in at.markdown)  # the new version relies on today's catalogue
    assert at.dataframe[0].value["Plan holds"].tolist() == ["✓"]


def test_progress_is_recorded_from_the_details_and_the_learner_opens_on_the_plan(db, sample_catalogue):
    me, plan = _saved_plan(db, sample_catalogue)
    at = AppTest.from_string(PICKER + CASELOAD, default_timeout=60).run()
    _ok(at)
    assert at.sidebar.selectbox(key="lp_learner").value == plan.learner_id  # single-user: their own record
    at.selectbox(key=f"cl_step_{plan.plan_id}_{plan.chosen[0]}").set_value("completed").run()
    _ok(at)
    assert [h.credential for h in db.learner(me, plan.learner_id).profile.holdings] == [plan.chosen[0]]
    assert at.dataframe[0].value["Done"].tolist() == [f"1 of {len(plan.chosen)} steps"]
    at.button(key=f"cl_plan_for_{plan.learner_id}").click().run()
    _ok(at)
    assert at.session_state["sc_target"] == "role:data-analyst"
    assert at.session_state["rec_open"] == {"learner": plan.learner_id, "plan": plan.plan_id, "version": 1,
                                            "target": "role:data-analyst"}


def test_adding_a_learner_makes_them_the_learner_worked_on(db):
    at = AppTest.from_string(PICKER + CASELOAD, default_timeout=60).run()
    at.text_input(key="cl_add_name").input("Noor Example")
    at.button[0].click().run()
    _ok(at)
    assert sorted(at.dataframe[0].value["Learner"]) == ["Local user", "Noor Example"]
    noor = next(r for r in db.caseload(db.local_user()) if r.name == "Noor Example")
    assert at.sidebar.selectbox(key="lp_learner").value == noor.learner_id
    assert at.subheader[-1].value == "Noor Example"  # her details, with "Plan for this learner"
    assert at.button(key=f"cl_plan_for_{noor.learner_id}")


def test_a_refused_add_is_said_and_the_page_goes_on(db, monkeypatch):
    from planner.store.errors import StoreError
    from planner.store.records import Store

    def refuse(*args, **kwargs):
        raise StoreError("user 2 already has a learner record")

    monkeypatch.setattr(Store, "create_learner", refuse)
    at = AppTest.from_string(PICKER + CASELOAD, default_timeout=60).run()
    at.text_input(key="cl_add_name").input("Noor Example")
    at.button[0].click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["The learner could not be added: user 2 already has a learner record"]
    assert at.dataframe[0].value["Learner"].tolist() == ["Local user"]  # the rest of the page is there


def test_save_plan_on_the_plan_page_survives_a_new_session_and_names_a_conflict(db, sample_catalogue):
    at = AppTest.from_string(PLAN, default_timeout=60).run()
    at.selectbox(key="sc_target").set_value("role:data-analyst").run()
    at.button(key="rec_save").click().run()
    _ok(at)
    assert [s.value for s in at.success][-1].startswith("Saved as version 1 of your plan (plan ")
    me = db.local_user()
    [row] = db.caseload(me)
    assert (row.target, row.version) == ("role:data-analyst", 1)
    at.button(key="rec_save").click().run()
    assert db.caseload(me)[0].version == 2
    # someone else saves meanwhile (another tab, another advisor)
    saved = db.plan(me, row.plan_id)
    db.save_plan(me, row.learner_id, scenario=saved.scenario, catalogue=sample_catalogue, notes="elsewhere",
                 plan_id=row.plan_id, based_on=2)
    at.button(key="rec_save").click().run()
    assert any("was changed by Local user at" in e.value for e in at.error)
    at.button(key="rec_overwrite").click().run()
    assert [v.notes for v in db.plan_versions(me, row.plan_id)] == ["", "", "elsewhere", ""]
    # a new session (an app restart) finds the plan on the caseload
    again = AppTest.from_string(CASELOAD, default_timeout=60).run()
    _ok(again)
    assert again.dataframe[0].value["Version"].tolist() == ["4"]


def test_erasing_a_learner_from_the_page_keeps_only_the_audit_entry(db, sample_catalogue):
    me, _ = _saved_plan(db, sample_catalogue)
    other = db.create_learner(me, "Erase Me")
    at = AppTest.from_string(PICKER + CASELOAD, default_timeout=60).run()
    at.sidebar.selectbox(key="lp_learner").set_value(other.id).run()
    assert at.button(key=f"cl_erase_{other.id}").disabled
    at.text_input(key=f"cl_erase_name_{other.id}").set_value("Erase M").run()  # not quite the name
    assert at.button(key=f"cl_erase_{other.id}").disabled
    at.text_input(key=f"cl_erase_name_{other.id}").set_value("Erase Me").run()
    at.button(key=f"cl_erase_{other.id}").click().run()
    _ok(at)
    assert at.dataframe[0].value["Learner"].tolist() == ["Local user"]
    assert [e.action for e in db.audit_entries(other.id)][-1] == "erase"


def test_done_counts_the_steps_a_re_plan_dropped_once_completed(db, sample_catalogue):
    # a plan of N steps, one completed, re-planned: the new version asks for the others only, and
    # the caseload still says 1 of N (never "1 of N-1", which reads as if a step had vanished)
    from planner.store.replan import accept_replan, replan

    me, saved = _saved_plan(db, sample_catalogue)
    first = saved.chosen[0]
    db.set_progress(me, saved.plan_id, first, "completed", on=START)
    proposal = replan(db, me, saved.plan_id, sample_catalogue, today=START)
    newer = accept_replan(db, me, proposal, sample_catalogue)
    assert first not in newer.chosen  # the completed step is a holding now, not a step to take
    row = db.caseload(me)[0]
    assert (row.version, row.completed, row.steps) == (2, 1, len(newer.chosen) + 1)
    at = AppTest.from_string(CASELOAD, default_timeout=60).run()
    _ok(at)
    assert at.dataframe[0].value["Done"].tolist() == [f"1 of {len(newer.chosen) + 1} steps"]
