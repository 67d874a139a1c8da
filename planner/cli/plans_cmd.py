"""``planner plans check|save|show`` and ``planner learner export|erase``: saved plans and personal data.

``planner plans check [--learner ID] [--catalogue DIR] [--as-of DATE] [--format text|json]``
re-checks every saved plan the acting user may see against a catalogue (default: the
bundled one) and says, per plan, what no longer holds: price changed, intake dropped,
credential retired or renamed, award rule changed, recognition expired, no route any more.
Exit codes: 0 every plan holds, 3 some plan drifted, 1 bad input.

``planner plans save --learner ID FILE [--plan ID] [--route N] [--catalogue DIR|URL]`` saves a
plan file (from the app, with its what-ifs and notes) or the JSON of ``planner recommend
--format json`` for a learner: a new plan, or the next version of ``--plan``. The route the
file chose is scheduled again on the catalogue and kept exactly (refused with the reason
when the catalogue no longer gives it).

``planner plans show --learner ID [--catalogue DIR|URL]`` prints a learner's plans: every
version (who saved it, when, the route), its what-ifs and notes, and progress per step.

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

__all__ = ["cmd_erase", "cmd_export", "cmd_plans_check", "cmd_plans_save", "cmd_plans_show", "open_as", "register",
           "store_options"]

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


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= 2**62:
        raise argparse.ArgumentTypeError(f"expected a number from 1, got {text!r}")
    return value


def store_options(p: argparse.ArgumentParser) -> None:
    """Add ``--database`` and ``--as`` (every command on the learner store has them)."""
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
    check.add_argument("--learner", type=_positive, metavar="ID", help="only this learner's plans")
    check.add_argument("--catalogue", metavar="DIR", help="catalogue directory (default: the bundled one)")
    check.add_argument("--as-of", type=_date, metavar="DATE", help="day of the check (default today)")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--no-search", action="store_true",
                       help="only compare catalogue facts; do not run the engine for changed plans")
    store_options(check)
    check.set_defaults(handler=cmd_plans_check)
    save = psub.add_parser("save", help="save a plan file or recommend output for a learner",
                           description="Save a plan file (from the app, with its what-ifs and notes) or the JSON of "
                                       "'planner recommend --format json' as a learner's plan.")
    save.add_argument("plan", metavar="FILE", help="the plan file or recommend output (JSON)")
    save.add_argument("--learner", type=_positive, metavar="ID", required=True, help="whose plan it is")
    save.add_argument("--plan", dest="plan_id", type=_positive, metavar="ID",
                      help="save as the next version of this plan (default: a new plan)")
    save.add_argument("--route", type=_positive, default=1, metavar="N",
                      help="for recommend output: which route is the plan (default 1)")
    save.add_argument("--catalogue", metavar="DIR|URL", help="catalogue to schedule the route on (default: bundled)")
    save.add_argument("--format", choices=("text", "json"), default="text")
    store_options(save)
    save.set_defaults(handler=cmd_plans_save, command_name="plans save")
    show = psub.add_parser("show", help="a learner's plans: versions, what-ifs, notes and progress",
                           description="Print every plan of a learner with all its versions, what-ifs, notes and "
                                       "progress per step.")
    show.add_argument("--learner", type=_positive, metavar="ID", required=True)
    show.add_argument("--catalogue", metavar="DIR|URL", help="catalogue for titles (default: bundled)")
    show.add_argument("--format", choices=("text", "json"), default="text")
    store_options(show)
    show.set_defaults(handler=cmd_plans_show, command_name="plans show")

    learner = subparsers.add_parser("learner", help="personal data: export or erase a learner's records",
                                    description="Export or erase everything held about a learner.")
    lsub = learner.add_subparsers(dest="learner_command", metavar="ACTION", required=True)
    export = lsub.add_parser("export", help="print everything held about a learner as JSON")
    export.add_argument("learner_id", type=_positive, metavar="ID")
    export.add_argument("--output", "-o", metavar="FILE", help="write the JSON to FILE")
    store_options(export)
    export.set_defaults(handler=cmd_export)
    erase = lsub.add_parser("erase", help="erase a learner's records (the audit log keeps the fact)")
    erase.add_argument("learner_id", type=_positive, metavar="ID")
    erase.add_argument("--yes", action="store_true", help="confirm: the records cannot be restored")
    store_options(erase)
    erase.set_defaults(handler=cmd_erase)


def open_as(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The store of ``--database`` and the acting user of ``--as`` (default: the local user).

    A person named by ``--as`` for the first time gets the role they would get on first
    sign-in (``PLANNER_ADMINS``, ``PLANNER_ADVISORS``, else learner).
    """
    from planner.store.access import initial_role
    from planner.store.records import open_store

    store = open_store(args.database)
    if args.as_identity:
        return store, store.user_for(args.as_identity, role=initial_role(args.as_identity))
    return store, store.local_user()


_open = open_as


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


class _Catalogues:
    """The catalogue for each target: a folder loaded once, or a compiled store's sub-catalogues."""

    def __init__(self, value: str | None) -> None:
        from planner.store.catalogue.resolve import resolve_catalogue

        self.source = resolve_catalogue(value)
        self._folder: Any = None
        self._by_target: dict[str, Any] = {}

    def for_scenario(self, scenario: Any) -> Any:
        if not self.source.is_store:
            if self._folder is None:
                self._folder = self.source.load()
            return self._folder
        if scenario.target not in self._by_target:
            self._by_target[scenario.target] = self.source.catalogue_for(scenario.to_profile(), scenario.to_target())
        return self._by_target[scenario.target]


