"""Whether a credential was issued to this learner: its signed subject against the learner's identifiers.

A badge names its holder by ``credentialSubject.id`` (a DID, a URL, a ``mailto:``) and/or by
identifier entries (``identifier: [{identityType, identityHash, hashed, salt}]``, the hash
``sha256$`` + hex SHA-256 of the value followed by the salt). Both are read from the signed
graph (:class:`planner.verify.canon.SignedFacts`). When the learner's identifiers are known
(``--learner-id``, the Plan page's field) a credential whose subject is someone else is said
and never counted as the learner's; one that names no subject cannot be compared, and says so.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from planner.verify.credential import Verification

__all__ = ["SubjectStanding", "learner_ids", "subject_standing"]


@dataclass(frozen=True)
class SubjectStanding:
    """The credential's subject measured against the learner's identifiers.

    Attributes
    ----------
    ok : bool
        False only when the learner's identifiers are known and the subject is someone else.
    note : str
        What the row and the CLI say (empty when nothing was compared).

    """

    ok: bool
    note: str = ""


def learner_ids(values: Sequence[str]) -> tuple[str, ...]:
    """The learner's identifiers, cleaned: each as given, and an e-mail also as ``mailto:``."""
    out: list[str] = []
    for value in values:
        text = value.strip()
        if not text:
            continue
        out.append(text)
        if "@" in text and ":" not in text:
            out.append(f"mailto:{text}")
        elif text.lower().startswith("mailto:"):
            out.append(text[len("mailto:"):])
    return tuple(dict.fromkeys(out))


def _matches(entry: dict[str, str], ids: tuple[str, ...]) -> bool:
    value = entry.get("identityHash", "")
    if entry.get("hashed", "false").lower() in ("true", "1"):
        algorithm, _, digest = value.partition("$")
        if algorithm.lower() != "sha256" or not digest:
            return False
        salt = entry.get("salt", "")
        return any(hmac.compare_digest(hashlib.sha256((i + salt).encode()).hexdigest(), digest.lower())
                   for i in ids)
    return value in ids


def subject_standing(check: Verification, ids: Sequence[str]) -> SubjectStanding:
    """Judge whether the credential was issued to the learner.

    Parameters
    ----------
    check : Verification
        The credential's verification (its signed facts name the subject).
    ids : sequence of str
        The learner's identifiers (:func:`learner_ids`); empty: not known, nothing compared.

    Returns
    -------
    SubjectStanding
        Not ``ok`` when the subject is named and none of its names is the learner's.

    """
    if not ids or check.facts is None:
        return SubjectStanding(True)
    known = learner_ids(ids)
    named = False
    for subject in check.facts.subjects:
        if subject.id:
            named = True
            if subject.id in known:
                return SubjectStanding(True, "issued to you")
        for entry in subject.identifiers:
            fields = dict(entry)
            if "identityHash" in fields:
                named = True
                if _matches(fields, known):
                    return SubjectStanding(True, "issued to you")
    if not named:
        return SubjectStanding(True, "the credential names no subject to compare with yours")
    shown = next((s.id for s in check.facts.subjects if s.id), "another identifier")
    return SubjectStanding(False, f"issued to someone else ({shown}), not to you")
