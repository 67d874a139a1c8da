"""``planner import`` and ``planner export``: standards in and out.

``planner import FORMAT FILE... --into DIR|URL [--name NAME] [--force]``
    Reads the files with the FORMAT importer (``ctdl``, ``badgr``, ``ob3``, ``clr``,
    ``elm``, ``esco``, ``onet``) and writes one catalogue file ``DIR/imported-NAME.yaml``
    (NAME defaults to the first file's name). Items identical to ones already in DIR are
    left out; the result is validated together with DIR before anything is written, and
    written atomically. An existing file is never replaced without ``--force``. A learner
    record (OB3 / CLR) also gives ``DIR/imported-NAME-profile.json`` for ``planner
    recommend --profile``. Problems are listed as ``file:line: path: message``; exit code
    1 when there is an error (nothing is written), 0 otherwise. When ``--into`` is a
    database URL (``sqlite:///FILE``, ``postgresql://…``) the validated items are written
    into that compiled catalogue instead, replacing an earlier import of the same NAME.

``planner export ctdl|ob3 [--catalogue DIR] [--credential ID ...] [--output FILE]``
    Writes credentials as CTDL JSON-LD (with the competencies they teach, and their award
    rules as pathways) or as Open Badges 3.0 achievements, to FILE or standard output. What
    CTDL has no term for is printed as a warning. Both pass the standards' validators
    (``ctdl-validate``; 1EdTech's JSON Schema), see :mod:`planner.interop.conformance`.

    ``--provider P`` exports that provider's credentials. ``--catalogue`` may be a compiled
    catalogue (``sqlite:///FILE``, ``postgresql://…``; default ``$PLANNER_CATALOGUE``): then
    ``--provider`` reads P's analysis sub-catalogue, ``--credential`` the named credentials with
    what they require, and neither the whole store, only when it is small
    (:data:`planner.store.catalogue.scope.MAX_WHOLE_CREDENTIALS` credentials); ``ctdl-pathway``
    reads the plan's credentials with what they require, or what ``--target`` needs.

``planner export ctdl-pathway (--plan PLAN.json | --target TARGET) [--route N] ...``
    Writes a recommended route as a CTDL ``Pathway``: from a saved ``planner recommend
    --format json`` plan, or by planning one now (``--target``, ``--have``, ``--budget``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml

from planner.cli._output import say
from planner.interop._result import SECTIONS, ImportResult, InteropError, slug
from planner.interop.rates import RatePlan, import_currencies, parse_rate, plan_rates
from planner.outputs.textsafe import json_text
from planner.outputs.writes import WriteError, write_atomic, write_files_atomic

__all__ = ["cmd_export", "cmd_import", "register"]

#: ``planner import labour-market FILE.csv --into DIR``: figures set on the roles (planner/cli/labour_cmd.py)
LABOUR_MARKET = "labour-market"


def register(sub: Any) -> None:
    """Add the ``import`` and ``export`` sub-commands.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The object returned by ``ArgumentParser.add_subparsers``.

    """
    from planner.interop.registry import FORMATS

    p = sub.add_parser("import", help="import CTDL, Badgr, OB3/CLR, ELM, ESCO or O*NET files into a catalogue",
                       description="Import standard files as a catalogue YAML file that validates; labour-market: "
                                   "a CSV of occupation code → openings and median wage, set on the roles.")
    formats = sorted([*FORMATS, LABOUR_MARKET])
    p.add_argument("format", choices=formats, metavar="FORMAT", help="one of: " + ", ".join(formats))
    p.add_argument("files", nargs="+", metavar="FILE", help="input files (read together)")
    p.add_argument("--into", required=True, metavar="DIR|URL",
                   help="catalogue directory to write into, or a compiled catalogue (sqlite:///FILE, postgresql://…)")
    p.add_argument("--name", help="file name part: DIR/imported-NAME.yaml (default: first input's name)")
    p.add_argument("--force", action="store_true", help="replace an existing imported file")
    p.add_argument("--select", action="append", default=[], metavar="OCCUPATION",
                   help="esco/onet: occupation to import as a role (URI, ISCO/SOC code or label; repeatable)")
    p.add_argument("--all", dest="all_occupations", action="store_true",
                   help="esco/onet: import every occupation as a role")
    p.add_argument("--today", type=dt.date.fromisoformat, metavar="DATE",
                   help="ob3/clr/elm: the day expiry is judged on (default: today)")
    p.add_argument("--rate", action="append", default=[], metavar="CUR=VALUE",
                   help="an exchange rate the imported prices need: the value of one CUR in the catalogue's "
                   "base currency, e.g. USD=0.92 (repeatable; written into the imported file's meta)")
    p.add_argument("--credit-rate", action="append", default=[], metavar="UNIT=ECTS",
                   help="ctdl: ECTS per credit of UNIT (semester_hour, quarter_hour, clock_hour, …), e.g. "
                   "semester_hour=2; without one, such credit is kept in its unit and not converted")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", help="export credentials or a route as CTDL JSON-LD or OB3",
                       description="Export catalogue credentials (ctdl, ob3) or a recommended route "
                       "(ctdl-pathway).")
    p.add_argument("format", choices=["ctdl", "ob3", "ctdl-pathway"], metavar="FORMAT",
                   help="ctdl, ob3 or ctdl-pathway")
    p.add_argument("--catalogue", "-c", metavar="DIR|URL",
                   help="catalogue directory or compiled catalogue (sqlite:///FILE, postgresql://…; "
                   "default: $PLANNER_CATALOGUE or the bundled one)")
    p.add_argument("--credential", action="extend", nargs="+", default=[], metavar="ID",
                   help="credentials to export (one or more, repeatable; default: all)")
    p.add_argument("--provider", metavar="P", help="ctdl, ob3: export this provider's credentials")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of standard output")
    p.add_argument("--plan", metavar="PLAN.json", help="ctdl-pathway: a 'planner recommend --format json' file")
    p.add_argument("--target", "-t", help="ctdl-pathway: plan now for role:ID, award:ID or competencies:...")
    p.add_argument("--route", type=int, default=1, help="ctdl-pathway: which route of the plan (default 1)")
    p.add_argument("--have", action="append", default=[], metavar="ID[@DATE]", help="a credential you hold")
    p.add_argument("--budget", help="ctdl-pathway with --target: most you can spend, e.g. 2000EUR")
    p.add_argument("--objective", default="cost", choices=["cost", "time", "workload", "credit"])
    p.add_argument("--start", type=dt.date.fromisoformat, help="ctdl-pathway with --target: plan start date")
    p.set_defaults(handler=cmd_export)


def _fail(command: str, message: str) -> int:
    say(f"planner {command}: {message}", err=True)
    return 1


# --------------------------------------------------------------------------- import


def _import_options(args: argparse.Namespace) -> dict[str, Any]:
    if args.format in ("esco", "onet"):
        return {"select": args.select or None, "all_occupations": args.all_occupations}
    if args.format in ("ob3", "clr", "elm") and args.today:
        return {"today": args.today}
    if args.format == "ctdl" and args.credit_rate:
        return {"credit_rates": dict(_credit_rate(item) for item in args.credit_rate)}
    return {}


def _credit_rate(text: str) -> tuple[str, float]:
    """``UNIT=ECTS`` for ``--credit-rate`` (a catalogue credit unit other than ECTS, a rate above 0)."""
    from planner.catalogue.models import CreditUnit

    unit, sep, value = text.partition("=")
    units = [u.value for u in CreditUnit if u is not CreditUnit.ECTS]
    try:
        rate = float(value)
    except ValueError:
        rate = float("nan")
    if not sep or unit.strip() not in units or not 0 < rate <= 100:
        raise ValueError(f"--credit-rate {text[:40]!r}: expected UNIT=ECTS_PER_UNIT with UNIT one of "
                         f"{', '.join(units)} and a rate above 0 and at most 100, e.g. semester_hour=2")
    return unit.strip(), rate


def cmd_import(args: argparse.Namespace) -> int:
    """Run ``planner import``; return the exit code."""
    if args.format == LABOUR_MARKET:
        from planner.cli.labour_cmd import run_labour_market

        return run_labour_market(args)
    from planner.interop.registry import import_files

    missing = [f for f in args.files if not os.path.lexists(f)]  # the input layer refuses the rest
    if missing:
        return _fail("import", "file not found: " + ", ".join(missing))
    try:
        options = _import_options(args)
        given = dict(parse_rate(item) for item in args.rate)
    except ValueError as exc:
        return _fail("import", str(exc))
    try:
        result = import_files(args.format, [Path(f) for f in args.files], **options)
    except InteropError as exc:
        for problem in exc.problems:
            say(problem, err=True)
        return 1
    for problem in result.problems:
        say(problem, err=True)
    if not result.ok:
        return _fail("import", f"{len(result.errors)} error(s); nothing was written")
    from planner.store.catalogue.resolve import is_store_url

    if is_store_url(args.into):
        return _import_into_store(result, args)
    into = Path(args.into)
    if into.exists() and not into.is_dir():
        return _fail("import", f"--into {into} is not a directory")
    name = slug(args.name or Path(args.files[0]).stem)
    target = into / f"imported-{name}.yaml"
    if target.exists() and not args.force:
        return _fail("import", f"{target} exists; use --force to replace it or --name to choose another name")
    data, dropped = _new_items(result, into, exclude=target)
    if not any(data.get(s) for s in SECTIONS) and result.profile is None:
        return _fail("import", "nothing to write: the files hold no new catalogue items")
    plan = _rate_plan(data, into, target, given)
    if plan.error:
        return _fail("import", plan.error + "; nothing was written")
    for note in plan.notes:
        say(f"note: {note}", err=True)
    text = _yaml_text({"meta": plan.meta, **data} if plan.meta else data, result, args)
    problems = _validate_with(into, target, text)
    if problems:
        for problem in problems:
            say(problem, err=True)
        return _fail("import", "the imported items do not validate with the catalogue; nothing was written")
    writes: list[tuple[Path, str]] = []
    if any(data.get(s) for s in SECTIONS):
        writes.append((target, text))
    if result.profile is not None:
        profile_path = into / f"imported-{name}-profile.json"
        if profile_path.exists() and not args.force:
            return _fail("import", f"{profile_path} exists; use --force to replace it; nothing was written")
        writes.append((profile_path, json.dumps(result.profile.model_dump(mode="json", exclude_none=True),
                                                indent=2, ensure_ascii=False) + "\n"))
    created = not into.exists()
    try:
        into.mkdir(parents=True, exist_ok=True)
        write_files_atomic(writes)  # all files or none
    except (WriteError, OSError) as exc:
        if created:
            with contextlib.suppress(OSError):
                into.rmdir()
        return _fail("import", str(exc))
    written = [str(path) for path, _ in writes]
    counts = ", ".join(f"{len(data[s])} {s}" for s in SECTIONS if data.get(s))
    note = f" ({dropped} already in the catalogue)" if dropped else ""
    say(f"imported {counts or 'a learner profile'}{note} -> {', '.join(written)}")
    return 0


def _import_into_store(result: ImportResult, args: argparse.Namespace) -> int:
    """Validate the import as a catalogue and write it into a compiled catalogue (replacing a re-import)."""
    from planner.catalogue.loader import validate_texts
    from planner.store.catalogue.build import write_catalogue
    from planner.store.catalogue.engine import StoreError

    data = {s: result.catalogue[s] for s in SECTIONS if result.catalogue.get(s)}
    if not data:
        return _fail("import", "nothing to write: the files hold no catalogue items")
    name = slug(args.name or Path(args.files[0]).stem)
    report = validate_texts({f"imported-{name}.yaml": _yaml_text(data, result, args)})
    if report.catalogue is None:
        for problem in report.errors:
            print(problem, file=sys.stderr)
        return _fail("import", "the imported items do not validate; nothing was written")
    try:
        n = write_catalogue(report.catalogue, args.into, source=f"import:{args.format}:{name}")
    except StoreError as exc:
        return _fail("import", str(exc))
    if result.profile is not None:
        print("note: the learner profile in these files is not stored in a catalogue; import into a folder "
              "to keep it", file=sys.stderr)
    from planner.store.urls import mask_url

    print(f"imported {n} items -> {mask_url(args.into)} (source import:{args.format}:{name})")
    return 0


def _new_items(result: ImportResult, into: Path, *, exclude: Path) -> tuple[dict[str, list[Any]], int]:
    """Drop items that the catalogue in ``into`` already holds with the same content."""
    existing: dict[tuple[str, str], Any] = {}
    for content in _catalogue_data(into, exclude):
        if isinstance(content, dict):
            for section in SECTIONS:
                items = content.get(section)
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, dict) and "id" in item:
                        existing[(section, str(item["id"]))] = item
    data: dict[str, list[Any]] = {}
    dropped = 0
    for section in SECTIONS:
        keep = []
        for item in result.catalogue.get(section) or []:
            if existing.get((section, str(item.get("id")))) == item:
                dropped += 1
                continue
            keep.append(item)
        if keep:
            data[section] = keep
    return data, dropped


def _rate_plan(data: dict[str, list[Any]], into: Path, target: Path, given: dict[str, float]) -> RatePlan:
    """The exchange rates the new items need, from the folder's ``meta`` and ``--rate`` (see rates.py)."""
    from planner.catalogue.yamlsafe import decode_yaml_bytes, parse_yaml

    meta, meta_file, priced = None, None, []
    for name, content in _catalogue_files(into, target)[0]:
        text, _ = decode_yaml_bytes(content, name)
        parsed, _ = parse_yaml(text, name) if text is not None else (None, [])
        found = parsed.data if parsed is not None else None
        if not isinstance(found, dict):
            continue
        if isinstance(found.get("meta"), dict) and meta is None:
            meta, meta_file = found["meta"], name
        if isinstance(found.get("credentials"), list):
            priced.extend(c for c in found["credentials"] if isinstance(c, dict))
    return plan_rates(import_currencies(data.get("credentials", [])), meta=meta, meta_file=meta_file,
                      folder_currencies=import_currencies(priced), given=given, folder=str(into))


