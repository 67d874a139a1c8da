"""Bearer tokens: signed by the configured provider, for this API, unexpired; roles from the store only.

Tokens come from a real OpenID Connect provider (``oidc-provider-mock``) through the
authorisation-code flow; forged ones are made from them by hand.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
from dataclasses import replace

from tests.api.conftest import bearer, client_for, running_provider


def _part(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _refused(response, words: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith('Bearer realm="stackable-planner"')
    assert words in response.json()["detail"], response.json()


def test_learner_data_needs_a_token_even_on_an_open_server(client):
    for path in ("/me", "/learners", "/learners/1", "/plans/1", "/plans/1/versions", "/aggregate"):
        _refused(client.get(path), "no bearer token")
    assert client.get("/credentials").status_code == 200  # the catalogue is open here
    _refused(client.get("/learners", headers={"Authorization": "Basic dXNlcjpwYXNz"}), "expected 'Bearer TOKEN'")


def test_a_closed_server_wants_a_token_for_the_catalogue_too(closed_settings, oidc):
    with client_for(closed_settings) as client:
        _refused(client.get("/credentials"), "no bearer token")
        _refused(client.post("/routes", json={"target": "role:data-analyst"}), "no bearer token")
        assert client.get("/credentials", headers=bearer(oidc.token("reader"))).status_code == 200
        assert client.get("/health").status_code == 200  # for load balancers


def test_a_token_signs_in_as_the_person_it_names(client, oidc):
    me = client.get("/me", headers=bearer(oidc.token("grace", name="Grace Hopper", email="grace@example.org")))
    assert me.status_code == 200, me.text
    assert me.json() == {"id": me.json()["id"], "role": "learner", "name": "Grace Hopper", "issuer": oidc.issuer,
                         "subject": "grace", "own_learner_id": None}


def test_roles_come_from_the_store_never_from_the_token(client, oidc, monkeypatch):
    # a provider (or anyone who controls a test account there) may put any claim in a token
    token = oidc.token("mallory", role="admin", roles=["admin", "advisor"], groups=["planner-admins"])
    assert client.get("/me", headers=bearer(token)).json()["role"] == "learner"
    assert client.get("/aggregate", headers=bearer(token)).status_code == 403
    # the configured lists name people by issuer and subject; a first sign-in takes the role they give
    monkeypatch.setenv("PLANNER_ADVISORS", oidc.key("ada"))
    assert client.get("/me", headers=bearer(oidc.token("ada"))).json()["role"] == "advisor"
    # and a role once given is the store's: signing in again with other claims changes nothing
    monkeypatch.delenv("PLANNER_ADVISORS")
    assert client.get("/me", headers=bearer(oidc.token("ada", role="learner"))).json()["role"] == "advisor"


def test_a_token_for_another_audience_is_refused(client, oidc):
    # an ID token the same provider issued to another application (another client id) is not for this API
    other = oidc.token("grace", client_id="another-application")
    assert _payload(other)["aud"] == ["another-application"]
    _refused(client.get("/me", headers=bearer(other)), "is not for this API")
    _refused(client.get("/credentials", headers=bearer(other)), "is not for this API")  # open, but the token is bad


def test_an_expired_token_is_refused(settings):
    with running_provider(access_token_max_age=dt.timedelta(seconds=1)) as short, \
            client_for(replace(settings, issuers=(short.issuer,))) as client:
        token = short.token("grace")
        time.sleep(2.2)
        _refused(client.get("/me", headers=bearer(token)), "has expired")


def test_a_token_of_another_issuer_is_refused(client):
    with running_provider() as stranger:
        _refused(client.get("/me", headers=bearer(stranger.token("grace"))), "issuer is not one this API accepts")


def test_a_changed_token_does_not_verify(client, oidc):
    header, payload, signature = oidc.token("grace").split(".")
    changed = _part({**_payload(f"x.{payload}.x"), "sub": "ada"})
    _refused(client.get("/me", headers=bearer(f"{header}.{changed}.{signature}")), "does not verify")


def test_unsigned_and_shared_secret_tokens_are_refused(client, oidc):
    claims = _payload(oidc.token("grace"))
    unsigned = f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(claims)}."
    _refused(client.get("/me", headers=bearer(unsigned)), "does not verify")
    # HS256 keyed with the provider's public key (the classic algorithm confusion)
    jwks = json.dumps(client.app.state.served.verifier._key_set(oidc.issuer).as_dict()).encode()
    head = f"{_part({'alg': 'HS256', 'typ': 'JWT'})}.{_part(claims)}"
    mac = base64.urlsafe_b64encode(hmac.new(jwks, head.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    _refused(client.get("/me", headers=bearer(f"{head}.{mac}")), "does not verify")


def test_garbage_tokens_are_refused_in_words(client):
    _refused(client.get("/me", headers={"Authorization": "Bearer abc"}), "not a JWT")
    _refused(client.get("/me", headers={"Authorization": "Bearer a.b.c"}), "not a JWT")
    _refused(client.get("/me", headers={"Authorization": "Bearer " + "a" * 20_000}), "longer than")


def test_a_server_without_sign_in_says_so(tmp_path):
    from planner.api.settings import Settings

    with client_for(Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")) as client:
        _refused(client.get("/learners"), "sign-in is not configured")
        assert client.get("/roles").status_code == 200


def test_the_token_says_whether_its_email_is_verified(client, oidc):
    # the store grants a role by e-mail only when the provider verified it (planner.store.access.initial_role);
    # the API hands the claim over exactly as the app's sign-in does
    verifier = client.app.state.served.verifier
    for claim, verified in ((True, True), ("true", True), (False, False), ("yes", False), (None, False)):
        claims = {"email": "kim@example.org"} if claim is None else {"email": "kim@example.org",
                                                                    "email_verified": claim}
        identity = verifier.identity(oidc.token(f"kim-{claim}", **claims))
        assert (identity.email, identity.email_verified) == ("kim@example.org", verified)
