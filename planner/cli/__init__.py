"""Console script ``planner``: one sub-command module per job.

Each module in this package exposes ``register(subparsers)``; the command's handler
returns an exit code. No handler lets a traceback reach the user: unexpected errors are
reported in one line and give exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# module name -> the sub-commands it registers (imported lazily)
COMMAND_MODULES = (
    "planner.cli.catalogue_cmds",  # validate, info
    "planner.cli.recommend_cmd",  # recommend
    "planner.cli.coverage_cmd",  # coverage
    "planner.cli.interop_cmds",  # import, export
    "planner.cli.catalogue_store_cmd",  # catalogue build, catalogue search
    "planner.cli.plans_cmd",  # plans check, learner export|erase
    "planner.cli.verify_cmd",  # verify
)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every available sub-command."""
    parser = argparse.ArgumentParser(
        prog="planner",
        description="Plan stackable micro-credential routes to roles and degrees.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # command not built yet
                continue
            raise
        module.register(sub)
    return parser


def _version() -> str:
    from planner import __version__

    return f"planner {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last resort: never show a traceback
        print(f"planner: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