def _yaml_text(data: dict[str, list[Any]], result: ImportResult, args: argparse.Namespace) -> str:
    header = (f"# Imported with: planner import {args.format} "
              + " ".join(Path(f).name for f in args.files) + "\n"
              "# Review before use: imported data can be incomplete (see the warnings printed on import).\n")
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100) if data else "{}\n"
    del result
    return header + body


def _validate_with(into: Path, target: Path, text: str) -> list[str]:
    """Validate the new file together with the catalogue already in ``into``."""
    from planner.catalogue.loader import validate_texts

    files: dict[str, bytes | str] = dict(_catalogue_files(into, target)[0])
    files[str(target)] = text
    report = validate_texts(files)
    return [str(p) for p in _catalogue_files(into, target)[1]] + [str(p) for p in report.errors]


def _catalogue_files(into: Path, exclude: Path) -> tuple[list[tuple[str, bytes]], list[Any]]:
    """The YAML files already in ``into`` (read through the input layer) and what could not be read."""
    from planner.catalogue.loader import catalogue_files

    if not into.is_dir():
        return [], []
    sources, problems = catalogue_files(into)
    skip = os.path.realpath(exclude)
    # "the folder has no YAML files" is no problem for an import into it
    return [(n, b) for n, b in sources if os.path.realpath(n) != skip], \
        [p for p in problems if p.file != str(into) and os.path.realpath(p.file) != skip]


