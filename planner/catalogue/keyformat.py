"""Public keys as catalogues and credentials write them: Ed25519 Multikeys, ``did:key`` DIDs and JWKs.

A Multikey is the multibase (``z`` = base58btc) encoding of the multicodec prefix
``0xed 0x01`` (ed25519-pub) followed by the 32 key bytes; its text starts ``z6Mk``. A
``did:key`` DID is ``did:key:`` + that Multikey. A JWK of an Ed25519 key is
``{"kty": "OKP", "crv": "Ed25519", "x": <base64url of the 32 bytes>}`` (RFC 8037).

This module only decodes text to the 32 raw key bytes (layer 0: the catalogue validates a
provider's keys with it); :mod:`planner.verify.keys` turns the bytes into a key that
checks signatures.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["ED25519_PUB_PREFIX", "KeyFormatError", "b58decode", "b58encode", "did_key_bytes", "jwk_bytes",
           "key_bytes", "multibase_decode", "multikey_bytes", "multikey_of"]

ED25519_PUB_PREFIX = b"\xed\x01"
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
_MAX_B58 = 200  # longer than any key or signature; refuses huge inputs before big-integer work
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")


class KeyFormatError(ValueError):
    """A verification method or encoded value that cannot give a key."""


def b58decode(text: str) -> bytes:
    """Decode base58 (Bitcoin alphabet) text.

    Raises
    ------
    KeyFormatError
        On a character outside the alphabet or over-long text.
    """
    if len(text) > _MAX_B58:
        raise KeyFormatError("base58 value too long")
    number = 0
    for char in text:
        if char not in _INDEX:
            raise KeyFormatError(f"not base58: {char!r}")
        number = number * 58 + _INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * zeros + body


def b58encode(data: bytes) -> str:
    """Encode bytes as base58 (Bitcoin alphabet)."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _ALPHABET[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + out


def multibase_decode(text: str) -> bytes:
    """Decode a base58btc multibase value (``z…``).

    Raises
    ------
    KeyFormatError
        When the value does not use the base58btc (``z``) prefix or is not base58.
    """
    if not isinstance(text, str) or not text.startswith("z"):
        raise KeyFormatError("multibase value must be base58btc (start with 'z')")
    return b58decode(text[1:])


def multikey_bytes(multikey: str) -> bytes:
    """The 32 raw bytes of an Ed25519 Multikey (``z6Mk…``).

    Raises
    ------
    KeyFormatError
        When the value is not an ed25519-pub Multikey of 32 bytes.
    """
    raw = multibase_decode(multikey)
    if not raw.startswith(ED25519_PUB_PREFIX) or len(raw) != 34:
        raise KeyFormatError("not an Ed25519 Multikey (multicodec 0xed01 and 32 key bytes)")
    return raw[2:]


def multikey_of(raw: bytes) -> str:
    """The Multikey (``z6Mk…``) of 32 raw Ed25519 key bytes."""
    return "z" + b58encode(ED25519_PUB_PREFIX + raw)


def did_key_bytes(did: str) -> bytes:
    """The 32 raw bytes of an Ed25519 ``did:key`` (a fragment is ignored).

    Raises
    ------
    KeyFormatError
        When the DID is not an Ed25519 ``did:key``.
    """
    if not did.startswith("did:key:"):
        raise KeyFormatError(f"{did[:80]} is not a did:key")
    return multikey_bytes(did[len("did:key:"):].split("#", 1)[0])


def jwk_bytes(jwk: Mapping[str, Any]) -> bytes:
    """The 32 raw bytes of an Ed25519 JWK (``kty`` OKP, ``crv`` Ed25519, ``x``).

    Raises
    ------
    KeyFormatError
        When the JWK is not an Ed25519 public key, or carries a private part (``d``).
    """
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise KeyFormatError("only Ed25519 keys (kty OKP, crv Ed25519) are supported")
    if "d" in jwk:
        raise KeyFormatError("the JWK holds a private key ('d'); give the public key only")
    x = jwk.get("x")
    if not isinstance(x, str) or not _B64URL.match(x) or len(x) != 43:
        raise KeyFormatError("the JWK's 'x' must be the base64url (no padding) of 32 bytes")
    try:
        return base64.urlsafe_b64decode(x + "=")
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - the pattern admits only valid text
        raise KeyFormatError("the JWK's 'x' is not base64url") from exc


def key_bytes(value: str | Mapping[str, Any]) -> bytes:
    """The 32 raw bytes of a Multikey, a ``did:key`` or a JWK.

    Raises
    ------
    KeyFormatError
        When the value is none of these, or not an Ed25519 key.
    """
    if isinstance(value, Mapping):
        return jwk_bytes(value)
    if isinstance(value, str) and value.startswith("did:key:"):
        return did_key_bytes(value)
    if isinstance(value, str):
        return multikey_bytes(value)
    raise KeyFormatError("a key is a Multikey (z6Mk…), a did:key or a JWK object")
