"""Console script ``planner``: one sub-command module per job.

Each module in this package exposes ``register(subparsers)``; the command's handler
returns an exit code. :func:`main` is the one error boundary of every command: bad input
(whatever exception it causes) is reported in one located line with exit code 1, and a
genuine bug prints "internal error, please report" with the path of a saved report
(arguments and traceback), never a raw traceback; its exit code is 1 too.
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from collections.abc import Sequence
from typing import NoReturn

# module name -> the sub-commands it registers (imported lazily)
COMMAND_MODULES = (
    "planner.cli.catalogue_cmds",  # validate, info
    "planner.cli.recommend_cmd",  # recommend
    "planner.cli.reach_cmd",  # reach
    "planner.cli.coverage_cmd",  # coverage
    "planner.cli.interop_cmds",  # import, export
    "planner.cli.catalogue_store_cmd",  # catalogue build, catalogue search
    "planner.cli.plans_cmd",  # plans check|save|show, learner export|erase
    "planner.cli.people_cmds",  # users list|add|role, caseload list|assign|unassign
    "planner.cli.verify_cmd",  # verify
    "planner.cli.serve_cmd",  # serve (the HTTP API)
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit with 1, like every other bad input."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def _megabytes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of megabytes, got {text!r}") from None
    if not math.isfinite(value) or value <= 0 or value > 1_000_000:
        raise argparse.ArgumentTypeError("expected a number of megabytes above 0 and at most 1000000")
    return value


_MAX_FILE_HELP = "largest input file read, in MB (default 20; compressed files may unpack to 5 times this)"


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every available sub-command."""
    parser = _Parser(
        prog="planner",
        description="Plan stackable micro-credential routes to roles and degrees.",
    )
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument("--max-file-mb", type=_megabytes, metavar="MB", help=_MAX_FILE_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # command not built yet
                continue
            raise
        module.register(sub)
    for command in sub.choices.values():  # the limit can also follow the command name
        command.add_argument("--max-file-mb", type=_megabytes, metavar="MB", default=argparse.SUPPRESS,
                             help=_MAX_FILE_HELP)
    return parser


def _version() -> str:
    from planner import __version__
    return f"planner {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 success, 1 bad input or error)."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    from planner.catalogue.inputs import use_limits

    changes = {}
    if getattr(args, "max_file_mb", None):
        changes["max_file_bytes"] = int(args.max_file_mb * 2**20)
    try:
        with use_limits(**changes):
            return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the boundary: never show a traceback
        return report_exception(exc, args, argv)


def report_exception(exc: BaseException, args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """Print one line for an exception that escaped a command; return exit code 1.

    Exceptions that hostile input can cause are reported as input problems, located at
    the input the command was given. Anything else is a bug: a report with the arguments
    and the traceback is saved and its path printed.
    """
    from planner.boundary import describe_input_error, save_bug_report
    from planner.cli._output import say

    # "planner caseload assign", not only "planner caseload": the message names the action that failed
    command = f"planner {getattr(args, 'command_name', None) or getattr(args, 'command', '') or ''}".strip()
    message = describe_input_error(exc, args)
    if message is not None:
        say(f"{command}: {message}", err=True)  # file names and messages may hold escape sequences
        return 1
    saved = save_bug_report(exc, list(sys.argv[1:] if argv is None else argv))
    where = f"; details saved to {saved}" if saved else ""
    say(f"{command}: internal error, please report ({type(exc).__name__}){where}", err=True)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
