"""``planner verify FILE…``: verify learners' Open Badges 3.0 / CLR 2.0 credentials offline.

Prints one line per credential, ``FILE: POINTER: STATUS[: reason]`` (CLR entries
indented under their CLR), or a JSON list with ``--format json``. A file may be JSON, a
baked PNG or SVG badge, or a VC-JWT. JSON-LD contexts are read from ``--contexts DIR``,
``$PLANNER_CONTEXT_DIR`` or the user cache folder; verification fetches nothing unless
``--resolve-issuers`` is given. Exit code 0 when every credential verified, 1 otherwise
(or when a file cannot be read).

*Verified* means the issuer's key signed it: a ``did:key`` issuer, an issuer the catalogue's
trust list gives keys for (``--catalogue``), an ``--issuer-document`` the user gives, or
(``--resolve-issuers``) the issuer's own document fetched over HTTPS. Otherwise a valid
signature is "signature valid, issuer not confirmed".

``--fetch-contexts`` (download) or ``--contexts-from DIR`` (copy, offline) first fills that
cache with the pinned contexts, one report line per URL; exit code 1 when a pinned context
could not be obtained.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from planner.cli._output import say, say_json

__all__ = ["register", "run", "to_json"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``verify`` sub-command."""
    p = sub.add_parser(
        "verify",
        help="verify Open Badges 3.0 / CLR 2.0 credentials (signature, dates, revocation) offline",
        description="Verify each credential's Data Integrity proof, validity dates and status list, "
                    "with JSON-LD contexts from a local cache only.",
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="credential JSON files (OB3, CLR, or a list)")
    p.add_argument("--contexts", metavar="DIR",
                   help="folder of JSON-LD context files (default: $PLANNER_CONTEXT_DIR, "
                        "else ~/.cache/stackable-planner/contexts)")
    fill = p.add_mutually_exclusive_group()
    fill.add_argument("--fetch-contexts", action="store_true",
                      help="first download the known contexts the cache lacks (HTTPS, each checked against its "
                           "pinned SHA-256)")
    fill.add_argument("--contexts-from", metavar="SOURCE",
                      help="first copy the known contexts the cache lacks from a folder (e.g. a checkout of "
                           "1EdTech's validator), each checked against its pinned SHA-256")
    p.add_argument("--status-list", action="append", default=[], metavar="URL=FILE",
                   help="a status list credential saved locally, for the URL credentials name (repeatable; "
                        "never a context URL)")
    add_trust_arguments(p)
    p.add_argument("--at", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                   help="judge validity dates at the start of this day, UTC (default: now)")
    p.add_argument("--format", "-f", default="text", choices=["text", "json"])
    p.set_defaults(handler=run)


def _flatten(results: Any) -> list[Any]:
    out = []
    for r in results:
        out.append(r)
        out.extend(_flatten(r.nested))
    return out


def to_json(file: str, result: Any, learner: Any = ()) -> dict[str, Any]:
    """One credential's verification as a JSON object (nested CLR entries included)."""
    from planner.verify.subject import subject_standing
    from planner.verify.words import COUNTS

    subject = subject_standing(result, learner)
    return {"file": file, "pointer": result.pointer, "id": result.credential_id, "name": result.name,
            "issuer": result.issuer, "status": result.status.value, "reason": result.reason,
            "issuer_confirmed_by": result.confirmed_by or None, "subject": subject.note or None,
            "counts_as": COUNTS["verified"] if result.verified and subject.ok else COUNTS["not counted"]
            if not subject.ok else COUNTS["declared"],
            "key": result.key, "notes": list(result.notes),
            "nested": [to_json(file, n, learner) for n in result.nested]}


def add_trust_arguments(p: argparse.ArgumentParser, *, catalogue: bool = True) -> None:
    """The options that say whose keys are trusted: shared by ``verify`` and ``recommend --have-file``."""
    if catalogue:
        p.add_argument("--catalogue", metavar="PATH_OR_URL",
                       help="a catalogue whose trust list (providers' issuers and keys) confirms issuers")
    p.add_argument("--issuer-document", action="append", default=[], metavar="FILE",
                   help="an issuer's DID document or profile saved locally: its keys confirm that issuer (repeatable)")
    p.add_argument("--resolve-issuers", action="store_true",
                   help="fetch did:web and https:// issuers' documents over HTTPS to confirm their keys "
                        "(size-capped, with a timeout, cached for a day); off by default")
    p.add_argument("--learner-id", action="append", default=[], metavar="ID",
                   help="the learner's e-mail, DID or URL as badges name them: a credential issued to someone "
                        "else is said and never counted (repeatable)")


