"""Read an uploaded catalogue (YAML files or one zip) safely, before validation.

Limits are checked before anything is decompressed in full: number and size of files,
total size, and zip entries with absolute paths or ``..`` are refused. Nothing is
written to disk, so an upload can never overwrite the bundled catalogue.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

__all__ = ["MAX_FILES", "MAX_FILE_BYTES", "MAX_TOTAL_BYTES", "UploadError", "read_upload"]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
MAX_FILES = 500
_YAML = (".yaml", ".yml")
# What zipfile raises on damaged, encrypted or exotic archives (unknown versions or
# compression methods, entry names that are not valid text).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError, OSError,
               ValueError, UnicodeError, OverflowError, KeyError)


class UploadError(ValueError):
    """An upload refused before validation; ``problems`` lists each reason with its file."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class _Named:
    name: str
    data: bytes


def _from_zip(name: str, data: bytes, problems: list[str]) -> list[_Named]:
    out: list[_Named] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        # damaged directory, undecodable entry names, unknown zip versions
        problems.append(f"{name}: not a valid zip file ({type(exc).__name__})")
        return out
    total = 0
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_FILES:
        problems.append(f"{name}: {len(members)} files; the limit is {MAX_FILES}")
        return out
    for member in members:
        path = PurePosixPath(member.filename)
        if path.is_absolute() or ".." in path.parts:
            problems.append(f"{name}: refused entry {member.filename!r} (absolute path or '..')")
            continue
        if path.suffix.lower() not in _YAML or any(part.startswith(".") or part == "__MACOSX"
                                                   for part in path.parts):
            continue  # README, schema.json, macOS metadata: not catalogue files
        if member.file_size > MAX_FILE_BYTES:
            problems.append(f"{name}/{member.filename}: {member.file_size:,} bytes; the limit is "
                            f"{MAX_FILE_BYTES:,}")
            continue
        total += member.file_size
        if total > MAX_TOTAL_BYTES:
            problems.append(f"{name}: more than {MAX_TOTAL_BYTES:,} bytes of YAML once unpacked")
            return out
        try:
            with archive.open(member) as fh:
                content = fh.read(MAX_FILE_BYTES + 1)  # never trust the declared size alone
        except _ZIP_ERRORS as exc:
            # a damaged or encrypted entry, or a compression method zipfile cannot read
            problems.append(f"{name}/{member.filename}: cannot be unpacked ({exc})")
            continue
        if len(content) > MAX_FILE_BYTES:
            problems.append(f"{name}/{member.filename}: larger than {MAX_FILE_BYTES:,} bytes")
            continue
        out.append(_Named(f"{name}/{member.filename}", content))
    return out


def _keep(out: dict[str, bytes], name: str, data: bytes, problems: list[str]) -> None:
    """Add one file, reporting a second file of the same name instead of keeping only one."""
    if name in out:
        problems.append(f"{name}: two uploaded files have this name; rename one and upload again")
        return
    out[name] = data


def read_upload(files: Iterable[tuple[str, bytes]]) -> dict[str, bytes]:
    """Turn uploaded files (YAML files and/or zips of them) into ``name → bytes``.

    Parameters
    ----------
    files : iterable of (name, bytes)
        What the user uploaded.

    Returns
    -------
    dict of str to bytes
        Catalogue files, ready for :func:`planner.catalogue.loader.validate_texts`.

    Raises
    ------
    UploadError
        Listing every refused file (wrong type, too big, unsafe zip entry, nothing usable).
    """
    problems: list[str] = []
    out: dict[str, bytes] = {}
    total = 0
    for name, data in files:
        total += len(data)
        if len(data) > MAX_TOTAL_BYTES or total > MAX_TOTAL_BYTES:
            problems.append(f"{name}: the upload exceeds {MAX_TOTAL_BYTES:,} bytes in total")
            continue
        lower = name.lower()
        if lower.endswith(".zip"):
            for item in _from_zip(name, data, problems):
                _keep(out, item.name, item.data, problems)
        elif lower.endswith(_YAML):
            if len(data) > MAX_FILE_BYTES:
                problems.append(f"{name}: {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}")
                continue
            _keep(out, name, data, problems)
        else:
            problems.append(f"{name}: not a catalogue file (expected .yaml, .yml or .zip)")
    if not out and not problems:
        problems.append("no catalogue files (.yaml, .yml) found in the upload")
    if problems:
        raise UploadError(problems)
    return out
