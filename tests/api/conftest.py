"""API fixtures: a real OpenID Connect provider on 127.0.0.1, its tokens, and the app in process.

``oidc-provider-mock`` runs in a thread (discovery, JWKS, authorisation and token
endpoints); :meth:`Provider.token` signs a person in through the authorisation-code flow
and returns the ID token it issues: an RS256 JWT with ``iss``, ``aud`` (the client id),
``exp`` and the person's claims. The app is the real application
(:func:`planner.api.app.create_app`) on the bundled catalogue and a private SQLite store,
driven by FastAPI's test client.
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

AUDIENCE = "stackable-planner-api"
REDIRECT = "http://localhost/callback"
START = dt.date(2027, 1, 4)


@dataclass(frozen=True)
class Provider:
    """A running ``oidc-provider-mock``: its issuer URL, and tokens for anyone."""

    issuer: str

    def token(self, subject: str, *, client_id: str = AUDIENCE, **claims: object) -> str:
        """An ID token for ``subject`` (with ``claims``), issued to ``client_id`` through the code flow."""
        import httpx

        with httpx.Client(timeout=30) as http:
            http.put(f"{self.issuer}/users/{urllib.parse.quote(subject, safe='')}",
                     json={"name": subject.title(), **claims}).raise_for_status()
            query = urllib.parse.urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
                                            "scope": "openid profile email", "state": "s", "nonce": "n"})
            answer = http.post(f"{self.issuer}/oauth2/authorize?{query}", data={"sub": subject})
            assert answer.status_code == 302, answer.text
            code = urllib.parse.parse_qs(urllib.parse.urlsplit(answer.headers["location"]).query)["code"][0]
            issued = http.post(f"{self.issuer}/oauth2/token", data={
                "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": client_id,
                "client_secret": "test-secret"})
            issued.raise_for_status()
            return str(issued.json()["id_token"])

    def key(self, subject: str) -> str:
        """The ``ISSUER|SUBJECT`` key the role lists name a person by."""
        return f"{self.issuer}|{subject}"



@contextmanager
def running_provider(**options: object) -> Iterator[Provider]:
    """Run ``oidc-provider-mock`` in a thread for a ``with`` block (options as its ``run_server_in_thread``)."""
    pytest.importorskip("oidc_provider_mock", reason="the 'oidc-provider-mock' dev dependency is not installed")
    from oidc_provider_mock import run_server_in_thread

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the test output
    with run_server_in_thread(**options) as server:  # type: ignore[arg-type]
        yield Provider(f"http://localhost:{server.server_port}")


@pytest.fixture(scope="session")
def oidc() -> Iterator[Provider]:
    """One provider for the whole session."""
    with running_provider() as provider:
        yield provider


@pytest.fixture
def settings(oidc: Provider, tmp_path: Path):
    """Settings of an app that checks tokens of ``oidc`` and keeps its records in a fresh SQLite file."""
    from planner.api.settings import Settings

    return Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", issuers=(oidc.issuer,), audience=AUDIENCE,
                    open_catalogue=True, scheduler="none", leeway=0)


def client_for(settings, *, run_jobs: bool = False):  # type: ignore[no-untyped-def]
    """A test client of the real application with these settings (enter it to start the app)."""
    from fastapi.testclient import TestClient

    from planner.api.app import create_app

    return TestClient(create_app(settings, run_jobs=run_jobs), raise_server_exceptions=False)


@pytest.fixture
def client(settings) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The app, started (its job worker off: tests that need jobs run start their own)."""
    with client_for(settings) as c:
        yield c


@pytest.fixture
def closed_settings(settings):  # type: ignore[no-untyped-def]
    """As :func:`settings`, with every endpoint needing a token."""
    return replace(settings, open_catalogue=False)


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header for a token."""
    return {"Authorization": f"Bearer {token}"}
