"""Roles in the app: a demoted advisor's open session stops showing her caseload at once; claims map to roles."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from planner.store.access import Role
from planner.store.identity import Identity
from planner.store.records import open_store
from planner.ui.auth import identity_from_claims

CASELOAD = "from planner.ui.caseload_page import page\npage()\n"
AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "c", "client_secret": "s",
                 "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}}
KIM = {"iss": "https://id.example.org", "sub": "advisor-7", "name": "Kim Advisor", "email": "kim@example.org"}


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ui.sqlite3'}"
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    store = open_store(url)
    yield store
    store.engine.dispose()


def _shown(at: AppTest) -> str:
    parts = [str(d.value.to_dict("records")) for d in at.dataframe]
    parts += [str(m.value) for m in at.markdown] + [str(c.value) for c in at.caption]
    parts += [str(o) for s in at.selectbox for o in s.options]
    return "\n".join(parts)


def test_a_demoted_advisors_open_session_stops_listing_her_caseload(db, monkeypatch):
    monkeypatch.setenv("PLANNER_ADVISORS", f"{KIM['iss']}|{KIM['sub']}")
    at = AppTest.from_string(CASELOAD, default_timeout=60)
    at.secrets = AUTH
    at.user = {"is_logged_in": True, **KIM}
    at.run()
    assert not at.exception
    kim = db.user_for(Identity(KIM["iss"], KIM["sub"]))
    assert kim.role == Role.ADVISOR
    db.create_learner(kim, "Lee Learner")
    at.run()
    assert "Lee Learner" in _shown(at)
    admin = db.user_for(Identity(KIM["iss"], "root"), role=Role.ADMIN)
    db.set_role(admin, kim.id, Role.LEARNER)
    at.run()  # the same session, the next click
    assert not at.exception
    assert "Lee Learner" not in _shown(at)


@pytest.mark.parametrize(("claim", "verified"), [(True, True), ("true", True), (False, False), ("false", False),
                                                  (None, False), ("yes", False), (1, False)])
def test_only_a_true_email_verified_claim_marks_the_address_verified(claim, verified):
    claims = {**KIM} if claim is None else {**KIM, "email_verified": claim}
    assert identity_from_claims(claims).email_verified is verified
    assert identity_from_claims({"iss": "i", "sub": "s", "email_verified": True}).email_verified is False  # no address
