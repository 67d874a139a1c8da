"""Test-only issuer: signs credentials so tests can build valid, tampered and revoked ones."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from planner.verify import ContextLoader
from planner.verify.keys import ED25519_PUB_PREFIX, b58encode
from planner.verify.proof import signing_input

ISSUER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def multikey(private: Ed25519PrivateKey = ISSUER_KEY) -> str:
    """The Multikey (``z6Mk…``) of a private key's public half."""
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + b58encode(ED25519_PUB_PREFIX + raw)


def did_key(private: Ed25519PrivateKey = ISSUER_KEY) -> str:
    """The ``did:key`` of a private key's public half."""
    return f"did:key:{multikey(private)}"


def sign_proof(doc: dict[str, Any], private: Ed25519PrivateKey = ISSUER_KEY, method: Any = None,
               loader: ContextLoader | None = None) -> dict[str, Any]:
    """An eddsa-rdfc-2022 proof of ``doc`` (its own ``proof`` is left out of the signing)."""
    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2025-01-01T00:00:00Z",
             "verificationMethod": method or f"{did_key(private)}#{multikey(private)}",
             "proofPurpose": "assertionMethod"}
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    signature = private.sign(signing_input(unsigned, proof, loader or ContextLoader()))
    return {**proof, "proofValue": "z" + b58encode(signature)}