def _catalogue_data(into: Path, exclude: Path) -> list[Any]:
    """Data of each readable YAML file in ``into``, through the safe loader (bad files are skipped)."""
    from planner.catalogue.yamlsafe import decode_yaml_bytes, parse_yaml

    out = []
    for name, content in _catalogue_files(into, exclude)[0]:
        text, _ = decode_yaml_bytes(content, name)
        parsed, _ = parse_yaml(text, name) if text is not None else (None, [])
        if parsed is not None:  # the validation that follows reports the others with their location
            out.append(parsed.data)
    return out


# --------------------------------------------------------------------------- export


def cmd_export(args: argparse.Namespace) -> int:
    """Run ``planner export``; return the exit code."""
    from planner.catalogue.loader import default_catalogue_dir, validate

    if args.provider and args.credential:
        return _fail("export", "give --provider or --credential, not both")
    if args.provider and args.format == "ctdl-pathway":
        return _fail("export", "--provider exports credentials (ctdl, ob3), not a route")
    store_url = _store_url(args.catalogue)
    if store_url is not None:
        # a route needs its own part of the store (its credentials, or what its target needs)
        catalogue = _StorePart(store_url) if args.format == "ctdl-pathway" else _store_catalogue(store_url, args)
        if catalogue is None:
            return 1
    else:
        folder = args.catalogue or os.environ.get("PLANNER_CATALOGUE")
        report = validate(Path(folder) if folder else default_catalogue_dir())
        if report.catalogue is None:
            for problem in report.errors:
                say(problem, err=True)
            return _fail("export", "the catalogue has errors; run 'planner validate' for the full list")
        catalogue = report.catalogue
    if args.provider:
        if not catalogue.has("provider", args.provider):
            return _fail("export", f"unknown provider {args.provider!r}")
        args.credential = [c.id for c in catalogue.credentials if c.provider == args.provider]
        if not args.credential:
            return _fail("export", f"provider {args.provider!r} has no credentials")
    warnings: list[str] = []
    try:
        if args.format == "ctdl":
            from planner.interop.ctdl_export import export_credentials

            document = export_credentials(catalogue, args.credential or None, warnings=warnings)
        elif args.format == "ob3":
            document = _export_ob3(catalogue, args.credential)
        else:
            document = _export_pathway(catalogue, args, warnings)
    except InteropError as exc:
        for problem in exc.problems:
            say(f"planner export: {problem.message if not problem.file else problem}", err=True)
        return 1
    for line in dict.fromkeys(warnings):
        say(f"warning: {line}", err=True)
    text = json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
    if args.output:
        out = Path(args.output)
        try:
            write_atomic(out, text)
        except WriteError as exc:
            return _fail("export", str(exc))
        say(f"wrote {out}", err=True)
    else:
        sys.stdout.write(text)
    return 0


