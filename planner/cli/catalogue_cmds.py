"""``planner validate`` and ``planner info``: check a catalogue and describe it.

``planner validate [DIR] [--strict] [--format text|json]``
    Reads the catalogue (never writes to it) and lists every problem as
    ``file:line: field: message``, then a summary line. Exit code 0 when there is no
    error (warnings allowed), 1 when there are errors. ``--strict`` turns missing EU
    standard elements into errors. With ``--format json`` it prints one object::

        {"ok": bool,
         "path": str,
         "strict": bool,
         "errors":   [{"file", "line", "column", "field", "message", "severity"}, ...],
         "warnings": [... same keys ...],
         "counts":   {"files": int, "errors": int, "warnings": int}}

``planner info [DIR] [--format text|json]``
    Counts by kind (providers, competencies, credentials, awards, roles, recognitions),
    credentials by type, sector and provider, providers by country, and cost currencies.
    Exit code 1 (with the problems on stderr) when the catalogue does not load.

``DIR`` defaults to ``$PLANNER_CATALOGUE``, else ``./catalogue`` or the bundled catalogue
of a source checkout. It may also be a compiled catalogue (``sqlite:///FILE``, a ``.db``
file, ``postgresql://…``): ``validate`` then opens it (refusing another format version or
a missing table or index), reads every row and compares it with what a build writes
(types, JSON, ids, columns, index rows, the full-text index), checks its references and
bookkeeping by indexed queries (:mod:`planner.store.catalogue.check`) and prints the
counts, with "rebuild it" when anything differs (``planner catalogue validate URL`` is the
same command); ``info`` prints the counts per kind, the providers with most
credentials and the build sources. The JSON objects keep the keys above (``files`` is
the number of build sources).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from planner.catalogue.loader import catalogue_summary, default_catalogue_dir, validate
from planner.cli._output import say, say_json

__all__ = ["cmd_info", "cmd_validate", "register"]


def register(subparsers: Any) -> None:
    """Add the ``validate`` and ``info`` sub-commands.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The object returned by ``ArgumentParser.add_subparsers``.

    """
    p = subparsers.add_parser(
        "validate",
        help="check a catalogue and list every problem",
        description="Check a catalogue directory (or file) and list every problem with its file and line. "
        "Exit code 0 when there are no errors, 1 when there are.",
    )
    p.add_argument("path", nargs="?", metavar="DIR|URL", help="catalogue directory or YAML file, or a compiled "
                   "catalogue (sqlite:///FILE, postgresql://…); default: $PLANNER_CATALOGUE, ./catalogue or the "
                   "bundled catalogue")
    p.add_argument("--strict", action="store_true", help="treat missing EU standard elements as errors")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    p.set_defaults(handler=cmd_validate)

    p = subparsers.add_parser(
        "info",
        help="count what a catalogue holds",
        description="Count providers, competencies, credentials, awards, roles and recognition agreements; "
        "credentials by type, sector and provider; countries and currencies.",
    )
    p.add_argument("path", nargs="?", metavar="DIR|URL", help="catalogue directory or YAML file, or a compiled "
                   "catalogue (sqlite:///FILE, postgresql://…); default: $PLANNER_CATALOGUE, ./catalogue or the "
                   "bundled catalogue")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    p.set_defaults(handler=cmd_info)


def _path(args: argparse.Namespace) -> Path:
    return Path(args.path) if args.path else default_catalogue_dir()


def _store(args: argparse.Namespace) -> Any:
    """The compiled catalogue ``path`` names (or ``$PLANNER_CATALOGUE``), else ``None`` for a folder."""
    from planner.store.catalogue.resolve import resolve_catalogue

    if args.path is None and not os.environ.get("PLANNER_CATALOGUE"):
        return None  # the default folder: no need to import the store
    source = resolve_catalogue(args.path)
    if not source.is_store:
        if args.path is None:
            args.path = source.location
        return None
    return source.open_store()  # refuses what is not a store of this format (StoreError: exit 1)


def _validate_store(store: Any, args: argparse.Namespace) -> int:
    import sys

    from planner.store.catalogue.check import check_store
    from planner.store.catalogue.engine import REBUILD

    bar = None
    if sys.stderr.isatty():  # reading every row of a national store takes minutes
        from tqdm import tqdm

        bar = tqdm(desc="reading every row", unit="item", file=sys.stderr)

    def advance(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.update(done - bar.n)

    try:
        result = check_store(store, progress=advance)
        sources = len(_source_rows(store))
    finally:
        store.close()
        if bar is not None:
            bar.close()
    where = args.path or store.url
    if args.format == "json":
        out = {"ok": result.ok, "path": str(where), "strict": bool(args.strict),
               "errors": [p.as_dict() for p in result.problems], "warnings": [],
               "counts": {"files": sources, "errors": len(result.problems), "warnings": 0},
               "items": result.counts}
        say_json(json.dumps(out, indent=2, sort_keys=True, ensure_ascii=False))
        return 0 if result.ok else 1
    for problem in result.problems:
        say(f"{problem}")
    if args.strict:
        say("note: --strict (missing EU standard elements) is checked when a store is built: "
            "'planner catalogue build DIR --into URL --strict'")
    c = result.counts
    verdict = "OK" if result.ok else "FAILED"
    advice = "" if result.ok else f"; a build writes none of these: {REBUILD}"
    say(f"{verdict}: {where}: compiled catalogue, {sources} source(s), {c['credential']:,} credentials "
        f"({c['award']:,} awards), {c['provider']:,} providers, {c['competency']:,} competencies, "
        f"{c['role']:,} roles, {c['recognition']:,} recognitions, {len(result.problems)} error(s){advice}")
    return 0 if result.ok else 1


def _source_rows(store: Any) -> list[Any]:
    """The build sources recorded in a store (path, items, sha256)."""
    from planner.store.catalogue.check import store_info

    return list(store_info(store, top=0)["sources"])


def _info_store(store: Any, args: argparse.Namespace) -> int:
    from planner.store.catalogue.check import store_info

    try:
        info = store_info(store)
    finally:
        store.close()
    where = args.path or store.url
    if args.format == "json":
        info["path"] = str(where)
        say_json(json.dumps(info, indent=2, sort_keys=True, ensure_ascii=False))
        return 0
    say(f"{info['name']} ({where}, compiled)")
    say("  " + ", ".join(f"{n:,} {kind}" for kind, n in info["counts"].items()))
    top = info["providers"]["by_credentials"]
    say(f"credentials by provider (the {len(top)} largest of {info['providers']['total']:,}):")
    width = max((len(row[0]) for row in top), default=0)
    for pid, name, country, n in top:
        say(f"  {pid:<{width}}  {n:>7,}  {country}  {name}")
    say(f"build sources ({len(info['sources'])}):")
    for path, items, sha in info["sources"]:
        say(f"  {path}  {items:,} items  sha256 {sha[:12]}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Run ``planner validate``.

    Parameters
    ----------
    args : argparse.Namespace
        ``path``, ``strict`` and ``format``.

    Returns
    -------
    int
        0 when the catalogue has no errors, 1 otherwise.

    """
    store = _store(args)
    if store is not None:
        return _validate_store(store, args)
    path = _path(args)
    report = validate(path, strict=args.strict)
    if args.format == "json":
        out = report.as_dict()
        out["path"] = str(path)
        out["strict"] = bool(args.strict)
        say_json(json.dumps(out, indent=2, sort_keys=True, ensure_ascii=False))
        return 0 if report.ok else 1
    for problem in report.problems:
        say(f"{problem}" + (" (warning)" if problem.severity == "warning" else ""))
    errors, warnings = len(report.errors), len(report.warnings)
    verdict = "OK" if report.ok else "FAILED"
    say(f"{verdict}: {path}: {len(report.files)} file(s), {errors} error(s), {warnings} warning(s)"
          + (" [strict]" if args.strict else ""))
    return 0 if report.ok else 1


