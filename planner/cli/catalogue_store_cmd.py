"""``planner catalogue``: compile YAML catalogues into a store, and search one.

``planner catalogue build DIR… --into URL [--strict] [--format text|json]``
    Validates the folders as one catalogue (every problem as ``file:line: field:
    message``) and writes it into the store at ``URL`` (an SQLite file path or
    ``sqlite:///…``, or ``postgresql://…``). Incremental: files whose content hash is
    unchanged are skipped; when none changed nothing is re-validated or written. Exit
    code 0 when built (or up to date), 1 on catalogue errors or an unusable store.

``planner catalogue search TEXT --catalogue URL [--page N] [--page-size N] [--awards]``
    Full-text search of a store's credentials and roles, one page at a time.

``planner catalogue validate URL [--format text|json]``
    ``planner validate URL``: reads every row of the store and compares it with what a
    build writes (exit code 1 and "rebuild it" when anything differs).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["cmd_build", "cmd_search", "cmd_validate_store", "register"]


def register(subparsers: Any) -> None:
    """Add the ``catalogue`` command group (``build``, ``search``)."""
    group = subparsers.add_parser(
        "catalogue",
        help="compile a catalogue into a database (SQLite/PostgreSQL) and search it",
        description="Compile YAML catalogue folders into a store that the planner queries by index.",
    )
    sub = group.add_subparsers(dest="catalogue_command", metavar="ACTION")
    p = sub.add_parser("build", help="validate folders and write them into a store (incremental)",
                       description="Validate catalogue folders as one catalogue and compile them into a store. "
                       "Unchanged files (same content hash) are skipped.")
    p.add_argument("dirs", nargs="+", metavar="DIR", help="catalogue folders or YAML files")
    p.add_argument("--into", required=True, metavar="URL",
                   help="SQLite file path or sqlite:///FILE, or postgresql://USER@HOST/DB")
    p.add_argument("--strict", action="store_true", help="treat missing EU standard elements as errors")
    p.add_argument("--full", action="store_true",
                   help="validate the whole catalogue, not only the changed files (same verdict, slower)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser("search", help="full-text search of a store's credentials and roles")
    p.add_argument("text", help="words to find (each matches as a prefix)")
    p.add_argument("--catalogue", "-c", required=True, metavar="URL", help="the store to search")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--page-size", type=int, default=20)
    p.add_argument("--awards", action="store_true", help="only credentials earned by stacking (award targets)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("validate", help="read every row of a store and check it (as 'planner validate URL')")
    p.add_argument("path", metavar="URL", help="the store (sqlite:///FILE, a .db file, postgresql://…)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_validate_store, strict=False)
    group.set_defaults(handler=lambda _args: (group.print_help(), 0)[1])


def cmd_validate_store(args: argparse.Namespace) -> int:
    """Run ``planner catalogue validate URL``: ``planner validate`` on a store (a folder is refused)."""
    from planner.cli.catalogue_cmds import cmd_validate
    from planner.store.catalogue.resolve import resolve_catalogue

    if not resolve_catalogue(args.path).is_store:
        return _fail(f"{args.path}: not a compiled catalogue (a folder is checked by 'planner validate DIR')")
    return cmd_validate(args)


def _fail(message: str) -> int:
    print(f"planner catalogue: {message}", file=sys.stderr)
    return 1


def cmd_build(args: argparse.Namespace) -> int:
    """Run ``planner catalogue build``; 0 when built or up to date, 1 on errors."""
    from planner.store.catalogue.build import build
    from planner.store.catalogue.engine import StoreError
    from planner.store.urls import mask_url

    into = mask_url(args.into)  # every message shows the store with its password masked
    try:
        result = build(args.dirs, args.into, strict=args.strict, full=args.full)
    except StoreError as exc:
        return _fail(str(exc))
    if args.format == "json":
        print(json.dumps({
            "ok": result.ok, "into": into, "written": list(result.written),
            "unchanged": list(result.unchanged), "removed": list(result.removed), "items": result.items,
            "validated": "full" if result.full else "changed files", "rechecked": list(result.rechecked),
            "errors": [p.as_dict() for p in result.problems if p.is_error],
            "warnings": [p.as_dict() for p in result.problems if not p.is_error],
        }, indent=2, ensure_ascii=False))
        return 0 if result.ok else 1
    for problem in result.problems:
        stream = sys.stdout if not problem.is_error else sys.stderr
        print(f"{problem}" + ("" if problem.is_error else " (warning)"), file=stream)
    if not result.ok:
        errors = sum(p.is_error for p in result.problems)
        return _fail(f"{errors} error(s); the store was not changed")
    if not result.written and not result.removed:
        print(f"up to date: {into} ({len(result.unchanged)} file(s) unchanged)")
    else:
        checked = ("the whole catalogue validated" if result.full
                   else f"changed files validated, {len(result.rechecked)} unchanged file(s) checked again")
        print(f"built {into}: {len(result.written)} file(s) written ({result.items} items), "
              f"{len(result.unchanged)} unchanged, {len(result.removed)} removed; {checked}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Run ``planner catalogue search``."""
    from planner.store.catalogue import StoreError, open_catalogue

    try:
        store = open_catalogue(args.catalogue)
        try:
            page = store.search(args.text, args.page, args.page_size,
                                kinds=("credential",) if args.awards else ("credential", "role"),
                                awards_only=args.awards)
        finally:
            store.close()
    except (StoreError, ValueError) as exc:
        return _fail(str(exc))
    if args.format == "json":
        print(json.dumps({"total": page.total, "page": page.page, "pages": page.pages,
                          "hits": [{"kind": h.kind, "id": h.id, "title": h.title, "is_award": h.is_award}
                                   for h in page.hits]}, indent=2, ensure_ascii=False))
        return 0
    print(f"{page.total} match(es); page {page.page} of {page.pages}")
    for hit in page.hits:
        print(f"  {hit.kind}:{hit.id}  {hit.title}")
    return 0
