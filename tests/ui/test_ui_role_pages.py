"""Roles shape the app, driven through the app frame with AppTest on a real store.

Each role's navigation holds exactly its pages and lands on its own; a page a role may not
use refuses by its address. An advisor saves to the learner chosen in the sidebar (also one
with no plan yet, the blocker this mends), with the what-ifs and notes; the single user saves
to the learner they chose, never to themselves by accident; a learner lands on *My plan*
with the plan their advisor saved, its what-ifs, notes and versions; an administrator
assigns a learner to an advisor.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from planner.store.access import Role
from planner.store.identity import Identity
from planner.store.records import open_store

# the frame, with the pages shown in the navigation recorded (st.navigation is Streamlit's; read back, not changed)
NAV = """
import streamlit as st
_navigation = st.navigation
def _spy(pages, **kwargs):
    st.session_state["t_nav"] = [p.url_path for p in pages if p.visibility == "visible"]
    return _navigation(pages, **kwargs)
st.navigation = _spy
try:
    from planner.ui.frame import run
    run()
finally:
    st.navigation = _navigation
"""
IDP = "https://id.example.org"
AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "c", "client_secret": "s",
                 "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}}
PEOPLE = {
    "learner": {"iss": IDP, "sub": "lea", "email": "lea@example.org", "email_verified": True, "name": "Lea Learner"},
    "advisor": {"iss": IDP, "sub": "ada", "email": "ada@example.org", "email_verified": True, "name": "Ada Advisor"},
    "admin": {"iss": IDP, "sub": "amy", "email": "amy@example.org", "email_verified": True, "name": "Amy Admin"},
}
VISIBLE = {
    "learner": ["my-plan", "plan", "reach", "explore"],
    "advisor": ["plan", "reach", "compare", "caseload", "coverage", "explore", "catalogue"],
    "admin": ["people", "figures", "coverage", "explore", "catalogue"],
    "single": ["my-plan", "plan", "reach", "compare", "caseload", "coverage", "explore", "catalogue"],
}
LANDS = {"learner": "My plan", "advisor": "Plan a route", "admin": "People and caseloads", "single": "Plan a route"}


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'roles.sqlite3'}"
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    monkeypatch.setenv("PLANNER_ADVISORS", "ada@example.org")
    monkeypatch.setenv("PLANNER_ADMINS", "amy@example.org")
    monkeypatch.setenv("PLANNER_OIDC_ISSUER", IDP)  # e-mails count only when verified by this issuer
    store = open_store(url)
    yield store
    store.engine.dispose()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _app(who: str, **query: str) -> AppTest:
    at = AppTest.from_string(NAV, default_timeout=90)
    if who != "single":
        at.secrets = AUTH
        at.user = {"is_logged_in": True, **PEOPLE[who]}
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _go(at: AppTest, path: str) -> AppTest:
    pages = {info.get("url_pathname"): h for h, info in at._registered_pages.items()}
    at._page_hash = pages[path]
    return at.run()


def _user(db, who: str):
    claims = PEOPLE[who]
    return db.user_for(Identity(IDP, claims["sub"], claims["email"], claims["name"]), role=Role(who))


@pytest.mark.parametrize("who", list(VISIBLE))
def test_each_role_sees_its_pages_lands_on_its_own_and_every_one_renders(db, who):
    at = _app(who)
    _ok(at)
    assert at.session_state["t_nav"] == VISIBLE[who]
    assert [h.value for h in at.header] == [LANDS[who]]
    for path in VISIBLE[who]:
        _go(at, path)
        _ok(at)
        assert at.header[0].value not in ("", None), path
    # the learner picker is on Plan, Compare and Caseload for those with a caseload only
    _go(at, "explore")
    assert not [s for s in at.sidebar.selectbox if s.key == "lp_learner"]
    if "caseload" in VISIBLE[who]:
        _go(at, "plan")
        assert [s.label for s in at.sidebar.selectbox if s.key == "lp_learner"] == ["Working on"]


@pytest.mark.parametrize("who, path, message", [
    ("learner", "caseload", "'Caseload' is for advisors; you are signed in as a learner."),
    ("learner", "compare", "'Compare and what-if' is for advisors; you are signed in as a learner."),
    ("learner", "people", "'People and caseloads' is for administrators; you are signed in as a learner."),
    ("advisor", "people", "'People and caseloads' is for administrators; you are signed in as an advisor."),
    ("advisor", "figures", "'Institution figures' is for administrators; you are signed in as an advisor."),
    ("advisor", "my-plan", "'My plan' is for learners; you are signed in as an advisor."),
    ("admin", "caseload", "'Caseload' is for advisors; you are signed in as an admin."),
    ("admin", "plan", "'Plan a route' is for advisors; you are signed in as an admin."),
])
def test_a_page_a_role_may_not_use_refuses_by_its_address(db, who, path, message):
    noor = db.create_learner(_user(db, "advisor"), "Noor Example")  # someone else's record, never shown
    at = _go(_app(who), path)
    assert not at.exception
    assert [e.value for e in at.error] == [message + " Nothing of it is shown."]
    assert not at.dataframe and noor.name not in " ".join(m.value for m in at.markdown)
    assert path not in at.session_state["t_nav"]


def _save_on_plan_page(at: AppTest, key: str = "rec_save") -> AppTest:
    _go(at, "plan")
    at.button(key=key).click().run()
    _ok(at)
    return at


def test_a_signed_in_advisor_saves_to_the_learner_chosen_in_the_sidebar_even_without_a_plan(db):
    ada = _user(db, "advisor")
    noor = db.create_learner(ada, "Noor Example")
    at = _go(_app("advisor", target="role:data-analyst"), "plan")
    _ok(at)
    # nobody chosen: the save says why it cannot go anywhere, never guesses
    assert at.button(key="rec_save").disabled
    assert any("Choose the learner this plan is for" in i.value for i in at.info)
    at.sidebar.selectbox(key="lp_learner").set_value(noor.id).run()
    _ok(at)
    assert at.button(key="rec_save").label == "Save as a new plan for Noor Example"
    _save_on_plan_page(at)
    [saved] = db.plans(ada, noor.id)
    assert (saved.version, saved.target) == (1, "role:data-analyst")
    assert at.success[-1].value == f"Saved as version 1 of Noor Example's plan (plan {saved.plan_id})."
    assert at.button(key="rec_save").label == "Save as version 2 of Noor Example's plan"


def test_the_single_user_saves_to_the_learner_they_chose_and_their_own_plan_stays(db, sample_catalogue):
    from planner.engine.routing import recommend
    from planner.engine.scenario import Scenario

    me = db.local_user()
    own = db.own_learner_id(me)
    scenario = Scenario(target="role:energy-manager")
    mine = db.save_plan(me, own, scenario=scenario, catalogue=sample_catalogue,
                        recommendation=recommend(sample_catalogue, scenario.to_profile(), scenario.to_target()))
    noor = db.create_learner(me, "Noor Example")
    at = _go(_app("single"), "caseload")
    at.sidebar.selectbox(key="lp_learner").set_value(noor.id).run()
    _ok(at)
    at.button(key=f"cl_plan_for_{noor.id}").click().run()  # "Plan for this learner", she has no plan yet
    _ok(at)
    _save_on_plan_page(at)
    assert [p.version for p in db.plans(me, noor.id)] == [1]
    assert [(p.plan_id, p.version) for p in db.plans(me, own)] == [(mine.plan_id, 1)]  # untouched


def _what_ifs_and_notes(at: AppTest) -> None:
    s = at.session_state
    s["cmp_n"] = 3
    s["cmp1_use_budget"], s["cmp1_budget"] = True, 600.0
    s["cmp2_use_hours"], s["cmp2_hours"] = True, 15.0
    s["cmp_notes"] = "Evening classes only."


def test_what_ifs_and_notes_are_saved_with_each_version_and_come_back_with_the_plan(db):
    ada = _user(db, "advisor")
    noor = db.create_learner(ada, "Noor Example")
    other = db.create_learner(ada, "Omar Other")
    at = _go(_app("advisor", target="role:data-analyst"), "compare")
    at.sidebar.selectbox(key="lp_learner").set_value(noor.id).run()
    _go(at, "compare")
    _what_ifs_and_notes(at)
    at.run()
    _ok(at)
    assert at.radio(key="cmp_n").value == 3
    at.button(key="cmp_rec_save").click().run()  # the compare page saves too
    _ok(at)
    [saved] = db.plans(ada, noor.id)
    assert [(w.budget, w.hours_per_week) for w in saved.whatifs] == [(600.0, None), (None, 15.0)]
    assert saved.notes == "Evening classes only."
    # another learner: nothing of Noor's work comes along; back to Noor: her plan's what-ifs and notes
    at.sidebar.selectbox(key="lp_learner").set_value(other.id).run()
    assert at.session_state["cmp_notes"] == "" and at.radio(key="cmp_n").value == 2
    at.sidebar.selectbox(key="lp_learner").set_value(noor.id).run()
    _ok(at)
    assert at.session_state["cmp_notes"] == "Evening classes only." and at.radio(key="cmp_n").value == 3
    assert at.session_state["cmp1_budget"] == 600.0 and at.session_state["cmp2_hours"] == 15.0
    # the next version from the Plan page keeps them too
    _save_on_plan_page(at)
    latest = db.plans(ada, noor.id)[0]
    assert latest.version == 2 and len(latest.whatifs) == 2 and latest.notes == "Evening classes only."


def test_a_learner_lands_on_the_plan_their_advisor_saved_with_what_ifs_notes_and_versions(db, sample_catalogue):
    from planner.engine.routing import recommend
    from planner.engine.scenario import Scenario
    from planner.engine.whatif import WhatIf
    from planner.store import admin

    lea, ada = _user(db, "learner"), _user(db, "advisor")
    record = admin.assign(db, _user(db, "admin"), ada.id, user_id=lea.id)
    scenario = Scenario(target="role:data-analyst", budget=3000)
    rec = recommend(sample_catalogue, scenario.to_profile(), scenario.to_target(), alternatives=2)
    v1 = db.save_plan(ada, record.learner_id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                      whatifs=[WhatIf(name="What if A", budget=900.0).apply(scenario)], notes="Start in spring.")
    db.save_plan(ada, record.learner_id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                 route_index=1, whatifs=v1.whatifs, notes="Start in spring.", plan_id=v1.plan_id, based_on=1)
    other = db.create_learner(ada, "Omar Other")
    db.save_plan(ada, other.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec, notes="secret")
    at = _app("learner")
    _ok(at)
    assert [h.value for h in at.header] == ["My plan"]
    assert "Role · Data analyst" in [s.value for s in at.subheader]
    assert any(m.value.startswith("- **What if A**: budget 900 EUR") for m in at.markdown)
    assert "Start in spring." in [t.value for t in at.text]
    assert at.dataframe[0].value["Version"].tolist() == [2, 1]
    assert "secret" not in [t.value for t in at.text]
    # the versions compared: route 2 against route 1
    assert at.selectbox(key="mp_cmp_a").value == 1 and at.selectbox(key="mp_cmp_b").value == 2
    assert any("added:" in m.value or "removed:" in m.value for m in at.markdown)
    # progress from their own page
    step = rec.routes[1].credential_ids[0]
    at.selectbox(key=f"mp_step_{v1.plan_id}_{step}").set_value("completed").run()
    _ok(at)
    assert db.progress(lea, v1.plan_id)[step].status == "completed"


def test_an_administrator_assigns_a_learner_who_only_signed_in(db):
    lea, ada = _user(db, "learner"), _user(db, "advisor")
    at = _app("admin")
    _ok(at)
    users = at.dataframe[0].value
    assert users["Name"].tolist() == ["Amy Admin", "Ada Advisor", "Lea Learner"]
    at.selectbox(key="pp_assign_learner").set_value(f"user:{lea.id}").run()
    at.selectbox(key="pp_assign_advisor").set_value(ada.id).run()
    at.button(key="pp_assign").click().run()
    _ok(at)
    assert at.success[0].value == "Lea Learner is on Ada Advisor's caseload."
    assert [c.name for c in db.caseload(ada)] == ["Lea Learner"]
    assert at.dataframe[1].value["Learner"].tolist() == ["Lea Learner"]
    at.button(key="pp_unassign").click().run()
    _ok(at)
    assert db.caseload(ada) == []


def test_the_plan_pages_handout_and_plan_file_carry_the_what_ifs_and_notes(db, downloads):
    import json

    at = _go(_app("single", target="role:data-analyst"), "compare")
    _what_ifs_and_notes(at)
    _go(at, "plan")
    _ok(at)
    md = downloads["plan.md"].decode().replace("\\", "")
    assert "### What if A: budget 600 EUR" in md and "### What if B: 15 hours a week" in md
    assert "Evening classes only." in md
    plan = json.loads(downloads["plan.json"])
    assert [(w["name"], w.get("budget"), w.get("hours_per_week")) for w in plan["what_ifs"]] == [
        ("What if A", 600.0, None), ("What if B", None, 15.0)]
    assert plan["notes"] == "Evening classes only."
    # the learner's own page offers the saved version as a plan file with them too
    at.button(key="rec_save").click().run()
    _go(at, "my-plan")
    _ok(at)
    saved = json.loads(downloads["plan.json"])
    assert saved["what_ifs"] == plan["what_ifs"] and saved["notes"] == plan["notes"]


def test_without_the_learner_store_the_app_plans_without_records_and_says_why(monkeypatch, tmp_path):
    # a folder where the database file should be: the store cannot be opened
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path}")
    at = _app("single", target="role:data-analyst")
    assert not at.exception
    assert at.session_state["t_nav"] == ["plan", "reach", "compare", "coverage", "explore", "catalogue"]
    assert [h.value for h in at.header] == ["Plan a route"]
    assert any("Opening the learner records failed" in e.value for e in at.sidebar.error)
