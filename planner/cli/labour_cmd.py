"""``planner import labour-market FILE.csv --into DIR``: openings and median wages set on the roles.

See :mod:`planner.interop.labourmarket` for the CSV's columns and how rows meet roles.
Problems are listed as ``file:line: field: message``; exit code 1 when there is an error
(nothing is written), 0 otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.cli._output import say

__all__ = ["run_labour_market"]


def run_labour_market(args: argparse.Namespace) -> int:
    """Handle ``planner import labour-market``; return the exit code."""
    from planner.interop.labourmarket import import_labour_market, summary
    from planner.store.catalogue.resolve import is_store_url

    if len(args.files) != 1:
        say("planner import: labour-market reads one CSV file", err=True)
        return 1
    if is_store_url(args.into) or not Path(args.into).is_dir():
        say(f"planner import: --into {args.into}: labour-market figures go into a catalogue folder (rebuild a "
            "compiled catalogue from it afterwards)", err=True)
        return 1
    result = import_labour_market(args.files[0], args.into, force=args.force)
    for problem in result.problems:
        say(problem, err=True)
    if not result.written:
        say(f"planner import: {len(result.errors)} error(s); nothing was written", err=True)
        return 1
    lines = summary(result) or ["no role of the catalogue is named by the file: nothing changed"]
    say("\n".join(lines))
    return 0
