"""Whether a verified credential was issued by the provider whose catalogue credential it claims to be.

A verified credential's issuer really signed it (:func:`planner.verify.trust.bind_issuer`
tied the signing key to the issuer id); this module asks the second question: is that
issuer the provider of the catalogue credential it claims to be? Anyone can sign a badge
titled like a catalogue credential with a ``did:key`` of their own. A provider that lists
its Open Badges issuers (``Provider.issuers``, the trust list) is taken at its word: a
credential matched to one of its credentials counts as verified only when the credential's
issuer is one of them. A provider that lists none cannot be checked, and the result says so.

This is the one rule both the CLI (``planner recommend --have-file``) and the Plan page
apply, through :func:`planner.verify.review.review_credentials`.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.catalogue.models import Provider

__all__ = ["IssuerStanding", "issuer_standing"]


@dataclass(frozen=True)
class IssuerStanding:
    """The issuer of a verified credential measured against the provider's listed issuers.

    Attributes
    ----------
    ok : bool
        Whether the credential may count as verified (the issuer is listed, or the
        provider lists none).
    checked : bool
        Whether the provider lists issuers, so that the issuer was compared at all.
    note : str
        What the table, the CLI and the reasons say about it.

    """

    ok: bool
    checked: bool
    note: str


def issuer_standing(provider: Provider, issuer_id: str | None) -> IssuerStanding:
    """Judge a verified credential's issuer against the provider that awards the matching credential.

    Parameters
    ----------
    provider : Provider
        The provider of the catalogue credential the credential was matched to.
    issuer_id : str or None
        The issuer id whose key signed the credential (for an unsigned entry of a CLR,
        the CLR's issuer, whose signature covers it).

    Returns
    -------
    IssuerStanding
        ``ok`` when the provider lists no issuers (``checked`` false, and the note says
        the issuer was not checked) or lists this one; otherwise not ``ok``, and the note
        names both.

    """
    if not provider.issuers:
        return IssuerStanding(True, False, f"issuer not checked: the catalogue names no issuer for {provider.name}")
    if issuer_id is not None and issuer_id in provider.issuer_ids:
        return IssuerStanding(True, True, f"issued by {provider.name}")
    return IssuerStanding(False, True,
                          f"signature valid, but issued by {issuer_id or 'an unnamed issuer'}, not by {provider.name}")
