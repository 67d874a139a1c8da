"""Bitstring Status List: whether the bit for a credential is set in its issuer's list.

The list is a credential whose ``credentialSubject.encodedList`` is the multibase
base64url (``u…``) of the GZIP-compressed bitstring; bit 0 is the leftmost bit of the
first byte. It is read through the same loader as the contexts (an allow-listed URL
mapped to a local file) and must itself verify.
"""

from __future__ import annotations

import base64
import gzip
import zlib
from typing import Any

__all__ = ["MAX_LIST_BYTES", "STATUS_ENTRY_TYPES", "bit_is_set"]

STATUS_ENTRY_TYPES = {"BitstringStatusListEntry", "StatusList2021Entry"}
#: largest decompressed bitstring read (bytes): 16 million credentials
MAX_LIST_BYTES = 2_000_000


def bit_is_set(encoded_list: str, index: int) -> bool:
    """Whether bit ``index`` of an encoded status list is 1.

    Raises
    ------
    ValueError
        When the list is not base64url GZIP data, is too large, or is shorter than the index.
    """
    text = encoded_list[1:] if encoded_list.startswith("u") else encoded_list
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        decompressor = zlib.decompressobj(wbits=31)  # gzip framing
        bits = decompressor.decompress(packed, MAX_LIST_BYTES + 1)
    except (ValueError, zlib.error, gzip.BadGzipFile) as exc:
        raise ValueError("encodedList is not base64url GZIP data") from exc
    if len(bits) > MAX_LIST_BYTES:
        raise ValueError("the status list is too large")
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"statusListIndex {index} is outside the list of {len(bits) * 8} entries")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def entries(credential: dict[str, Any]) -> list[Any]:
    """The credential's status entries (``credentialStatus`` may be one or a list)."""
    value = credential.get("credentialStatus")
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
