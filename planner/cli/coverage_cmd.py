"""``planner coverage``: the institution report (stacking coverage, gaps, quality, what-ifs).

``planner coverage [DIR] [--provider P] [--award A] [--format text|json|markdown|html]
[--output FILE] [--as-of YYYY-MM-DD] [--fastest] [--no-routes] [--scheduler auto|none|local|tcp://HOST:PORT]
[--scheduler-timeout SECONDS] [--progress]``

Reads the catalogue (never writes to it), runs every analysis of :mod:`planner.analysis`
for the scope, and prints the report or writes it to ``FILE``. The HTML report is one
self-contained page with its charts. ``--no-routes`` skips the analyses that run the route
engine (role reachability and recognition what-ifs), which are the slow part on large
catalogues; above 50 roles only the cheapest route per role is searched unless
``--fastest`` is given. The route searches run on Dask (``--scheduler``): by default a local
cluster of one worker process per core for catalogues of at least
:data:`AUTO_CLUSTER_CREDENTIALS` credentials and serially below (starting workers costs more
than it saves there); ``local``, ``none`` or a running scheduler's address choose. The report
is the same either way. An address is checked before the catalogue is read; reaching it
(connection, Dask's handshake, a first worker, the workers' check that they import this
planner) allows ``--scheduler-timeout`` seconds per step (default 10), and each failure
is one line naming the address (:mod:`planner.analysis.cluster`). A progress bar goes to
stderr on a terminal or with ``--progress``. Exit codes: 0 done, 1 bad input (the catalogue
does not load, an unknown provider or award, an unwritable output file, a scheduler that
cannot be used).

``DIR`` may be a compiled catalogue (``sqlite:///FILE``, ``postgresql://…``; default
``$PLANNER_CATALOGUE``): with ``--provider P`` the report runs on P's analysis
sub-catalogue, fetched by indexed queries
(:meth:`planner.store.catalogue.CatalogueStore.analysis_scope`), and gives what the
folder gives for P with the roles that need what P's credentials teach; without
``--provider`` the whole store is loaded only when it holds at most
:data:`planner.store.catalogue.scope.MAX_WHOLE_CREDENTIALS` credentials, and the command
otherwise stops with "pass --provider (the store has N credentials …)".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from planner._errors import PlannerError
from planner.analysis.cluster import CONNECT_TIMEOUT, check_address
from planner.catalogue.loader import default_catalogue_dir, validate
from planner.catalogue.models import MAX_DATE, MIN_DATE, parse_date
from planner.cli._output import say

#: The report's formats; kept here so building the parser does not import the report module.
REPORT_FORMATS = ("text", "json", "markdown", "html")

__all__ = ["AUTO_CLUSTER_CREDENTIALS", "cmd_coverage", "register"]

#: From this many credentials ``--scheduler auto`` starts a local Dask cluster.
AUTO_CLUSTER_CREDENTIALS = 2000


def register(subparsers: Any) -> None:
    """Add the ``coverage`` sub-command.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The object returned by ``ArgumentParser.add_subparsers``.

    """
    p = subparsers.add_parser(
        "coverage",
        help="institution report: stacking coverage, gaps, quality, recognition what-ifs",
        description="Analyse how well a catalogue's credentials stack: awards reachable by stacking, role "
        "reachability, competency gaps, orphans and dead ends, EU-standard quality, and which new "
        "recognition agreement would help most.",
    )
    p.add_argument("path", nargs="?", metavar="DIR|URL", help="catalogue directory or YAML file, or a compiled "
                   "catalogue (sqlite:///FILE, postgresql://…); default: $PLANNER_CATALOGUE, ./catalogue or the "
                   "bundled catalogue")
    p.add_argument("--provider", metavar="P", help="only this provider's awards and credentials")
    p.add_argument("--award", metavar="A", help="only this award (coverage and what-ifs)")
    p.add_argument("--format", choices=REPORT_FORMATS, default="text", help="output format (default text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of printing it")
    p.add_argument("--as-of", metavar="DATE",
                   help=f"date for agreement validity and plan starts, {MIN_DATE} to {MAX_DATE} (default today)")
    p.add_argument("--fastest", action="store_true",
                   help="also search the fastest route of every role on catalogues with many roles")
    p.add_argument("--no-routes", action="store_true",
                   help="skip role reachability and what-ifs (the analyses that run the route engine)")
    p.add_argument("--scheduler", default="auto", metavar="WHERE",
                   help="where route searches run: auto (a local Dask cluster from "
                   f"{AUTO_CLUSTER_CREDENTIALS} credentials, else serial), none, local, or a Dask scheduler "
                   "address like tcp://127.0.0.1:8786")
    p.add_argument("--scheduler-timeout", type=_seconds, default=CONNECT_TIMEOUT, metavar="SECONDS",
                   help="seconds allowed for each step of reaching a scheduler address: connection, handshake, "
                   f"a first worker, the workers' answer (default {CONNECT_TIMEOUT:g})")
    p.add_argument("--progress", action="store_true",
                   help="show progress bars on stderr even when it is not a terminal")
    p.set_defaults(handler=cmd_coverage)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value <= 3600:  # also refuses nan and inf
        raise argparse.ArgumentTypeError("expected a number of seconds above 0 and at most 3600")
    return value


def _scheduler(choice: str, credentials: int) -> str | None:
    if choice == "auto":
        return "local" if credentials >= AUTO_CLUSTER_CREDENTIALS else None
    return None if choice == "none" else choice


class _Bars:
    """One tqdm bar per analysis, on stderr, closed when its last task is done."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}

    def __call__(self, name: str, done: int, total: int) -> None:
        from tqdm import tqdm

        labels = {"reachability": "role reachability", "whatif": "recognition what-if"}
        bar = self.bars.get(name)
        if bar is None:
            bar = self.bars[name] = tqdm(total=total, desc=labels.get(name, name), unit="task", file=sys.stderr)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def _load(args: argparse.Namespace) -> tuple[Any, Path | None, dict[str, Any]] | None:
    """The catalogue to analyse, its folder (None for a store) and the report keywords of a store's scope."""
    import os

    if args.path is not None or os.environ.get("PLANNER_CATALOGUE"):
        from planner.store.catalogue.resolve import resolve_catalogue

        source = resolve_catalogue(args.path)
        if source.is_store:
            return _load_store(source, args)
        path = Path(source.location)
    else:
        path = default_catalogue_dir()
    checked = validate(path)
    if checked.catalogue is None:
        for problem in checked.errors:
            say(problem, err=True)
        say(f"FAILED: {path}: {len(checked.errors)} error(s); run 'planner validate' for details", err=True)
        return None
    return checked.catalogue, path, {}