def _store_url(value: str | None) -> str | None:
    """The compiled catalogue ``--catalogue`` (or ``$PLANNER_CATALOGUE``) names, else ``None``."""
    if value is None and not os.environ.get("PLANNER_CATALOGUE"):
        return None
    from planner.store.catalogue.resolve import resolve_catalogue

    source = resolve_catalogue(value)
    return source.location if source.is_store else None


def _store_catalogue(url: str, args: argparse.Namespace) -> Any:
    """What an export needs from a store: a provider's part, the named credentials' closure, or all of it."""
    from planner.store.catalogue import open_catalogue
    from planner.store.catalogue.reader import ScopeTooLarge

    store = open_catalogue(url)
    try:
        if args.credential:
            return store.closure(args.credential)
        return store.analysis_scope(args.provider).catalogue
    except ScopeTooLarge as exc:
        _fail("export", f"{exc}, or --credential ID")
    except KeyError as exc:
        what = "provider" if args.provider else "credential"
        _fail("export", f"unknown {what} {exc.args[0]}: {url} has none with this id")
    finally:
        store.close()
    return None


def _export_ob3(catalogue: Any, credential_ids: list[str]) -> Any:
    try:
        from planner.interop import openbadges
    except ModuleNotFoundError:
        raise InteropError(["the ob3 exporter is not available in this version"]) from None
    exporter = getattr(openbadges, "export_achievements", None)
    if exporter is None:
        raise InteropError(["the ob3 exporter is not available in this version"])
    unknown = [c for c in credential_ids if not catalogue.has("credential", c)]
    if unknown:
        raise InteropError([f"unknown credential '{c}'" for c in unknown])
    return exporter(catalogue, credential_ids or None)


