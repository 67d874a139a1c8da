"""The error boundary of an entry point: input problems in one line, bugs saved for a report.

:func:`describe_input_error` turns every exception type that hostile input can cause
into a plain, located message; it returns ``None`` for anything else, which is then a
bug. :func:`save_bug_report` writes the arguments and traceback of a bug to a file in
the user's cache folder, so that the learner sees one line and the maintainer gets the
detail.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import tempfile
import traceback
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from planner._errors import CatalogueError, PlannerError
from planner.catalogue.upload import UploadError
from planner.engine.scenario import ScenarioError

__all__ = ["describe_input_error", "input_names", "report_dir", "save_bug_report"]

# argument names that hold the files a command reads, in the order they are named
_INPUT_ARGS = ("files", "profile", "plan", "catalogue", "path", "directory", "dir")


def input_names(args: Any) -> list[str]:
    """The input files named on a command line (for locating an error without a line)."""
    names: list[str] = []
    for attr in _INPUT_ARGS:
        value = getattr(args, attr, None)
        if isinstance(value, (list, tuple)):
            names.extend(str(v) for v in value)
        elif value:
            names.append(str(value))
    return names


def describe_input_error(exc: BaseException, args: Any = None) -> str | None:
    """One located line for an exception caused by bad input, or ``None`` for a bug.

    Parameters
    ----------
    exc : BaseException
        What escaped the command.
    args : argparse.Namespace, optional
        The command's arguments, used to name the input when the exception does not.

    Returns
    -------
    str or None
        The message, e.g. ``plan.json: nested too deeply to process``.

    """
    inputs = input_names(args)
    where = ", ".join(inputs) if inputs else "input"
    if isinstance(exc, CatalogueError):
        return "\n".join(str(p) for p in exc.errors) or str(exc)
    if isinstance(exc, ValidationError):
        first = exc.errors()[0] if exc.error_count() else {}
        field = ".".join(str(x) for x in first.get("loc", ())) or "value"
        return f"{where}: {field}: {first.get('msg', str(exc))}"
    if isinstance(exc, (ScenarioError, UploadError)):
        return str(exc).strip() or type(exc).__name__
    problems = getattr(exc, "problems", None)
    if isinstance(exc, PlannerError) or (problems and type(exc).__name__ == "InteropError"):
        return "\n".join(str(p) for p in problems) if problems else str(exc)
    if isinstance(exc, RecursionError):
        return f"{where}: nested or chained too deeply to process"
    if isinstance(exc, MemoryError):
        return f"{where}: too large to process in the memory available"
    if isinstance(exc, OverflowError):
        return f"{where}: a number or date is out of range ({exc})"
    if isinstance(exc, UnicodeError):
        return f"{where}: text that is not valid UTF-8 ({_short(exc)})"
    if isinstance(exc, json.JSONDecodeError):
        return f"{where}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}"
    if isinstance(exc, zipfile.BadZipFile):
        return f"{where}: not a valid zip file ({exc})"
    if isinstance(exc, NotImplementedError):
        return f"{where}: uses a feature this planner does not read ({_short(exc) or 'not supported'})"
    if isinstance(exc, IsADirectoryError):
        return f"{exc.filename or where}: is a directory; expected a file"
    if isinstance(exc, OSError):
        return f"{exc.filename or where}: {exc.strerror or _short(exc)}"
    return None


def _short(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ")
    return text if len(text) <= 200 else text[:200] + "…"


def report_dir() -> Path:
    """Folder for bug reports: ``$XDG_CACHE_HOME/stackable-planner`` (or ``~/.cache/…``), else the temp dir."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "stackable-planner" / "reports"


def save_bug_report(exc: BaseException, argv: Sequence[str]) -> str | None:
    """Save the arguments and traceback of a bug; return the file's path (None if nothing could be saved).

    Parameters
    ----------
    exc : BaseException
        The exception that escaped.
    argv : sequence of str
        The command-line arguments that led to it.

    """
    from planner import __version__
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    text = "\n".join([
        f"planner {__version__} on Python {platform.python_version()} ({platform.platform()})",
        f"time: {stamp}",
        "arguments: " + json.dumps(list(argv), ensure_ascii=False),
        "",
        "".join(traceback.format_exception(exc)),
    ])
    for folder in (report_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, path = tempfile.mkstemp(dir=folder, prefix=f"planner-bug-{stamp}-", suffix=".txt")
            with os.fdopen(handle, "w", encoding="utf-8") as out:  # 0600: it may name private paths
                out.write(text)
            return path
        except OSError:
            continue
    return None
