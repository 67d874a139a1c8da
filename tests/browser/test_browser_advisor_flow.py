"""An advisor's session end to end: sign in, open a learner, record a step, re-plan, save.

The app runs with sign-in at a real OpenID Connect provider on 127.0.0.1
(``oidc-provider-mock``) and a learner store in a temporary SQLite file. The advisor and
their learner (with a saved plan) are put in the store beforehand through the library, as
an institution would; everything after that happens in headless Chromium, and the result
is read back from the store.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from planner.catalogue.loader import default_catalogue_dir, load
from planner.catalogue.models import Constraints, LearnerProfile, Target
from planner.engine.routing import recommend
from planner.engine.scenario import Scenario
from planner.store.identity import Identity
from planner.store.records import open_store
from tests.browser.browser_support import (
    ARTIFACTS,
    auth_secrets,
    running_app,
    running_oidc_provider,
    sign_in,
)

pytestmark = pytest.mark.browser

ADVISOR = {"sub": "advisor-ada", "name": "Ada Advisor", "email": "ada.advisor@example.org"}


def test_advisor_opens_a_learner_records_a_completed_step_replans_and_saves(tmp_path, monkeypatch, page) -> None:
    from playwright.sync_api import expect

    database = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    monkeypatch.setenv("PLANNER_DATABASE_URL", database)
    catalogue = load(default_catalogue_dir())
    today = dt.date.today()
    target = Target.parse("role:data-analyst")
    profile = LearnerProfile(constraints=Constraints(start=today))
    rec = recommend(catalogue, profile, target, today=today)
    assert rec.best is not None and len(rec.best.credential_ids) >= 2

    with running_oidc_provider([ADVISOR]) as issuer:
        store = open_store(database)
        advisor = store.user_for(Identity(issuer=issuer, subject=ADVISOR["sub"], email=ADVISOR["email"],
                                          name=ADVISOR["name"]), role="advisor")
        learner = store.create_learner(advisor, "Lena Learner", profile)
        saved = store.save_plan(advisor, learner.id, scenario=Scenario.from_parts(target, profile),
                                catalogue=catalogue, recommendation=rec)
        with running_app(secrets_toml=auth_secrets(issuer), name="streamlit-advisor-flow", tmp_dir=tmp_path) as url:
            page.set_viewport_size({"width": 1400, "height": 1100})
            sign_in(page, url, ADVISOR["sub"])
            page.goto(f"{url}/caseload")
            page.get_by_role("heading", name="Caseload").wait_for()
            # the learner is chosen in one place: the sidebar's picker
            page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Working on").click()
            page.get_by_role("option", name="Lena Learner", exact=True).click()
            page.get_by_text("Progress on the plan for Role · Data analyst").wait_for()
            # the first step of the plan: completed today
            status = page.get_by_role("combobox", name=re.compile(r"^Status of ")).first
            status.click()
            page.get_by_role("option", name="completed", exact=True).click()
            expect(status).to_have_value("completed")
            page.get_by_role("button", name="Re-plan from today").click()
            page.get_by_text("done:", exact=False).first.wait_for()
            page.screenshot(path=str(ARTIFACTS / "advisor-replan.png"))
            page.get_by_role("button", name="Save as a new version").click()
            page.get_by_text("Saved as version 2 of Lena Learner's plan.").wait_for()
            page.screenshot(path=str(ARTIFACTS / "advisor-saved.png"))

    versions = store.plan_versions(advisor, saved.plan_id)
    assert [v.version for v in versions][:2] in ([2, 1], [1, 2])
    newest = max(versions, key=lambda v: v.version)
    done = [cid for cid, step in store.progress(advisor, saved.plan_id).items() if step.status == "completed"]
    assert len(done) == 1
    held = {h.credential: h.earned for h in newest.scenario.to_profile().holdings}
    assert held.get(done[0]) == today  # the completed step is a holding dated the day it was recorded
    assert done[0] not in newest.chosen  # and the re-plan no longer asks for it
    assert newest.saved_by and ADVISOR["name"] in newest.saved_by