def _title(catalogue: Any, kind: str, item: str) -> str:
    if catalogue.has(kind, item):
        found = getattr(catalogue, kind)(item)
        return str(getattr(found, "title", None) or getattr(found, "name", item))
    return item


def _target_title(catalogue: Any, target: str) -> str:
    kind, _, item = target.partition(":")
    return _title(catalogue, "role" if kind == "role" else "credential", item)


def cmd_plans_save(args: argparse.Namespace) -> int:
    """Run ``planner plans save``: a plan file or recommend output saved for a learner."""
    from planner.catalogue.inputs import read_text
    from planner.outputs.export import PlanFileError
    from planner.store.planfiles import read_plan_source, save_plan_source

    text = read_text(args.plan)
    try:
        source = read_plan_source(text, route=args.route, name=args.plan)
    except PlanFileError as exc:
        raise PlanFileError(f"{args.plan}: {exc}") from None
    catalogue = _Catalogues(args.catalogue).for_scenario(source.scenario)
    store, actor = open_as(args)
    try:
        saved = save_plan_source(store, actor, args.learner, source, catalogue, plan_id=args.plan_id)
    except PlanFileError as exc:  # the file's route and this catalogue disagree: say which file
        raise PlanFileError(f"{args.plan}: {exc}") from None
    what_ifs = len(saved.whatifs)
    if args.format == "json":
        say_json(json.dumps({"learner": saved.learner_id, "plan": saved.plan_id, "version": saved.version,
                             "target": saved.target, "chosen": list(saved.chosen), "what_ifs": what_ifs,
                             "notes": saved.notes, "from": source.kind}, indent=2, ensure_ascii=False))
    else:
        say(f"saved plan {saved.plan_id} version {saved.version} for learner {saved.learner_id} "
            f"({_target_title(catalogue, saved.target)}): {len(saved.chosen)} step(s), {what_ifs} what-if(s), "
            f"{'notes kept' if saved.notes else 'no notes'} (from the {source.kind})")
    return 0


def _version_data(saved: Any, catalogue: Any) -> dict[str, Any]:
    from planner.store.planfiles import saved_what_ifs

    summary = saved.route.summary if saved.route else None
    return {
        "version": saved.version, "target": saved.target, "target_title": _target_title(catalogue, saved.target),
        "status": saved.status, "saved_by": saved.saved_by, "saved_at": saved.saved_at.isoformat(),
        "based_on": saved.based_on,
        "steps": [{"credential": c, "title": _title(catalogue, "credential", c)} for c in saved.chosen],
        "cost": summary.total_cost if summary else None, "currency": summary.currency if summary else None,
        "finish": summary.finish.isoformat() if summary else None,
        "what_ifs": [{**w.model_dump(mode="json"), "description": w.describe(saved.scenario, catalogue)}
                     for w in saved_what_ifs(saved)],
        "notes": saved.notes,
    }


def cmd_plans_show(args: argparse.Namespace) -> int:
    """Run ``planner plans show``: a learner's plans with every version, what-ifs, notes and progress."""
    from planner.store.history import plan_histories

    catalogues = _Catalogues(args.catalogue)
    store, actor = open_as(args)
    learner = store.learner(actor, args.learner)
    plans = []
    for history in plan_histories(store, actor, args.learner):
        catalogue = catalogues.for_scenario(history.latest.scenario)
        plans.append({
            "plan": history.plan_id,
            "versions": [_version_data(v, catalogues.for_scenario(v.scenario)) for v in reversed(history.versions)],
            "progress": [{"credential": p.credential_id, "title": _title(catalogue, "credential", p.credential_id),
                          "status": p.status, "completed_on": p.completed_on.isoformat() if p.completed_on else None}
                         for p in history.progress.values()],
            "completed": len(history.completed), "to_go": len(history.to_go),
        })
    if args.format == "json":
        say_json(json.dumps({"learner": {"id": learner.id, "name": learner.name}, "plans": plans}, indent=2,
                            ensure_ascii=False))
        return 0
    say(f"learner {learner.id}: {learner.name} · {len(plans)} plan(s)")
    for plan in plans:
        newest = plan["versions"][0]
        say(f"plan {plan['plan']} · {newest['target_title']} · {len(plan['versions'])} version(s) · "
            f"{plan['completed']} step(s) completed, {plan['to_go']} to go")
        for v in plan["versions"]:
            based = f" · based on version {v['based_on']}" if v["based_on"] else ""
            say(f"  version {v['version']} · {v['status']} · saved by {v['saved_by']} on "
                f"{v['saved_at'][:16].replace('T', ' ')} UTC{based}")
            if v["steps"]:
                totals = f" ({v['cost']:,.0f} {v['currency']}, finish {v['finish']})" if v["cost"] is not None else ""
                say("    route: " + " → ".join(s["title"] for s in v["steps"]) + totals)
            for w in v["what_ifs"]:
                say(f"    {w['name']}: {w['description']}")
            if not v["what_ifs"]:
                say("    what-ifs: none")
            if v["notes"]:
                say("    notes: " + v["notes"].replace("\n", "\n           "))
        say("  progress (steps of the newest version):")
        for p in plan["progress"]:
            when = f" on {p['completed_on']}" if p["completed_on"] else ""
            say(f"    - {p['title']}: {p['status'].replace('_', ' ')}{when}")
    return 0
