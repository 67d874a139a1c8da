"""Sign-in: local single-user default, the sign-in gate, and OpenID Connect claims to an Identity."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from planner.store.identity import LOCAL_IDENTITY, Identity
from planner.ui.auth import SignInError, identity_from_claims

APP = """
import streamlit as st
from planner.ui.auth import acting_identity, require_sign_in
require_sign_in()
who = acting_identity()
st.write(f"acting: {who.key} / {who.name}")
"""
AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "c", "client_secret": "s",
                 "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}}
CLAIMS = {"iss": "https://id.example.org", "sub": "advisor-7", "email": "kim@example.org", "name": "Kim Advisor"}


def _acting(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("acting:")]


def test_without_auth_configuration_the_local_user_acts_without_sign_in() -> None:
    at = AppTest.from_string(APP, default_timeout=30)
    at.user = {}
    at.run()
    assert not at.exception
    assert _acting(at) == [f"acting: {LOCAL_IDENTITY.key} / {LOCAL_IDENTITY.name}"]
    assert not [b for b in at.button if b.label in ("Sign in", "Sign out")]


def test_with_auth_configured_nothing_runs_until_someone_signs_in() -> None:
    at = AppTest.from_string(APP, default_timeout=30)
    at.secrets = AUTH
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert _acting(at) == []


def test_a_signed_in_person_acts_under_their_provider_identity() -> None:
    at = AppTest.from_string(APP, default_timeout=30)
    at.secrets = AUTH
    at.user = {"is_logged_in": True, **CLAIMS}
    at.run()
    assert not at.exception
    assert _acting(at) == ["acting: https://id.example.org|advisor-7 / Kim Advisor"]
    assert "Sign out" in [b.label for b in at.sidebar.button]
    assert any("Kim Advisor" in c.value for c in at.sidebar.caption)


def test_claims_without_a_subject_are_refused_with_a_message() -> None:
    at = AppTest.from_string(APP, default_timeout=30)
    at.secrets = AUTH
    at.user = {"is_logged_in": True, "iss": "https://id.example.org", "email": "kim@example.org"}
    at.run()
    assert not at.exception
    assert any("did not send sub" in e.value for e in at.error)
    assert _acting(at) == []


def test_claims_map_to_an_identity() -> None:
    assert identity_from_claims(CLAIMS) == Identity("https://id.example.org", "advisor-7", "kim@example.org",
                                                    "Kim Advisor")
    # a provider without a display name: the username, else the e-mail address
    assert identity_from_claims({**CLAIMS, "name": " ", "preferred_username": "kim"}).name == "kim"
    assert identity_from_claims({"iss": "i", "sub": "s", "email": "e@x.org"}).name == "e@x.org"
    assert identity_from_claims({"iss": "i", "sub": "s"}) == Identity("i", "s", None, None)


@pytest.mark.parametrize("claims", [{}, {"iss": "i"}, {"sub": "s"}, {"iss": "", "sub": "s"}, {"iss": "i", "sub": 7}])
def test_claims_that_do_not_name_a_person_are_refused(claims: dict) -> None:
    with pytest.raises(SignInError, match="did not send"):
        identity_from_claims(claims)
