"""Stable CTIDs and Credential Registry resource URIs for exported items.

A CTID is ``ce-`` + a UUID version 4 in lower-case 8-4-4-4-12 form (Credential Engine,
"About the CTID"). The planner derives it from the item's kind and id, so the same
catalogue always gives the same document: a name-based UUID (SHA-1, as UUID5) whose
version nibble is then set to 4 and whose variant bits are ``10xx``. The result has the
published shape and still depends only on the id. An entity's ``@id`` is the registry
URI ending in that CTID, and :func:`ctid_of` reads it back, so ``@id`` and
``ceterms:ctid`` cannot disagree.
"""

from __future__ import annotations

import re
import uuid

__all__ = ["CTID_RE", "PUBLISHED_CTID_RE", "RESOURCE_BASE", "ctid", "ctid_of", "registry_ctid", "resource_uri",
           "uri_of_ctid"]

RESOURCE_BASE = "https://credentialengineregistry.org/resources/"
#: the published CTID grammar with the UUID version 4 bits
CTID_RE = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
#: any CTID as published (the Registry holds CTIDs of every UUID version, in either case)
PUBLISHED_CTID_RE = re.compile(r"^ce-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# a Registry record's URI: /resources/ (the record) or /graph/ (the record with its blank nodes),
# on the registry or its sandbox; both name one record, the one its CTID names
_REGISTRY_URI_RE = re.compile(
    r"^https?://(?:sandbox\.)?credentialengineregistry\.org/(?:graph|resources)/"
    r"(ce-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/?$")
_NAMESPACE = uuid.UUID("6c0f1a52-3d0b-5c5e-9a39-7a1f4f0c2b11")  # fixed: CTIDs must be stable


def ctid(kind: str, item_id: str) -> str:
    """Return the deterministic, version-4-shaped CTID of a catalogue item.

    Parameters
    ----------
    kind : str
        What the item is (``credential``, ``provider``, ``component`` …); the same id
        under two kinds gives two CTIDs.
    item_id : str
        The item's id (any text).

    Returns
    -------
    str
        ``ce-`` + a lower-case UUID whose version is 4 and variant RFC 4122.

    """
    named = uuid.uuid5(_NAMESPACE, f"{kind}:{item_id}")
    return "ce-" + str(uuid.UUID(bytes=named.bytes, version=4))  # version=4 also sets the variant bits


def resource_uri(kind: str, item_id: str) -> str:
    """Return the registry resource URI of a catalogue item (it ends in its CTID)."""
    return RESOURCE_BASE + ctid(kind, item_id)


def ctid_of(uri: str) -> str:
    """Return the CTID at the end of a registry resource URI (made here, or a published one kept).

    Raises
    ------
    ValueError
        When ``uri`` is not a registry resource URI ending in a CTID.

    """
    tail = uri.removeprefix(RESOURCE_BASE)
    if tail == uri or not PUBLISHED_CTID_RE.match(tail) or tail != tail.lower():
        raise ValueError(f"not a registry resource URI: {uri}")
    return tail


def registry_ctid(uri: str) -> str | None:
    """The CTID (lower case) a Registry URI names, ``/graph/`` or ``/resources/``; None for other URIs."""
    match = _REGISTRY_URI_RE.match(uri.strip()) if isinstance(uri, str) else None
    return match.group(1).lower() if match else None


def uri_of_ctid(value: str) -> str:
    """The canonical resource URI of a CTID (any published form; lower-cased)."""
    return RESOURCE_BASE + value.strip().lower()
