"""Atomic writes: a file appears whole or not at all, with the mode the umask gives (0600 when private).

Each file is first written to a temporary file in its target folder (so the final
rename stays on one file system) and then renamed over the target. On any failure the
temporary files are removed and files that did not exist before are not left behind.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

from planner._errors import PlannerError, Problem

__all__ = ["WriteError", "check_target", "write_atomic", "write_files_atomic"]


class WriteError(PlannerError):
    """A target that cannot be written; ``problem`` says which and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _umask_mode() -> int:
    # os.umask can only be read by setting it; set it straight back
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def check_target(path: str | os.PathLike[str]) -> Path:
    """Refuse a target that is a directory, not a regular file, or in a missing folder.

    Parameters
    ----------
    path : str or PathLike
        Where a file is to be written.

    Returns
    -------
    Path
        The target as a :class:`~pathlib.Path`.

    Raises
    ------
    WriteError
        Located at the target, before anything is created.

    """
    target = Path(path)
    name = os.fspath(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise WriteError(Problem(name, None, None, "", f"cannot write here: {exc.strerror or exc}")) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise WriteError(Problem(name, None, None, "", "cannot write: it is a directory; give a file name"))
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise WriteError(Problem(name, None, None, "", "cannot write: it is not a regular file, so it is not replaced"))
    if not target.parent.is_dir():
        raise WriteError(Problem(name, None, None, "", f"cannot write: directory {target.parent} does not exist"))
    return target


def write_atomic(path: str | os.PathLike[str], text: str, *, private: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`write_files_atomic`."""
    write_files_atomic([(path, text)], private=private)


def write_files_atomic(files: Sequence[tuple[str | os.PathLike[str], str]], *, private: bool = False) -> None:
    """Write several files so that either all appear or none do.

    Parameters
    ----------
    files : sequence of (path, text)
        Targets and their UTF-8 text.
    private : bool
        Create the files readable and writable by their owner only (0600), whatever the
        umask: for files that hold personal data. A file replaced gets this mode too.

    Raises
    ------
    WriteError
        When a target is refused (see :func:`check_target`) or cannot be written; nothing
        new is left on disk.

    """
    targets = [check_target(path) for path, _ in files]
    mode = 0o600 if private else _umask_mode()
    temps: list[str] = []
    renamed: list[Path] = []
    existed = [t.exists() for t in targets]
    try:
        for target, (_, text) in zip(targets, files, strict=True):
            handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            temps.append(tmp)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                os.fchmod(out.fileno(), mode)  # mkstemp makes 0600; else follow the umask like any new file
                out.write(text)
        for target, tmp in zip(targets, temps, strict=True):
            os.replace(tmp, target)
            renamed.append(target)
    except OSError as exc:
        _clean(temps, renamed, existed)
        failed = targets[len(renamed)] if renamed or len(temps) == len(targets) else targets[max(len(temps) - 1, 0)]
        raise WriteError(Problem(os.fspath(failed), None, None, "",
                                 f"cannot write: {exc.strerror or exc}; nothing was written")) from None
    except BaseException:
        _clean(temps, renamed, existed)
        raise


def _clean(temps: list[str], renamed: list[Path], existed: list[bool]) -> None:
    for tmp in temps:
        Path(tmp).unlink(missing_ok=True)
    for target, was_there in zip(renamed, existed, strict=False):
        if not was_there:  # a new file from a write that failed later: take it back
            target.unlink(missing_ok=True)
