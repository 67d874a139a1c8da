"""A learner's holdings from OB3 / CLR credential files, each verified before it counts.

The files are imported as :mod:`planner.interop.openbadges` imports them (same ids, same
earned dates, same expiry rule); each credential in them is verified; a holding counts
only when a credential that gives it verified. With ``count_unverified`` the others
count too, marked *declared* (the learner's or advisor's word, not a proof).

A credential gives a holding when its achievement id is a planner id
(``urn:x-planner:credential:ID``) or, failing that, when its achievement name is the
title of exactly one imported credential; a credential that matches no single holding
verifies nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.interop._result import ImportProblem, read_json
from planner.interop.esco import SHORT_MAX, clip
from planner.interop.openbadges import CREDENTIAL_ID_PREFIX, import_files
from planner.models import Holding
from planner.verify.credential import Status, Verification
from planner.verify.files import verify_file
from planner.verify.loader import ContextLoader

__all__ = ["FileHoldings", "holdings_from_files"]


@dataclass(frozen=True)
class FileHoldings:
    """Holdings read from credential files.

    Attributes
    ----------
    holdings : tuple of Holding
        What counts: verified holdings, and the others marked declared when asked for.
    checks : tuple of (str, Verification)
        Each holding's credential id with the verification that decided it (the best one
        when several credentials give the same holding).
    left_out : tuple of (str, Verification)
        Holdings not counted because no credential giving them verified.
    problems : tuple of ImportProblem
        What the import reported (unreadable files, expired credentials, …).

    """

    holdings: tuple[Holding, ...] = ()
    checks: tuple[tuple[str, Verification], ...] = ()
    left_out: tuple[tuple[str, Verification], ...] = ()
    problems: tuple[ImportProblem, ...] = ()


def _types(node: Any) -> set[str]:
    value = node.get("type") if isinstance(node, dict) else None
    return {value} if isinstance(value, str) else {str(v) for v in value} if isinstance(value, list) else set()


def _credentials(doc: Any, result: Verification) -> Iterator[tuple[dict[str, Any], Verification]]:
    """Each learner credential in ``doc`` with its verification (CLR entries included)."""
    if not isinstance(doc, dict):
        return
    if "ClrCredential" in _types(doc):
        inner = (doc.get("credentialSubject") or {}).get("verifiableCredential") or []
        for item, check in zip(inner if isinstance(inner, list) else [inner], result.nested, strict=False):
            if isinstance(item, dict) and "proof" not in item:  # unsigned inside: the CLR's proof covers it
                reason = f"the CLR holding it: {result.reason}" if result.reason else ""
                check = Verification(result.status, reason, check.pointer, check.credential_id, check.name,
                                     result.issuer, result.key, ("signed as part of the CLR",))
            yield from _credentials(item, check)
    elif {"OpenBadgeCredential", "AchievementCredential"} & _types(doc):
        yield doc, result


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


def holdings_from_files(paths: Sequence[str | Path], *, today: dt.date | None = None,
                        loader: ContextLoader | None = None, count_unverified: bool = False) -> FileHoldings:
    """Read, verify and count the holdings in OB3 / CLR credential files.

    Parameters
    ----------
    paths : sequence of path
        Credential JSON files (OB3 credentials, CLRs, or lists of them).
    today : datetime.date, optional
        The day validity is judged at (start of the day, UTC; default: today).
    loader : ContextLoader, optional
        Where JSON-LD contexts and status lists come from (default: ``$PLANNER_CONTEXT_DIR``).
    count_unverified : bool, optional
        Count holdings whose credential did not verify, as *declared* (default: leave them out).

    Returns
    -------
    FileHoldings
        The holdings that count, how each was decided, and what was left out.

    """
    today = today or dt.date.today()
    at = dt.datetime.combine(today, dt.time(), dt.UTC)
    loader = loader or ContextLoader()
    imported = import_files([Path(p) for p in paths], today=today)
    by_title: dict[str, list[str]] = {}
    for item in imported.catalogue["credentials"]:
        by_title.setdefault(item["title"], []).append(item["id"])
    best: dict[str, Verification] = {}
    for path in paths:
        checked = verify_file(path, loader=loader, at=at)
        if not checked.results:
            continue
        data, _ = read_json(path)
        docs = data if isinstance(data, list) else [data]
        for doc, result in zip(docs, checked.results, strict=False):
            for credential, check in _credentials(doc, result):
                cid = _holding_id(credential, by_title)
                if cid is not None and (cid not in best or (check.verified and not best[cid].verified)):
                    best[cid] = check
    holdings: list[Holding] = []
    checks: list[tuple[str, Verification]] = []
    left_out: list[tuple[str, Verification]] = []
    for holding in imported.profile.holdings if imported.profile else []:
        check = best.get(holding.credential) or Verification(
            Status.UNVERIFIABLE, "no credential in the files could be matched to this holding")
        checks.append((holding.credential, check))
        if check.verified:
            holdings.append(holding.model_copy(update={"verification": "verified"}))
        elif count_unverified:
            holdings.append(holding.model_copy(update={"verification": "declared"}))
        else:
            left_out.append((holding.credential, check))
    return FileHoldings(tuple(holdings), tuple(checks), tuple(left_out), imported.problems)
