"""VC-JWT: a credential signed as a compact JWS (``application/vc+jwt``), EdDSA (Ed25519) only.

Two payload forms exist: Open Badges 3.0's VC-JWT (JWT claims ``iss``, ``nbf``, ``exp``,
``jti``, ``sub`` with the credential under ``vc``) and VC-JOSE-COSE (the payload *is* the
credential). The signature covers the payload's bytes, so its JSON is what was signed. The
key comes from the header's ``kid`` (a ``did:key``, an issuer URL whose fragment is a
Multikey, or a method an issuer document gives) or its ``jwk``; like a Data Integrity
proof's verification method, it binds nothing by itself: the issuer is confirmed only by
:func:`planner.verify.trust.bind_issuer`. Other algorithms (RS256, ES256, …) are said by name.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature

from planner.catalogue.inputs import InputError, parse_json
from planner.verify.keys import KeyFormatError, public_key, public_key_bytes
from planner.verify.proof import CLOCK_SKEW, ProofCheck
from planner.verify.trust import TrustList

__all__ = ["JWT_PATTERN", "MAX_JWT_CHARS", "JwtCredential", "looks_like_jwt", "read_jwt"]

#: the compact serialisation: three base64url parts
JWT_PATTERN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
#: longest token read (characters)
MAX_JWT_CHARS = 5_000_000


@dataclass(frozen=True)
class JwtCredential:
    """A VC-JWT, read and its signature checked.

    Attributes
    ----------
    credential : Any
        The credential the payload carries (None when it could not be read).
    check : ProofCheck
        The signature check, as for a Data Integrity proof.
    problem : str
        Why the token could not be read at all (empty when it was).

    """

    credential: Any
    check: ProofCheck
    problem: str = ""


def looks_like_jwt(text: str) -> bool:
    """Whether ``text`` (stripped) has the form of a compact JWS."""
    stripped = text.strip()
    return len(stripped) <= MAX_JWT_CHARS and bool(JWT_PATTERN.match(stripped))


def _b64(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def _json_part(part: str, what: str) -> Any:
    try:
        return parse_json(_b64(part).decode("utf-8"), what)
    except (ValueError, UnicodeDecodeError, InputError) as exc:
        raise ValueError(f"the token's {what} is not JSON: {exc}") from None


def _key(header: dict[str, Any], trust: TrustList) -> tuple[str, bytes]:
    if isinstance(header.get("jwk"), dict):
        return "(the header's jwk)", public_key_bytes(header["jwk"])
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise KeyFormatError("the token's header names no key (kid or jwk)")
    base, _, fragment = kid.partition("#")
    if base.startswith("did:key:"):
        return kid, public_key_bytes(base)
    known = trust.method(kid)
    if known is not None:
        return kid, known.key
    if fragment.startswith("z6Mk"):
        return kid, public_key_bytes(fragment)
    raise KeyFormatError(f"key {kid[:200]} cannot be resolved offline (give the issuer's DID document or profile "
                         "with --issuer-document FILE, or ask --resolve-issuers)")


def _claim_dates(claims: dict[str, Any], at: dt.datetime, now: dt.datetime) -> ProofCheck | None:
    for name in ("exp", "nbf", "iat"):
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or not 0 <= value < 10**11):
            return ProofCheck(None, f"the token's {name} is not a time: {value!r}")
    if "exp" in claims and dt.datetime.fromtimestamp(claims["exp"], dt.UTC) < at:
        return ProofCheck(False, f"the token expired on {dt.datetime.fromtimestamp(claims['exp'], dt.UTC):%Y-%m-%d}",
                          expired=True)
    if "nbf" in claims and dt.datetime.fromtimestamp(claims["nbf"], dt.UTC) > at:
        return ProofCheck(False, f"the token is valid from {dt.datetime.fromtimestamp(claims['nbf'], dt.UTC):%Y-%m-%d}",
                          future=True)
    if "iat" in claims and dt.datetime.fromtimestamp(claims["iat"], dt.UTC) > now + CLOCK_SKEW:
        return ProofCheck(False, "the token says it was issued in the future", future=True)
    return None


def read_jwt(token: str, trust: TrustList | None = None, *, at: dt.datetime | None = None) -> JwtCredential:
    """Read a VC-JWT and check its EdDSA signature.

    Parameters
    ----------
    token : str
        The compact JWS.
    trust : TrustList, optional
        Issuer documents that give ``kid`` values their keys.
    at : datetime, optional
        The moment ``exp`` / ``nbf`` are judged at (default: now).

    Returns
    -------
    JwtCredential
        The credential and the signature check; never raises on bad input.

    """
    now = dt.datetime.now(dt.UTC)
    text = token.strip()
    if not looks_like_jwt(text):
        why = "not a compact JWS (header.payload.signature)"
        return JwtCredential(None, ProofCheck(None, why), why)
    head, body, sig = text.split(".")
    try:
        header = _json_part(head, "header")
        claims = _json_part(body, "payload")
        signature = _b64(sig)
    except ValueError as exc:
        return JwtCredential(None, ProofCheck(None, str(exc)), str(exc))
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return JwtCredential(None, ProofCheck(None, "the token's header and payload must be JSON objects"),
                             "the token's header and payload must be JSON objects")
    credential = claims.get("vc") if isinstance(claims.get("vc"), dict) else claims
    issuer = credential.get("issuer") if isinstance(credential, dict) else None
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if "iss" in claims and claims["iss"] != issuer:
        return JwtCredential(credential, ProofCheck(False, f"the token's iss {claims['iss']!r} is not the credential's "
                                                           f"issuer {issuer!r}"))
    alg = header.get("alg")
    if alg not in ("EdDSA", "Ed25519"):
        return JwtCredential(credential, ProofCheck(None, f"VC-JWT signed with {alg!r} is not supported (EdDSA with "
                                                          "Ed25519 keys is)"))
    if header.get("crit"):
        return JwtCredential(credential, ProofCheck(None, f"the token's critical headers {header['crit']!r} are not "
                                                          "understood"))
    try:
        method, raw = _key(header, trust or TrustList())
        key = public_key(raw)
    except KeyFormatError as exc:
        return JwtCredential(credential, ProofCheck(None, str(exc)))
    refused = _claim_dates(claims, at or now, now)
    if refused is not None:
        return JwtCredential(credential, ProofCheck(refused.valid, refused.reason, raw, method, refused.expired,
                                                    refused.future))
    try:
        key.verify(signature, f"{head}.{body}".encode("ascii"))
    except InvalidSignature:
        return JwtCredential(credential, ProofCheck(False, "the token's signature does not match (changed after "
                                                           "signing, or signed with another key)", raw, method))
    return JwtCredential(credential, ProofCheck(True, "", raw, method))