def _load_store(source: Any, args: argparse.Namespace) -> tuple[Any, None, dict[str, Any]] | None:
    from planner.store.catalogue.reader import ScopeTooLarge

    store = source.open_store()  # StoreError (not a store, another format): exit 1 at the boundary
    try:
        scope = store.analysis_scope(args.provider)
    except ScopeTooLarge as exc:
        say(f"planner coverage: {exc}", err=True)
        return None
    except KeyError:
        from planner.store.urls import mask_url

        say(f"planner coverage: unknown provider {args.provider!r}: {mask_url(source.location)} has no provider "
            "with this id", err=True)
        return None
    finally:
        store.close()
    if args.award and args.provider and not any(
            c.id == args.award and c.provider == args.provider for c in scope.catalogue.awards):
        say(f"planner coverage: on a compiled catalogue --award must be one of {args.provider!r}'s awards; "
            f"{args.award!r} is not", err=True)
        return None
    kwargs = scope.report_kwargs()
    kwargs.pop("provider")
    return scope.catalogue, None, kwargs


def cmd_coverage(args: argparse.Namespace) -> int:
    """Run ``planner coverage``.

    Parameters
    ----------
    args : argparse.Namespace
        ``path``, ``provider``, ``award``, ``format``, ``output``, ``as_of``, ``no_routes``.

    Returns
    -------
    int
        0 on success, 1 on bad input.

    """
    try:  # checked here, not by argparse, so a bad date is exit code 1 like every bad input
        as_of = parse_date(args.as_of, "--as-of") if args.as_of is not None else None
    except ValueError as exc:
        say(f"planner coverage: {exc}", err=True)
        return 1
    if "://" in args.scheduler:
        check_address(args.scheduler)  # a malformed address fails before the catalogue is read
    loaded = _load(args)
    if loaded is None:
        return 1
    catalogue, path, scope_kwargs = loaded
    scheduler = _scheduler(args.scheduler, len(catalogue.credentials))
    bars = _Bars() if args.progress or sys.stderr.isatty() else None
    try:
        from planner.analysis.parallel import runner
        from planner.outputs.report import build_report, render  # heavy: only when a report is made

        with runner(scheduler, timeout=args.scheduler_timeout) as run:
            report = build_report(catalogue, provider=args.provider, award=args.award, as_of=as_of,
                                  reachability=not args.no_routes, whatif=not args.no_routes,
                                  fastest=True if args.fastest else None, scheduler=run, progress=bars,
                                  **scope_kwargs)
        text = render(report, args.format, catalogue=catalogue)
    except PlannerError as exc:
        say(f"planner coverage: {exc}", err=True)
        return 1
    finally:
        if bars is not None:
            bars.close()
    if args.output:
        out = Path(args.output)
        if path is not None and out.suffix.lower() in (".yaml", ".yml") \
                and out.resolve().is_relative_to(path.resolve() if path.is_dir() else path.resolve().parent):
            say(f"planner coverage: refusing to write {out} inside the catalogue", err=True)
            return 1
        from planner.outputs.writes import WriteError, write_atomic

        try:
            write_atomic(out, text if text.endswith("\n") else text + "\n")
        except WriteError as exc:
            say(f"planner coverage: {exc}", err=True)
            return 1
        say(f"wrote {args.format} report to {out}", err=True)
    else:
        # every renderer escapes catalogue text for its format; text also goes through say()
        text = text if text.endswith("\n") else text + "\n"
        if args.format == "text":
            say(text, end="")
        else:
            sys.stdout.write(text)
    return 0
