"""A credential's JSON must be the plain form of what was signed, or it is refused.

The signature covers the RDF graph, and many JSON texts give the same graph: a member
under its full IRI (``"https://www.w3.org/2018/credentials#validUntil"``) or a compact IRI,
an inline context that aliases a term, a value object (``{"@value": …}``), ``@graph`` or
``@nest`` wrappers, a single value wrapped in a list. Every part of the planner that reads
JSON (the importer, the review) would then read something other than what was signed, so
:func:`plain_problem` refuses such documents before anything else, and
:func:`graph_mismatch` checks that each member the planner reads says exactly what the
signed graph says.
"""

from __future__ import annotations

from typing import Any

from planner.verify.canon import SignedFacts
from planner.verify.loader import KNOWN_CONTEXTS

__all__ = ["graph_mismatch", "plain_problem"]


def _walk(node: Any, path: str) -> str | None:
    if isinstance(node, list):
        for i, item in enumerate(node):
            found = _walk(item, f"{path}[{i}]")
            if found:
                return found
        return None
    if not isinstance(node, dict):
        return None
    for key, value in node.items():
        where = f"{path}.{key}"
        if key == "@context":
            if path != "$" and not _context_ok(value):
                return f"{where}: an inline or nested context"
            continue
        if key.startswith("@"):
            return f"{where}: the JSON-LD keyword {key} (write the member by its term)"
        if ":" in key:
            return f"{path}: the member {key[:120]!r} is written as an IRI (write it by its term)"
        found = _walk(value, where)
        if found:
            return found
    return None


def _context_ok(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return all(isinstance(item, str) and item in KNOWN_CONTEXTS for item in items)


def plain_problem(document: dict[str, Any]) -> str | None:
    """Why ``document`` is not the plain JSON of a credential against the pinned contexts, or None.

    Parameters
    ----------
    document : dict
        A credential as parsed JSON (nested credentials are walked too; each may repeat
        the pinned contexts as its own ``@context``).

    Returns
    -------
    str or None
        The first member that is not plain (an inline context, a context the planner does
        not know, a JSON-LD keyword other than ``@context``, a member written as an IRI).

    """
    context = document.get("@context")
    items = context if isinstance(context, list) else [context]
    for item in items:
        if not isinstance(item, str):
            return "$.@context: an inline context (only the published contexts, by URL, are read)"
    return _walk(document, "$")


def _json_values(value: Any) -> tuple[str, ...] | None:
    """A member's value as the planner's readers take it: one string, or None when it is not one."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else None


def _id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def graph_mismatch(document: dict[str, Any], facts: SignedFacts) -> str | None:
    """Where a member the planner reads from the JSON differs from the signed graph, or None.

    Compared: the issuer's id, ``validFrom``, ``validUntil``, ``issuanceDate``,
    ``expirationDate``, ``awardedDate``, the subject's id and its achievement's id and name.
    Each must be one plain string exactly as signed, or absent from both.
    """
    pairs: list[tuple[str, Any, tuple[str, ...]]] = [
        ("issuer", _id(document.get("issuer")), tuple(i for i in facts.issuer if not i.startswith("_:"))),
        ("validFrom", document.get("validFrom"), facts.valid_from),
        ("validUntil", document.get("validUntil"), facts.valid_until),
        ("issuanceDate", document.get("issuanceDate"), facts.issuance_date),
        ("expirationDate", document.get("expirationDate"), facts.expiration_date),
        ("awardedDate", document.get("awardedDate"), facts.awarded_date),
    ]
    subject = document.get("credentialSubject")
    if isinstance(subject, dict) and len(facts.subjects) == 1:
        signed = facts.subjects[0]
        pairs.append(("credentialSubject.id", subject.get("id"), (signed.id,) if signed.id else ()))
        achievement = subject.get("achievement")
        if isinstance(achievement, dict) and len(signed.achievements) == 1:
            ach_id, names = signed.achievements[0]
            pairs.append(("credentialSubject.achievement.id", achievement.get("id"), (ach_id,) if ach_id else ()))
            pairs.append(("credentialSubject.achievement.name", achievement.get("name"), names))
        elif achievement is not None and not isinstance(achievement, list):
            return "credentialSubject.achievement is not one achievement as signed"
    elif subject is not None and not isinstance(subject, list):
        return "credentialSubject is not what was signed"
    for name, value, signed_values in pairs:
        said = _json_values(value)
        if said is None:
            return f"{name} must be one plain string, as the signature covers it; found {type(value).__name__}"
        if tuple(sorted(said)) != tuple(sorted(signed_values)):
            return (f"{name} in the JSON ({', '.join(said) or 'absent'}) is not what was signed "
                    f"({', '.join(signed_values) or 'absent'})")
    return None
