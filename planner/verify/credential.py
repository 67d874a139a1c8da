"""Verify one Open Badges 3.0 / CLR 2.0 credential: shape, proof, dates, status.

The checks run in this order and the first failure gives the status:

1. shape: a VC context first, an OB3 / CLR credential type, an issuer, the subject type
   for the credential type, results typed ``Result`` (else *unverifiable*: not an OB3 /
   CLR credential, with what is wrong);
2. proof: at least one proof, each of a supported kind, checked with the key named by
   its verification method (``did:key`` or a Multikey), which must belong to the issuer
   (*signature invalid*, or *unverifiable* when a context or key is not available offline);
3. dates: ``validFrom`` / ``issuanceDate`` not after the moment of checking (*not yet
   valid*), ``validUntil`` / ``expirationDate`` not before it (*expired*);
4. status: each Bitstring Status List entry's bit is clear (*revoked*); the list must be
   available offline and verify.

A key named only inside the credential proves that the content is unchanged since that
key signed it; the planner cannot fetch the issuer's profile offline to confirm the key
is the issuer's, so this is what *verified* means here. The signature covers the RDF
graph the JSON-LD means, not the JSON text: members no context defines and relative IRIs
are refused (they would not be signed), while removing a statement the credential makes
twice about the same node leaves the graph, and so the signature, unchanged.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from planner.verify import status as status_list
from planner.verify.loader import ContextLoader, ContextUnavailableError
from planner.verify.proof import check_proof

__all__ = ["Status", "Verification", "verify_credential"]

VC_CONTEXTS = ("https://www.w3.org/ns/credentials/v2", "https://www.w3.org/2018/credentials/v1")
# credential type -> the subject type it must carry
_SUBJECT_TYPES = {
    "OpenBadgeCredential": "AchievementSubject",
    "AchievementCredential": "AchievementSubject",
    "EndorsementCredential": "EndorsementSubject",
    "ClrCredential": "ClrSubject",
}


class Status(enum.StrEnum):
    """What verification concluded about a credential."""

    VERIFIED = "verified"
    SIGNATURE_INVALID = "signature invalid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not yet valid"
    REVOKED = "revoked"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class Verification:
    """The verification of one credential.

    Attributes
    ----------
    status : Status
        The conclusion.
    reason : str
        Why, when not verified (empty when verified).
    pointer : str
        Where the credential is in its file (``$`` or a path into a CLR).
    credential_id, name, issuer : str or None
        The credential's ``id``, ``name`` and issuer id, for display.
    key : str or None
        The Multikey the proof was checked with.
    notes : tuple of str
        What was not checked and why (e.g. a status type other than a Bitstring Status List).
    nested : tuple of Verification
        The credentials inside a CLR, each verified on its own.

    """

    status: Status
    reason: str = ""
    pointer: str = "$"
    credential_id: str | None = None
    name: str | None = None
    issuer: str | None = None
    key: str | None = None
    notes: tuple[str, ...] = ()
    nested: tuple[Verification, ...] = ()

    @property
    def verified(self) -> bool:
        """Whether the credential verified."""
        return self.status is Status.VERIFIED

    def describe(self) -> str:
        """``status`` or ``status: reason`` in one line."""
        return self.status.value + (f": {self.reason}" if self.reason else "")


def _types(node: Any) -> list[str]:
    value = node.get("type") if isinstance(node, dict) else None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def _issuer_id(doc: dict[str, Any]) -> str | None:
    issuer = doc.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


def _shape_problem(doc: dict[str, Any]) -> str | None:
    """What makes ``doc`` not an OB3 / CLR credential, or None."""
    context = doc.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first not in VC_CONTEXTS:
        return f"@context must start with {VC_CONTEXTS[0]} (or the VC 1.1 context); found {first!r}"
    types = _types(doc)
    kinds = [t for t in types if t in _SUBJECT_TYPES]
    if "VerifiableCredential" not in types or not kinds:
        return ("type must be VerifiableCredential and one of "
                f"{', '.join(_SUBJECT_TYPES)}; found {types}")
    if _issuer_id(doc) is None:
        return "the credential names no issuer"
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict):
        return "the credential has no credentialSubject"
    wanted = _SUBJECT_TYPES[kinds[0]]
    if wanted not in _types(subject):
        return f"credentialSubject type must include {wanted}; found {_types(subject)}"
    results = subject.get("result") or []
    for i, result in enumerate(results if isinstance(results, list) else [results]):
        if "Result" not in _types(result):
            return f"credentialSubject.result[{i}] type must include Result; found {_types(result)}"
    return None


def _moment(value: Any) -> dt.datetime | None:
    """An XML Schema dateTime as an aware datetime (UTC when no zone is given)."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _check_dates(doc: dict[str, Any], at: dt.datetime) -> tuple[Status, str] | None:
    for field in ("validFrom", "issuanceDate"):
        if field in doc:
            start = _moment(doc[field])
            if start is None:
                return Status.UNVERIFIABLE, f"{field} is not a date-time: {doc[field]!r}"
            if start > at:
                return Status.NOT_YET_VALID, f"valid from {doc[field]}"
    for field in ("validUntil", "expirationDate"):
        if field in doc:
            end = _moment(doc[field])
            if end is None:
                return Status.UNVERIFIABLE, f"{field} is not a date-time: {doc[field]!r}"
            if end < at:
                return Status.EXPIRED, f"expired on {doc[field]}"
    return None