def cmd_info(args: argparse.Namespace) -> int:
    """Run ``planner info``.

    Parameters
    ----------
    args : argparse.Namespace
        ``path`` and ``format``.

    Returns
    -------
    int
        0 when the catalogue loads, 1 when it has errors (listed on stderr).

    """
    store = _store(args)
    if store is not None:
        return _info_store(store, args)
    path = _path(args)
    report = validate(path)
    if report.catalogue is None:
        for problem in report.errors:
            say(problem, err=True)
        say(f"FAILED: {path}: {len(report.errors)} error(s); run 'planner validate' for details", err=True)
        return 1
    summary = catalogue_summary(report.catalogue)
    if args.format == "json":
        summary["path"] = str(path)
        say_json(json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False))
        return 0
    say(f"{summary['name']} ({path})")
    say("  " + ", ".join(f"{n} {kind}" for kind, n in summary["counts"].items()))
    for title, key in (("credentials by type", "by_type"), ("credentials by sector", "by_sector"),
                       ("credentials by provider", "by_provider"), ("providers by country", "countries"),
                       ("credentials by cost currency", "currencies")):
        say(f"{title}:")
        table = summary[key]
        if not table:
            say("  (none)")
        width = max((len(k) for k in table), default=0)
        for name, n in table.items():
            say(f"  {name:<{width}}  {n:>5}")
    return 0
