"""Test-only issuers: sign credentials, status lists and VC-JWTs, and bake badges, so tests can forge and check.

``ISSUER_KEY`` is a fixed key of these tests; :func:`w3c_test_key` is the private key the W3C
publishes with its vc-di-eddsa test vectors (``TestVectors/keyPair.json``), read from the
reference folder, so that forgeries are signed with a key the whole world has.
"""

from __future__ import annotations

import base64
import gzip
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from planner.verify import ContextLoader
from planner.verify.keys import ED25519_PUB_PREFIX, b58encode, multibase_decode
from planner.verify.proof import signing_input
from tests.conftest import REFERENCE_DIR

ISSUER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(100, 132)))
W3C_KEYPAIR = "w3c-vc-di-eddsa/TestVectors/keyPair.json"
CONTEXT_SOURCES = ("1edtech-validator-contexts", "jsonld-contexts")
VC2 = "https://www.w3.org/ns/credentials/v2"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
STATUS_V1 = "https://www.w3.org/ns/credentials/status/v1"


def w3c_test_key() -> Ed25519PrivateKey:
    """The W3C vc-di-eddsa test vectors' private key (skips when the reference copy is absent)."""
    path = REFERENCE_DIR / W3C_KEYPAIR
    if not path.is_file():
        pytest.skip(f"W3C test key not found: {path} (w3c/vc-di-eddsa TestVectors/keyPair.json)")
    raw = multibase_decode(json.loads(path.read_text(encoding="utf-8"))["privateKeyMultibase"])
    assert raw[:2] == b"\x80\x26"  # multicodec ed25519-priv
    return Ed25519PrivateKey.from_private_bytes(raw[2:])


def all_contexts(folder: Path) -> Path:
    """Fill ``folder`` with every pinned context from the reference copies (``planner verify --contexts-from``)."""
    from planner.verify.contexts import copy_contexts
    from planner.verify.loader import missing_contexts

    sources = [REFERENCE_DIR / name for name in CONTEXT_SOURCES]
    missing = [s for s in sources if not s.is_dir()]
    if missing:
        pytest.skip(f"reference contexts not found: {missing[0]}")
    folder.mkdir(parents=True, exist_ok=True)
    for source in sources:
        copy_contexts(source, folder)
    assert missing_contexts(folder) == ()
    return folder


def raw_public(private: Ed25519PrivateKey = ISSUER_KEY) -> bytes:
    """The 32 bytes of a private key's public half."""
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def multikey(private: Ed25519PrivateKey = ISSUER_KEY) -> str:
    """The Multikey (``z6Mk…``) of a private key's public half."""
    return "z" + b58encode(ED25519_PUB_PREFIX + raw_public(private))


def jwk(private: Ed25519PrivateKey = ISSUER_KEY) -> dict[str, str]:
    """The public JWK of a private key."""
    return {"kty": "OKP", "crv": "Ed25519", "x": base64.urlsafe_b64encode(raw_public(private)).rstrip(b"=").decode()}


def did_key(private: Ed25519PrivateKey = ISSUER_KEY) -> str:
    """The ``did:key`` of a private key's public half."""
    return f"did:key:{multikey(private)}"


def sign_proof(doc: dict[str, Any], private: Ed25519PrivateKey = ISSUER_KEY, method: Any = None,
               loader: ContextLoader | None = None, **extra: Any) -> dict[str, Any]:
    """An eddsa-rdfc-2022 proof of ``doc`` (its own ``proof`` is left out of the signing); ``extra`` adds members."""
    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2025-01-01T00:00:00Z",
             "verificationMethod": method or f"{did_key(private)}#{multikey(private)}",
             "proofPurpose": "assertionMethod", **extra}
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    signature = private.sign(signing_input(unsigned, proof, loader or ContextLoader()))
    return {**proof, "proofValue": "z" + b58encode(signature)}


