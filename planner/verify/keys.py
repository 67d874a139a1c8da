"""Issuer keys: Ed25519 public keys from ``did:key`` and Multikey values.

A Multikey is the multibase (``z`` = base58btc) encoding of the multicodec prefix
``0xed 0x01`` (ed25519-pub) followed by the 32 key bytes; its text starts ``z6Mk``. A
``did:key`` DID is ``did:key:`` + that Multikey.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

__all__ = ["ED25519_PUB_PREFIX", "KeyFormatError", "b58decode", "b58encode", "multibase_decode", "public_key"]

ED25519_PUB_PREFIX = b"\xed\x01"
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
_MAX_B58 = 200  # longer than any key or signature; refuses huge inputs before big-integer work


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


def public_key(multikey: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a Multikey (``z6Mk…``) or a ``did:key`` DID (fragment allowed).

    Raises
    ------
    KeyFormatError
        When the value is not an ed25519-pub Multikey of 32 bytes.
    """
    value = multikey
    if value.startswith("did:key:"):
        value = value[len("did:key:"):].split("#", 1)[0]
    raw = multibase_decode(value)
    if not raw.startswith(ED25519_PUB_PREFIX) or len(raw) != 34:
        raise KeyFormatError("not an Ed25519 Multikey (multicodec 0xed01 and 32 key bytes)")
    return Ed25519PublicKey.from_public_bytes(raw[2:])