def _check_status(doc: dict[str, Any], at: dt.datetime, loader: ContextLoader,
                  depth: int) -> tuple[tuple[Status, str] | None, list[str]]:
    notes: list[str] = []
    for entry in status_list.entries(doc):
        kinds = set(_types(entry))
        if not kinds & status_list.STATUS_ENTRY_TYPES:
            notes.append(f"status of type {', '.join(sorted(kinds)) or '?'} not checked (only Bitstring "
                         "Status Lists are read offline)")
            continue
        url = entry.get("statusListCredential")
        try:
            index = int(entry.get("statusListIndex"))
            listed = loader.load(str(url))
        except (TypeError, ValueError):
            return (Status.UNVERIFIABLE, "the status entry has no valid statusListIndex"), notes
        except ContextUnavailableError:
            return (Status.UNVERIFIABLE, f"status list {url} not available offline"), notes
        if depth > 0 or not isinstance(listed, dict):
            return (Status.UNVERIFIABLE, f"status list {url} is not a credential"), notes
        checked = verify_credential(listed, loader=loader, at=at, _depth=depth + 1, _shape=False)
        if not checked.verified:
            return (Status.UNVERIFIABLE, f"status list {url}: {checked.describe()}"), notes
        if checked.issuer != _issuer_id(doc):
            return (Status.UNVERIFIABLE, f"status list {url} is not issued by the credential's issuer"), notes
        subject = listed.get("credentialSubject")
        try:
            revoked = bit_is_set(str(subject.get("encodedList") if isinstance(subject, dict) else ""), index)
        except ValueError as exc:
            return (Status.UNVERIFIABLE, f"status list {url}: {exc}"), notes
        if revoked:
            purpose = entry.get("statusPurpose") or "revocation"
            return (Status.REVOKED, f"{purpose} bit {index} is set in {url}"), notes
    return None, notes


bit_is_set = status_list.bit_is_set


def verify_credential(doc: Any, *, loader: ContextLoader | None = None, at: dt.datetime | None = None,
                      pointer: str = "$", _depth: int = 0, _shape: bool = True) -> Verification:
    """Verify one OB3 / CLR credential (and, for a CLR, each credential inside it).

    Parameters
    ----------
    doc : dict
        The credential as parsed JSON.
    loader : ContextLoader, optional
        Where contexts and status lists come from (default: ``$PLANNER_CONTEXT_DIR``).
    at : datetime, optional
        The moment validity dates are judged at (default: now, UTC).
    pointer : str, optional
        Where ``doc`` sits in its file, for the result.

    Returns
    -------
    Verification
        The status with its reason; never raises on bad input.

    """
    loader = loader or ContextLoader()
    at = at or dt.datetime.now(dt.UTC)
    if not isinstance(doc, dict):
        return Verification(Status.UNVERIFIABLE, "a credential must be a JSON object", pointer)
    ident = doc.get("id") if isinstance(doc.get("id"), str) else None
    name = doc.get("name") if isinstance(doc.get("name"), str) else None
    base = {"pointer": pointer, "credential_id": ident, "name": name, "issuer": _issuer_id(doc)}
    nested = _nested(doc, loader, at, pointer)
    problem = _shape_problem(doc) if _shape else None
    if problem:
        return Verification(Status.UNVERIFIABLE, f"not an Open Badges 3.0 / CLR 2.0 credential: {problem}",
                            nested=nested, **base)
    proofs = doc.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs] if proofs is not None else []
    if not proofs:
        return Verification(Status.UNVERIFIABLE, "the credential has no proof (unsigned)", nested=nested, **base)
    key = None
    for proof in proofs:
        check = check_proof(doc, proof, loader)
        key = check.key or key
        if check.valid is None:
            return Verification(Status.UNVERIFIABLE, check.reason, key=key, nested=nested, **base)
        if not check.valid:
            return Verification(Status.SIGNATURE_INVALID, check.reason, key=key, nested=nested, **base)
        if check.controller != base["issuer"]:
            return Verification(Status.SIGNATURE_INVALID,
                                f"signed with a key of {check.controller}, not of the issuer {base['issuer']}",
                                key=key, nested=nested, **base)
    dates = _check_dates(doc, at)
    if dates:
        return Verification(dates[0], dates[1], key=key, nested=nested, **base)
    revoked, notes = _check_status(doc, at, loader, _depth)
    if revoked:
        return Verification(revoked[0], revoked[1], key=key, notes=tuple(notes), nested=nested, **base)
    return Verification(Status.VERIFIED, key=key, notes=tuple(notes), nested=nested, **base)


def _nested(doc: dict[str, Any], loader: ContextLoader, at: dt.datetime, pointer: str) -> tuple[Verification, ...]:
    """Each credential inside a CLR, verified on its own."""
    if "ClrCredential" not in _types(doc) or not isinstance(doc.get("credentialSubject"), dict):
        return ()
    inner = doc["credentialSubject"].get("verifiableCredential") or []
    inner = inner if isinstance(inner, list) else [inner]
    return tuple(verify_credential(item, loader=loader, at=at,
                                   pointer=f"{pointer}.credentialSubject.verifiableCredential[{i}]")
                 for i, item in enumerate(inner))
