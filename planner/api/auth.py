"""Bearer tokens: OpenID Connect JWTs checked against the provider's keys, then the store's user.

A request carries ``Authorization: Bearer JWT``. The token's issuer must be one the
server is configured with (``PLANNER_OIDC_ISSUER``); its signature must verify with a key of
that issuer's JWKS (found through the issuer's discovery document, cached, fetched again
when a token names a key the cache does not hold); ``iss`` must equal the issuer, ``aud``
must name ``PLANNER_OIDC_AUDIENCE``, ``exp`` must be in the future and ``sub`` present
(``nbf`` and ``iat`` are checked when present), with a small clock leeway. Only asymmetric
algorithms are accepted (never ``none`` or a shared secret).

The verified claims become an :class:`~planner.store.identity.Identity` by the same rule as
the app's sign-in (:func:`planner.store.identity.identity_from_claims`), and the store maps
it to its user (:meth:`planner.store.records.Store.user_for`): roles come only from what the
store trusts, never from a claim the token carries.
"""

from __future__ import annotations

import ipaddress
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from planner.api.problems import ApiError
from planner.catalogue.inputs import InputError, decode_text, parse_json
from planner.store.identity import Identity, SignInError, identity_from_claims

__all__ = ["ALGORITHMS", "MAX_TOKEN_CHARS", "TokenError", "Verifier", "bearer_token", "unauthorized"]

#: Signature algorithms accepted: asymmetric only (a shared secret would let anyone with it mint tokens).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
#: Longest token read (characters); real ID and access tokens are a few kilobytes.
MAX_TOKEN_CHARS = 16_384
#: Largest discovery document or JWKS read (bytes).
MAX_DOCUMENT_BYTES = 1_000_000
#: Seconds to wait for the identity provider.
FETCH_TIMEOUT = 10.0
#: Keys are fetched again after this many seconds, and at most this often for an unknown key id.
KEYS_MAX_AGE = 600.0
REFETCH_AT_MOST_EVERY = 10.0


class TokenError(Exception):
    """A bearer token that cannot be accepted; the message says why (never the token)."""


