"""``planner verify FILE…``: verify learners' Open Badges 3.0 / CLR 2.0 credentials offline.

Prints one line per credential, ``FILE: POINTER: STATUS[: reason]`` (CLR entries
indented under their CLR), or a JSON list with ``--format json``. JSON-LD contexts are
read from ``--contexts DIR``, ``$PLANNER_CONTEXT_DIR`` or the user cache folder; verification
fetches nothing. Exit code 0 when every credential verified, 1 otherwise (or when a file
cannot be read).

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
                   help="a status list credential saved locally, for the URL credentials name (repeatable)")
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


def to_json(file: str, result: Any) -> dict[str, Any]:
    """One credential's verification as a JSON object (nested CLR entries included)."""
    return {"file": file, "pointer": result.pointer, "id": result.credential_id, "name": result.name,
            "issuer": result.issuer, "status": result.status.value, "reason": result.reason,
            "key": result.key, "notes": list(result.notes),
            "nested": [to_json(file, n) for n in result.nested]}


def _lines(file: str, result: Any, indent: str = "") -> list[str]:
    label = f" ({result.name})" if result.name else ""
    out = [f"{indent}{file}: {result.pointer}{label}: {result.describe()}"]
    out += [f"{indent}  note: {note}" for note in result.notes]
    for inner in result.nested:
        out += _lines(file, inner, indent + "  ")
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

    try:
        extra = parse_status_lists(args.status_list)
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
    loader = ContextLoader(args.contexts, extra)
    at = (dt.datetime.combine(args.at, dt.time(), dt.UTC) if args.at else None)
    ok = True
    records: list[dict[str, Any]] = []
    lines: list[str] = []
    for file in args.files:
        checked = verify_file(file, loader=loader, at=at)
        for problem in checked.problems:
            say(problem, err=True)
            ok = ok and problem.severity != "error"
        if checked.problems and not checked.results:
            ok = False
        for result in checked.results:
            ok = ok and all(r.verified for r in _flatten([result]))
            records.append(to_json(file, result))
            lines += _lines(file, result)
    if args.format == "json":
        say_json(json.dumps(records, indent=2, ensure_ascii=False))
    elif lines:
        say("\n".join(lines))
    return 0 if ok and filled else 1
