"""``planner plans check`` and ``planner learner export|erase``: saved plans and personal data.

``planner plans check [--learner ID] [--catalogue DIR] [--as-of DATE] [--format text|json]``
re-checks every saved plan the acting user may see against a catalogue (default: the
bundled one) and says, per plan, what no longer holds: price changed, intake dropped,
credential retired or renamed, award rule changed, recognition expired, no route any more.
Exit codes: 0 every plan holds, 3 some plan drifted, 1 bad input.

``planner learner export ID [--output FILE]`` prints everything held about a learner as
JSON (a file it writes is readable by its owner only, 0600); ``planner learner erase ID --yes``
removes it (the audit log keeps who erased it, when).

Every command acts as the local user unless ``--as ISSUER|SUBJECT`` names a signed-in user,
and reads the database of ``--database URL`` (default ``PLANNER_DATABASE_URL``, else the
SQLite file in the user's data directory). Access rules are the store's own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from planner._errors import PlannerError
from planner.cli._output import say, say_json
from planner.store.identity import Identity

__all__ = ["cmd_erase", "cmd_export", "cmd_plans_check", "register"]

DRIFTED = 3


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-09-01, got {text!r}") from None


def _identity(text: str) -> Identity:
    issuer, sep, subject = text.partition("|")
    if not sep or not issuer or not subject or len(text) > 600:
        raise argparse.ArgumentTypeError(f"expected ISSUER|SUBJECT, got {text!r}")
    return Identity(issuer=issuer, subject=subject)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database", metavar="URL", help="database URL (default PLANNER_DATABASE_URL or the local file)")
    p.add_argument("--as", dest="as_identity", type=_identity, metavar="ISSUER|SUBJECT",
                   help="act as this signed-in user (default: the local user)")


def register(subparsers: Any) -> None:
    """Add the ``plans`` and ``learner`` sub-commands.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The object returned by ``ArgumentParser.add_subparsers``.
    """
    plans = subparsers.add_parser("plans", help="saved plans: re-check them against a changed catalogue",
                                  description="Work with the plans saved in the learner store.")
    psub = plans.add_subparsers(dest="plans_command", metavar="ACTION", required=True)
    check = psub.add_parser("check", help="re-check saved plans against a catalogue",
                            description="Say for every saved plan whether it still holds against the catalogue.")
    check.add_argument("--learner", type=int, metavar="ID", help="only this learner's plans")
    check.add_argument("--catalogue", metavar="DIR", help="catalogue directory (default: the bundled one)")
    check.add_argument("--as-of", type=_date, metavar="DATE", help="day of the check (default today)")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--no-search", action="store_true",
                       help="only compare catalogue facts; do not run the engine for changed plans")
    _common(check)
    check.set_defaults(handler=cmd_plans_check)

    learner = subparsers.add_parser("learner", help="personal data: export or erase a learner's records",
                                    description="Export or erase everything held about a learner.")
    lsub = learner.add_subparsers(dest="learner_command", metavar="ACTION", required=True)
    export = lsub.add_parser("export", help="print everything held about a learner as JSON")
    export.add_argument("learner_id", type=int, metavar="ID")
    export.add_argument("--output", "-o", metavar="FILE", help="write the JSON to FILE")
    _common(export)
    export.set_defaults(handler=cmd_export)
    erase = lsub.add_parser("erase", help="erase a learner's records (the audit log keeps the fact)")
    erase.add_argument("learner_id", type=int, metavar="ID")
    erase.add_argument("--yes", action="store_true", help="confirm: the records cannot be restored")
    _common(erase)
    erase.set_defaults(handler=cmd_erase)


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from planner.store.records import open_store

    store = open_store(args.database)
    actor = store.user_for(args.as_identity) if args.as_identity else store.local_user()
    return store, actor


def _fail(command: str, exc: Exception) -> int:
    say(f"planner {command}: {exc}", err=True)
    return 1


def cmd_plans_check(args: argparse.Namespace) -> int:
    """Run ``planner plans check``; 0 when every plan holds, 3 when some drifted, 1 on bad input."""
    from planner.catalogue.loader import default_catalogue_dir, validate
    from planner.store.replan import check_plans

    path = Path(args.catalogue) if args.catalogue else default_catalogue_dir()
    checked = validate(path)
    if checked.catalogue is None:
        for problem in checked.errors:
            say(problem, err=True)
        say(f"FAILED: {path}: {len(checked.errors)} error(s)", err=True)
        return 1
    try:
        store, actor = _open(args)
        results = check_plans(store, checked.catalogue, actor, args.learner, today=args.as_of,
                              feasibility=not args.no_search)
    except PlannerError as exc:
        return _fail("plans check", exc)
    drifted = [r for r in results if not r.holds]
    if args.format == "json":
        data = {"checked": len(results), "drifted": len(drifted), "plans": [
            {"plan": r.plan_id, "learner": r.learner_id, "version": r.version, "target": r.target,
             "holds": r.holds, "reasons": [{"code": d.code, "credential": d.credential_id, "message": d.message}
                                           for d in r.reasons]} for r in results]}
        say_json(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for r in results:
            head = f"plan {r.plan_id} (learner {r.learner_id}, {r.target}, version {r.version})"
            say(f"{head}: holds" if r.holds else f"{head}: NO LONGER HOLDS")
            for d in r.reasons:
                say(f"  - {d.code}: {d.message}")
        say(f"{len(results)} plan(s) checked, {len(drifted)} no longer hold")
    return DRIFTED if drifted else 0


def cmd_export(args: argparse.Namespace) -> int:
    """Run ``planner learner export``."""
    try:
        store, actor = _open(args)
        data = store.export_learner(actor, args.learner_id)
    except PlannerError as exc:
        return _fail("learner export", exc)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if args.output:
        from planner.outputs.writes import WriteError, write_atomic

        try:
            write_atomic(args.output, text + "\n", private=True)  # personal data: 0600, whole or not at all
        except WriteError as exc:
            return _fail("learner export", exc)
        say(f"wrote learner {args.learner_id} to {args.output}", err=True)
    else:
        say_json(text)
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    """Run ``planner learner erase``."""
    if not args.yes:
        say("planner learner erase: add --yes to confirm (erased records cannot be restored)", err=True)
        return 1
    try:
        store, actor = _open(args)
        store.erase_learner(actor, args.learner_id)
    except PlannerError as exc:
        return _fail("learner erase", exc)
    say(f"erased learner {args.learner_id}; the audit log keeps the entry")
    return 0
