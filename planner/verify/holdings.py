"""A learner's holdings from OB3 / CLR credential files, each verified before it counts.

The files are imported as :mod:`planner.interop.openbadges` imports them (same ids, same
earned dates, same expiry rule); each credential in them is verified; a holding counts
only when a credential that gives it verified. With ``count_unverified`` the others
count too, marked *declared* (the learner's or advisor's word, not a proof).

A credential gives the holding the import read from it (the same file and JSON path);
failing that, the one whose id its achievement's planner id (``urn:x-planner:credential:ID``)
names, or whose title is its achievement's name when exactly one imported credential has
that title; a credential that matches no single holding verifies nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.catalogue.inputs import NamedBytes
from planner.catalogue.models import Holding
from planner.interop._result import ImportProblem
from planner.interop.esco import SHORT_MAX, clip
from planner.interop.openbadges import CREDENTIAL_ID_PREFIX, import_files
from planner.verify.credential import Status, Verification
from planner.verify.files import verify_read
from planner.verify.formats import read_credential_file
from planner.verify.issuer import IssuerStanding
from planner.verify.loader import ContextLoader
from planner.verify.subject import SubjectStanding
from planner.verify.trust import Resolver, TrustList

__all__ = ["FileHoldings", "FoundCredential", "counted_holding", "holdings_from_files"]


@dataclass(frozen=True)
class FoundCredential:
    """One learner credential found in the files (CLR entries one by one), as verified.

    Attributes
    ----------
    file : str
        The file it is in.
    title : str
        The achievement's name (else the credential's, else ``"(no name)"``).
    holding : str or None
        The imported credential id it gives, or None when it gives none (not a learner's
        achievement, or not readable as one).
    verification : Verification
        Its own verification (for a CLR entry: the CLR's, which signs it, when it has no proof).

    """

    file: str
    title: str
    holding: str | None
    verification: Verification


@dataclass(frozen=True)
class FileHoldings:
    """Holdings read from credential files.

    Attributes
    ----------
    holdings : tuple of Holding
        What counts: verified holdings, and the others marked declared when asked for
        (before any catalogue's issuer check: :func:`planner.verify.review.review_credentials`
        applies it).
    checks : tuple of (str, Verification)
        Each holding's credential id with the verification that decided it (the best one
        when several credentials give the same holding).
    left_out : tuple of (str, Verification)
        Holdings not counted because no credential giving them verified.
    problems : tuple of ImportProblem
        What the import reported (unreadable files, expired credentials, …).
    found : tuple of FoundCredential
        Every credential in the files, in file order, with its own verification.
    imported : tuple of Holding
        Every holding the import read, before verification decided what counts.

    """

    holdings: tuple[Holding, ...] = ()
    checks: tuple[tuple[str, Verification], ...] = ()
    left_out: tuple[tuple[str, Verification], ...] = ()
    problems: tuple[ImportProblem, ...] = ()
    found: tuple[FoundCredential, ...] = ()
    imported: tuple[Holding, ...] = ()


def _types(node: Any) -> set[str]:
    value = node.get("type") if isinstance(node, dict) else None
    return {value} if isinstance(value, str) else {str(v) for v in value} if isinstance(value, list) else set()


def _credentials(doc: Any, result: Verification) -> Iterator[tuple[dict[str, Any], Verification]]:
    """Each learner credential in ``doc`` with its verification (CLR entries included)."""
    if not isinstance(doc, dict):
        return
    if "ClrCredential" in _types(doc):
        subject = doc.get("credentialSubject")
        inner = (subject if isinstance(subject, dict) else {}).get("verifiableCredential") or []
        # an unsigned entry's verification already is the CLR's signature over it (planner.verify.credential)
        for item, check in zip(inner if isinstance(inner, list) else [inner], result.nested, strict=False):
            yield from _credentials(item, check)
    elif {"OpenBadgeCredential", "AchievementCredential"} & _types(doc):
        yield doc, result


def _title(doc: Any) -> str:
    subject = doc.get("credentialSubject") if isinstance(doc, dict) else None
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    for node in (achievement, doc):
        name = node.get("name") if isinstance(node, dict) else None
        if isinstance(name, str) and name.strip():
            return clip(name, SHORT_MAX) or name
    return "(no name)"


def _holding_id(doc: dict[str, Any], by_title: dict[str, list[str]]) -> str | None:
    subject = doc.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    if not isinstance(achievement, dict):
        return None
    raw = str(achievement.get("id") or "")
    if raw.startswith(CREDENTIAL_ID_PREFIX):
        return raw[len(CREDENTIAL_ID_PREFIX):]
    matches = by_title.get(clip(achievement.get("name"), SHORT_MAX) or "", [])
    return matches[0] if len(matches) == 1 else None


def counted_holding(holding: Holding, check: Verification, *, declare: bool,
                    standing: IssuerStanding | None = None, subject: SubjectStanding | None = None
                    ) -> Holding | None:
    """THE counting rule: the holding *verified* when its credential verified, else *declared* or not at all.

    Every caller (``recommend --have-file``, the Plan page's upload, the handout through
    the holdings it is given) counts through this function and no other.

    Parameters
    ----------
    holding : Holding
        A holding read from a credential file.
    check : Verification
        The verification that decides it.
    declare : bool
        Whether the learner (or advisor) counts it on their word when it did not verify.
    standing : IssuerStanding, optional
        Its issuer against the catalogue provider's issuers
        (:func:`planner.verify.issuer.issuer_standing`); a verified credential whose
        standing is not ``ok`` counts only as declared. None before a catalogue is known.
    subject : SubjectStanding, optional
        Its subject against the learner's identifiers (:func:`planner.verify.subject.subject_standing`);
        a credential issued to someone else never counts, not even as declared.

    Returns
    -------
    Holding or None
        The holding marked ``verified`` or ``declared``; None when it does not count.

    """
    if subject is not None and not subject.ok:
        return None
    if check.verified and (standing is None or standing.ok):
        return holding.model_copy(update={"verification": "verified"})
    if declare:
        return holding.model_copy(update={"verification": "declared"})
    return None


def holdings_from_files(paths: Sequence[str | Path | NamedBytes], *, today: dt.date | None = None,
                        loader: ContextLoader | None = None, count_unverified: bool = False,
                        trust: TrustList | None = None, resolver: Resolver | None = None) -> FileHoldings:
    """Read, verify and count the holdings in OB3 / CLR credential files.

    Parameters
    ----------
    paths : sequence of path or NamedBytes
        Credential JSON files (OB3 credentials, CLRs, or lists of them), or such files
        uploaded in the app (read through the same input limits).
    today : datetime.date, optional
        The day validity is judged at (start of the day, UTC; default: today).
    loader : ContextLoader, optional
        Where JSON-LD contexts and status lists come from (default: ``$PLANNER_CONTEXT_DIR``).
    count_unverified : bool, optional
        Count holdings whose credential did not verify, as *declared* (default: leave them out).
    trust : TrustList, optional
        The keys trusted for issuers: the catalogue's trust list and issuer documents.
    resolver : callable, optional
        Fetches issuers' published documents (``--resolve-issuers``); default: offline.

    Returns
    -------
    FileHoldings
        The holdings that count, how each was decided, and what was left out.

    """
    today = today or dt.date.today()
    at = dt.datetime.combine(today, dt.time(), dt.UTC)
    loader = loader or ContextLoader()
    # each file read once: the importer and the verification see the same bytes
    reads = [read_credential_file(p if isinstance(p, NamedBytes) else Path(p)) for p in paths]
    sources = [j for j in (r.as_json() for r in reads) if j is not None]
    imported = import_files(sources, today=today)
    by_title: dict[str, list[str]] = {}
    for item in imported.catalogue["credentials"]:
        by_title.setdefault(item["title"], []).append(item["id"])
    # the id the import gave the credential at this place in this file; else matched by achievement
    origins = {(file, pointer): cid for file, pointer, cid in imported.origins}
    best: dict[str, Verification] = {}
    found: list[FoundCredential] = []
    for read in reads:
        checked = verify_read(read, loader=loader, at=at, trust=trust, resolver=resolver)
        for item, result in zip(read.items, checked.results, strict=True):
            doc = item.doc
            inside = list(_credentials(doc, result))
            if not inside:  # not a learner's achievement (an endorsement, a broken type): shown, gives nothing
                found.append(FoundCredential(read.file, _title(doc), None, result))
            for credential, check in inside:
                cid = origins.get((read.file, check.pointer)) or _holding_id(credential, by_title)
                found.append(FoundCredential(read.file, _title(credential), cid, check))
                if cid is not None and (cid not in best or (check.verified and not best[cid].verified)):
                    best[cid] = check
    holdings: list[Holding] = []
    checks: list[tuple[str, Verification]] = []
    left_out: list[tuple[str, Verification]] = []
    for holding in imported.profile.holdings if imported.profile else []:
        check = best.get(holding.credential) or Verification(
            Status.UNVERIFIABLE, "no credential in the files could be matched to this holding")
        checks.append((holding.credential, check))
        counted = counted_holding(holding, check, declare=count_unverified)
        if counted is not None:
            holdings.append(counted)
        else:
            left_out.append((holding.credential, check))
    problems = tuple(p for r in reads for p in r.problems) + tuple(imported.problems)
    return FileHoldings(tuple(holdings), tuple(checks), tuple(left_out), problems, tuple(found),
                        tuple(imported.profile.holdings if imported.profile else ()))