class _StorePart:
    """A compiled catalogue a route is exported from: the part a plan or a target needs is read on demand."""

    def __init__(self, url: str) -> None:
        self.url = url

    def for_plan(self, route: Any, target: Any) -> Any:
        """The route's credentials (and the award it leads to) with their prerequisite closure."""
        from planner.store.catalogue import open_catalogue

        ids = set(route.credential_ids) | ({target.id} if target.kind == "award" and target.id else set())
        store = open_catalogue(self.url)
        try:
            known = {c for c in ids if store.get("credential", c) is not None}
            role = target.id if target.kind == "role" and target.id else None
            return store.closure(known, roles=[role] if role and store.get("role", role) else [])
        finally:
            store.close()

    def for_target(self, profile: Any, target: Any) -> Any:
        """What a route question for ``target`` needs (as ``planner recommend --catalogue URL`` reads)."""
        from planner.store.catalogue import open_catalogue

        store = open_catalogue(self.url)
        try:
            return store.subcatalogue(profile, target)
        finally:
            store.close()


def _export_pathway(catalogue: Any, args: argparse.Namespace, warnings: list[str]) -> dict[str, Any]:
    from planner.catalogue.models import Target
    from planner.interop.ctdl_export import export_route

    if bool(args.plan) == bool(args.target):
        raise InteropError(["ctdl-pathway needs either --plan PLAN.json or --target TARGET"])
    if args.plan:
        route, target = _route_from_plan(Path(args.plan), args.route)
        if isinstance(catalogue, _StorePart):
            catalogue = catalogue.for_plan(route, target)
    else:
        try:
            target = Target.parse(args.target)
        except ValueError as exc:
            raise InteropError([f"--target {args.target}: {exc}"]) from None
        route, catalogue = _plan_now(catalogue, target, args)
    missing = [c for c in route.credential_ids if not catalogue.has("credential", c)]
    if missing:
        raise InteropError([f"the plan names credential '{c}', which is not in the catalogue" for c in missing])
    return export_route(route, catalogue, target, warnings=warnings)