def unauthorized(reason: str) -> ApiError:
    """The 401 problem for a missing or refused token (with the RFC 6750 challenge)."""
    challenge = 'Bearer realm="stackable-planner"'
    if reason != "no bearer token":
        quoted = reason.replace("\\", "").replace('"', "'")[:200]
        challenge += f', error="invalid_token", error_description="{quoted}"'
    return ApiError(401, f"Authorization: {reason}", kind="unauthorized", headers={"WWW-Authenticate": challenge})


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header (None when there is no header).

    Raises
    ------
    TokenError
        For another scheme, an empty or over-long token.
    """
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise TokenError("expected 'Bearer TOKEN'")
    token = token.strip()
    if not token:
        raise TokenError("the bearer token is empty")
    if len(token) > MAX_TOKEN_CHARS:
        raise TokenError(f"the bearer token is longer than {MAX_TOKEN_CHARS:,} characters")
    return token


def _loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def fetch_json(url: str) -> Any:
    """GET a JSON document from the identity provider: HTTPS (plain HTTP on loopback only), bounded.

    Raises
    ------
    TokenError
        When it cannot be fetched or is not JSON within the limits.
    """
    if urllib.parse.urlsplit(url).scheme != "https" and not _loopback(url):
        raise TokenError(f"{url}: the identity provider must be reached over HTTPS")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # the scheme is checked above
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # nosec B310
            data = response.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise TokenError(f"cannot reach the identity provider at {url}: {exc}") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise TokenError(f"{url}: larger than {MAX_DOCUMENT_BYTES:,} bytes")
    try:
        return parse_json(decode_text(data, url), url)
    except InputError as exc:
        raise TokenError(str(exc.problem)) from None


@dataclass
class _Keys:
    jwks_uri: str
    keys: Any  # joserfc KeySet
    fetched: float


class Verifier:
    """Checks bearer tokens for the configured issuers and audience.

    Parameters
    ----------
    issuers : sequence of str
        Issuers whose tokens are accepted (each exactly as its tokens' ``iss``).
    audience : str
        The audience a token must name.
    leeway : int
        Seconds of clock difference allowed.
    fetch : callable, optional
        ``fetch(url) -> JSON`` (default :func:`fetch_json`).
    """

    def __init__(self, issuers: Sequence[str], audience: str, *, leeway: int = 30,
                 fetch: Callable[[str], Any] = fetch_json) -> None:
        self.issuers = tuple(issuers)
        self.audience = audience
        self.leeway = leeway
        self._fetch = fetch
        self._keys: dict[str, _Keys] = {}
        self._lock = threading.Lock()

    def _key_set(self, issuer: str, *, fresh: bool = False) -> Any:
        from joserfc.jwk import KeySet

        with self._lock:
            held = self._keys.get(issuer)
            now = time.monotonic()
            if held is not None and now - held.fetched < (REFETCH_AT_MOST_EVERY if fresh else KEYS_MAX_AGE):
                return held.keys
            jwks_uri = held.jwks_uri if held is not None else self._discover(issuer)
            document = self._fetch(jwks_uri)
            try:
                keys = KeySet.import_key_set(document)
            except Exception as exc:  # a provider's broken JWKS: say so, accept nothing
                raise TokenError(f"{jwks_uri}: not a usable JWKS ({type(exc).__name__})") from None
            self._keys[issuer] = _Keys(jwks_uri, keys, now)
            return keys

    def _discover(self, issuer: str) -> str:
        document = self._fetch(issuer.rstrip("/") + "/.well-known/openid-configuration")
        if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
            raise TokenError(f"{issuer}: its discovery document names another issuer")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise TokenError(f"{issuer}: its discovery document has no jwks_uri")
        return jwks_uri

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims of ``token``.

        Raises
        ------
        TokenError
            Saying which check failed (unknown issuer, bad signature, wrong audience, expired …).
        """
        from joserfc import jwt
        from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError

        issuer = self._claimed_issuer(token)
        registry = jwt.JWTClaimsRegistry(
            leeway=self.leeway, iss={"essential": True, "value": issuer}, aud={"essential": True,
                                                                               "value": self.audience},
            exp={"essential": True}, sub={"essential": True})
        try:
            try:
                decoded = jwt.decode(token, self._key_set(issuer), algorithms=list(ALGORITHMS))
            except JoseError:  # a key the cache does not hold yet (the provider rotated its keys)?
                decoded = jwt.decode(token, self._key_set(issuer, fresh=True), algorithms=list(ALGORITHMS))
            registry.validate(decoded.claims)
        except ExpiredTokenError:
            raise TokenError("the token has expired") from None
        except MissingClaimError as exc:
            raise TokenError(f"the token has no {exc.description.split(':')[-1].strip()} claim") from None
        except InvalidClaimError as exc:
            claim = exc.claim if hasattr(exc, "claim") else "a claim"
            what = {"aud": f"is not for this API (audience {self.audience!r})",
                    "iss": "names another issuer"}.get(str(claim), f"has an invalid {claim} claim")
            raise TokenError(f"the token {what}") from None
        except JoseError as exc:
            raise TokenError(f"the token does not verify ({exc.error or type(exc).__name__})") from None
        except ValueError:
            raise TokenError("not a JWT") from None
        return dict(decoded.claims)

    def _claimed_issuer(self, token: str) -> str:
        """The token's ``iss``, read before verification only to choose whose keys verify it."""
        import base64

        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("not a JWT (expected three dot-separated parts)")
        try:
            raw = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
            payload = parse_json(decode_text(raw, "token"), "token")
        except (ValueError, InputError):
            raise TokenError("not a JWT (its payload is not JSON)") from None
        issuer = payload.get("iss") if isinstance(payload, dict) else None
        if not isinstance(issuer, str) or issuer.rstrip("/") not in {i.rstrip("/") for i in self.issuers}:
            raise TokenError("the token's issuer is not one this API accepts")
        return issuer

    def identity(self, token: str) -> Identity:
        """The person a verified token names (the app's sign-in rule).

        Raises
        ------
        TokenError
            When the token is refused, or its claims do not name a person.
        """
        try:
            return identity_from_claims(self.claims(token))
        except SignInError as exc:
            raise TokenError(str(exc)) from None
