"""Issuer keys: Ed25519 public keys from ``did:key``, Multikey and JWK values.

The text formats are decoded by :mod:`planner.catalogue.keyformat` (the catalogue's trust
list validates its keys with the same code); this module turns the raw bytes into a key
that checks signatures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from planner.catalogue.keyformat import (
    ED25519_PUB_PREFIX,
    KeyFormatError,
    b58decode,
    b58encode,
    key_bytes,
    multibase_decode,
    multikey_of,
)

__all__ = ["ED25519_PUB_PREFIX", "KeyFormatError", "b58decode", "b58encode", "multibase_decode", "multikey_of",
           "public_key", "public_key_bytes"]


def public_key_bytes(value: str | Mapping[str, Any]) -> bytes:
    """The 32 raw bytes of a Multikey (``z6Mk…``), a ``did:key`` (fragment allowed) or an Ed25519 JWK.

    Raises
    ------
    KeyFormatError
        When the value is not an Ed25519 key in one of these forms.
    """
    return key_bytes(value)


def public_key(value: str | Mapping[str, Any] | bytes) -> Ed25519PublicKey:
    """The Ed25519 public key of a Multikey, a ``did:key``, a JWK, or 32 raw bytes.

    Raises
    ------
    KeyFormatError
        When the value is not an Ed25519 key.
    """
    raw = value if isinstance(value, bytes) else key_bytes(value)
    if len(raw) != 32:
        raise KeyFormatError("an Ed25519 public key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)