def _route_from_plan(path: Path, rank: int) -> tuple[Any, Any]:
    from planner.catalogue.models import Target
    from planner.interop._result import read_json

    data, problems = read_json(path)
    errors = [p for p in problems if p.severity == "error"]
    if errors or data is None:
        raise InteropError(errors or [f"{path}: cannot read the plan"])
    if not isinstance(data, dict) or not isinstance(data.get("routes"), list) or "target" not in data:
        raise InteropError([f"{path}: not a plan (expected the output of 'planner recommend --format json')"])
    routes = [r for r in data["routes"] if isinstance(r, dict)]
    if not routes:
        raise InteropError([f"{path}: the plan has no route (the target was not reachable)"])
    chosen = next((r for r in routes if r.get("rank") == rank), None)
    if chosen is None:
        raise InteropError([f"{path}: the plan has no route {rank} (it has {len(routes)})"])
    try:
        target = Target.parse(str(data["target"]))
        return _route(chosen), target
    except (ValueError, KeyError, TypeError) as exc:
        raise InteropError([f"{path}: route {rank} is incomplete or malformed ({exc})"]) from None


def _route(data: dict[str, Any]) -> Any:
    """Rebuild a :class:`planner.engine.results.Route` from its JSON form."""
    from planner.catalogue.models import Objective
    from planner.engine.results import Route, ScheduledStep

    def day(value: Any) -> dt.date:
        return dt.date.fromisoformat(str(value))

    schedule = tuple(
        ScheduledStep(credential_id=s["credential_id"], start_week=int(s["start_week"]),
                      end_week=int(s["end_week"]), start=day(s["start"]), end=day(s["end"]),
                      hours_per_week=float(s.get("hours_per_week") or 0), term=s.get("term"))
        for s in data.get("schedule") or []
    )
    return Route(
        rank=int(data["rank"]), credential_ids=tuple(str(c) for c in data["credential_ids"]), steps=(),
        total_cost=float(data.get("total_cost") or 0), currency=str(data.get("currency") or "EUR"),
        total_hours=float(data.get("total_hours") or 0), total_ects=float(data.get("total_ects") or 0),
        start=day(data["start"]), finish=day(data["finish"]), weeks=int(data.get("weeks") or 0),
        objective=Objective(data.get("objective", "cost")), objective_value=float(data.get("objective_value") or 0),
        proved_optimal=bool(data.get("proved_optimal")), schedule=schedule,
    )


def _plan_now(catalogue: Any, target: Any, args: argparse.Namespace) -> tuple[Any, Any]:
    from planner.catalogue.models import Holding, LearnerProfile, Money, check_date
    from planner.engine.problem import ProblemError
    from planner.engine.routing import recommend

    holdings = []
    for item in args.have:
        cid, _, when = item.partition("@")
        try:
            earned = dt.date.fromisoformat(when) if when else dt.date.today()
            holdings.append(Holding(credential=cid, earned=earned))
        except ValueError as exc:
            raise InteropError([f"--have {item}: {exc}"]) from None
    constraints: dict[str, Any] = {}
    if args.budget:
        try:
            constraints["budget"] = Money.model_validate(args.budget)
        except ValueError as exc:
            raise InteropError([f"--budget {args.budget}: {exc}"]) from None
    profile = LearnerProfile(holdings=holdings, constraints=constraints)
    try:
        if args.start is not None:
            check_date(args.start, "--start")  # dates far out overflow the schedule's arithmetic
        if isinstance(catalogue, _StorePart):
            catalogue = catalogue.for_target(profile, target)
        rec = recommend(catalogue, profile, target, objective=args.objective, today=args.start)
    except (ProblemError, ValueError, KeyError) as exc:
        raise InteropError([str(exc).strip("'\"")]) from None
    chosen = next((r for r in rec.routes if r.rank == args.route), None)
    if chosen is None:
        reasons = "; ".join(d.message for d in rec.diagnoses) or "no route found"
        raise InteropError([f"no route {args.route} to {target}: {reasons}"])
    return chosen, catalogue