def badge(issuer: str, *, title: str = "Teamwork", achievement: str = "urn:x-planner:credential:teamwork",
          subject: str = "did:example:learner", **members: Any) -> dict[str, Any]:
    """An unsigned OB 3.0 AchievementCredential from ``issuer``."""
    return {
        "@context": [VC2, OB303],
        "id": "urn:uuid:7a1c1d3e-0000-4000-8000-0000000000a1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2025-06-01T00:00:00Z", "name": title,
        "credentialSubject": {"id": subject, "type": ["AchievementSubject"], "achievement": {
            "id": achievement, "type": ["Achievement"], "name": title,
            "description": "Works in a team.", "criteria": {"narrative": "Passed."}}},
        **members,
    }


def signed(doc: dict[str, Any], private: Ed25519PrivateKey = ISSUER_KEY, method: Any = None,
           loader: ContextLoader | None = None, **extra: Any) -> dict[str, Any]:
    """``doc`` with one proof."""
    return {**doc, "proof": sign_proof(doc, private, method, loader, **extra)}


def status_list(issuer: str, revoked: set[int], *, size: int = 16_384, purpose: str = "revocation",
                url: str = "https://issuer.example/status/1",
                kind: str = "BitstringStatusListCredential") -> dict[str, Any]:
    """An unsigned Bitstring Status List credential with the given bits set."""
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    encoded = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits))).rstrip(b"=").decode()
    return {"@context": [VC2], "id": url, "type": ["VerifiableCredential", kind],
            "issuer": issuer, "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {"id": url + "#list", "type": "BitstringStatusList", "statusPurpose": purpose,
                                  "encodedList": encoded}}


def status_entry(index: Any, url: str = "https://issuer.example/status/1", purpose: str = "revocation"
                 ) -> dict[str, Any]:
    """A credentialStatus member pointing at bit ``index`` of ``url``."""
    return {"id": f"{url}#entry", "type": "BitstringStatusListEntry", "statusPurpose": purpose,
            "statusListIndex": index, "statusListCredential": url}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_jwt(credential: dict[str, Any], private: Ed25519PrivateKey = ISSUER_KEY, *, kid: str | None = None,
             alg: str = "EdDSA", claims: dict[str, Any] | None = None, wrap: bool = True) -> str:
    """A compact JWS: OB 3.0's VC-JWT (``vc`` claim) or, with ``wrap=False``, VC-JOSE-COSE (the credential itself)."""
    issuer = credential["issuer"]["id"] if isinstance(credential["issuer"], dict) else credential["issuer"]
    header = {"alg": alg, "typ": "JWT" if wrap else "vc+jwt", "kid": kid or f"{did_key(private)}#{multikey(private)}"}
    payload = ({"iss": issuer, "jti": credential.get("id"), "sub": "did:example:learner", "nbf": 1735689600,
                "vc": credential, **(claims or {})} if wrap else {**credential, **(claims or {})})
    head = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(payload).encode())
    return head + "." + _b64(private.sign(head.encode()))


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def bake_png(text: str, *, keyword: bytes = b"openbadgecredential", compressed: bool = False) -> bytes:
    """A 1×1 PNG carrying ``text`` in an iTXt chunk, as OB 3.0 bakes a credential."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x00")
    body = text.encode("utf-8")
    itxt = keyword + b"\x00" + (b"\x01\x00" if compressed else b"\x00\x00") + b"\x00\x00" + (
        zlib.compress(body) if compressed else body)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"iTXt", itxt) + _chunk(b"IDAT", idat)
            + _chunk(b"IEND", b""))


def bake_svg(text: str, *, as_attribute: bool = False) -> bytes:
    """An SVG carrying ``text`` in ``<openbadges:credential>`` (CDATA, or its ``verify`` attribute for a JWS)."""
    inner = (f'<openbadges:credential verify="{text}"/>' if as_attribute
             else f"<openbadges:credential><![CDATA[{text}]]></openbadges:credential>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" '
            f'width="10" height="10">{inner}<circle r="4" cx="5" cy="5"/></svg>').encode()