def trust_from_arguments(args: argparse.Namespace, providers: Any = ()) -> tuple[Any, Any]:
    """(TrustList, resolver or None) from the catalogue's providers and the trust options.

    Raises
    ------
    ValueError
        When an issuer document cannot be read.
    """
    from planner.verify.resolve import IssuerResolver
    from planner.verify.trust import TrustList, read_issuer_documents

    trust = TrustList.from_providers(providers) + read_issuer_documents(args.issuer_document)
    return trust, (IssuerResolver() if args.resolve_issuers else None)


def _catalogue_providers(location: str) -> Any:
    """The providers of a catalogue folder or compiled store (only their trust list is used)."""
    from planner.store.catalogue.resolve import resolve_catalogue

    source = resolve_catalogue(location)
    if source.is_store:
        store = source.open_store()
        try:
            return store.providers_with_issuers()
        finally:
            store.close()
    return source.load().providers


def _lines(file: str, result: Any, learner: Any = (), indent: str = "") -> list[str]:
    from planner.verify.subject import subject_standing

    label = f" ({result.name})" if result.name else ""
    out = [f"{indent}{file}: {result.pointer}{label}: {result.describe()}"]
    if result.confirmed_by:
        out.append(f"{indent}  issuer confirmed: {result.confirmed_by}")
    subject = subject_standing(result, learner)
    if subject.note:
        out.append(f"{indent}  subject: {subject.note}")
    out += [f"{indent}  note: {note}" for note in result.notes]
    for inner in result.nested:
        out += _lines(file, inner, learner, indent + "  ")
    return out


def parse_status_lists(items: list[str]) -> dict[str, Path]:
    """``URL=FILE`` pairs as a mapping.

    Raises
    ------
    ValueError
        When an item has no ``=``.
    """
    out: dict[str, Path] = {}
    for item in items:
        url, eq, file = item.partition("=")
        if not eq or not url or not file:
            raise ValueError(f"--status-list {item}: expected URL=FILE")
        out[url] = Path(file)
    return out


def _fill_cache(args: argparse.Namespace) -> bool:
    """Fill the context cache as asked; print one line per URL; True when every pinned one is there."""
    from planner.verify.contexts import copy_contexts, fetch_contexts

    outcomes = (copy_contexts(args.contexts_from, args.contexts) if args.contexts_from
                else fetch_contexts(args.contexts))
    for outcome in outcomes:  # on stderr under --format json, which keeps stdout one document
        say(outcome.describe(), err=args.format == "json")
    lost = [o for o in outcomes if not o.obtained]
    if lost:
        say(f"planner verify: {len(lost)} pinned context(s) could not be obtained; credentials that need "
            "them stay unverifiable", err=True)
    return not lost


def run(args: argparse.Namespace) -> int:
    """Handle ``planner verify``."""
    from planner.verify import ContextLoader, verify_file
    from planner.verify.subject import subject_standing

    try:
        extra = parse_status_lists(args.status_list)
        loader = ContextLoader(args.contexts, extra) if args.files else None
    except ValueError as exc:
        say(f"planner verify: {exc}", err=True)
        return 1
    filling = args.fetch_contexts or args.contexts_from
    if not args.files and not filling:
        say("planner verify: give credential FILEs to verify, or --fetch-contexts / --contexts-from SOURCE "
            "to fill the context cache", err=True)
        return 1
    if args.contexts_from and not Path(args.contexts_from).is_dir():
        say(f"planner verify: --contexts-from {args.contexts_from}: not a folder", err=True)
        return 1
    if args.contexts and not filling and not Path(args.contexts).is_dir():
        say(f"planner verify: --contexts {args.contexts}: not a folder", err=True)
        return 1
    filled = _fill_cache(args) if filling else True
    if not args.files:
        return 0 if filled else 1
    try:
        providers = _catalogue_providers(args.catalogue) if args.catalogue else ()
        trust, resolver = trust_from_arguments(args, providers)
    except ValueError as exc:
        say(f"planner verify: {exc}", err=True)
        return 1
    at = (dt.datetime.combine(args.at, dt.time(), dt.UTC) if args.at else None)
    ok = True
    records: list[dict[str, Any]] = []
    lines: list[str] = []
    for file in args.files:
        checked = verify_file(file, loader=loader, at=at, trust=trust, resolver=resolver)
        for problem in checked.problems:
            say(problem, err=True)
            ok = ok and problem.severity != "error"
        if checked.problems and not checked.results:
            ok = False
        for result in checked.results:
            ok = ok and all(r.verified and subject_standing(r, args.learner_id).ok for r in _flatten([result]))
            records.append(to_json(file, result, args.learner_id))
            lines += _lines(file, result, args.learner_id)
    if resolver is not None:
        for issuer, why in sorted(resolver.failures.items()):
            say(f"planner verify: could not resolve {issuer}: {why}", err=True)
    if args.format == "json":
        say_json(json.dumps(records, indent=2, ensure_ascii=False))
    elif lines:
        say("\n".join(lines))
    return 0 if ok and filled else 1
