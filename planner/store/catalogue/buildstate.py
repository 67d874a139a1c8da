"""What a build remembers besides the items: each file's problems and how it was validated.

An incremental build re-checks only some files, yet reports every problem a full
validation would, warnings of untouched files included: those come from here. Each
built file keeps its reading problems (decoding, YAML, shapes) apart from its meaning
problems (references, rules, EU elements), because a catalogue with an unreadable file
reports only the former. The settings say under which rules the problems were found
(``strict`` and a fingerprint of the validator's code); when they differ, the next build
validates everything again.

The tables live beside the catalogue tables but are the build's own: readers never look
at them, and a store without them (an older build, an import) is simply built in full.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Column, Connection, MetaData, String, Table, Text, delete, inspect, select

from planner._errors import Problem

__all__ = ["FileProblems", "Settings", "forget", "load_problems", "load_settings", "save", "settings_for"]

metadata = MetaData()

build_files = Table(
    "build_files", metadata,
    Column("path", String(1000), primary_key=True),
    Column("reading", Text, nullable=False),  # JSON list of problems found reading the file
    Column("checks", Text, nullable=False),  # JSON list of problems of its items' meaning checks
)

build_settings = Table(
    "build_settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),  # JSON
)

#: Modules whose code decides what a catalogue's problems are.
_VALIDATOR = ("catalogue/loader.py", "catalogue/models.py", "catalogue/yamlsafe.py", "_errors.py",
              "store/catalogue/checks.py")


@dataclass(frozen=True)
class Settings:
    """The rules a build's stored problems were found under."""

    strict: bool
    validator: str


@dataclass(frozen=True)
class FileProblems:
    """One file's problems: from reading it, and from checking its items' meaning."""

    reading: tuple[Problem, ...] = ()
    checks: tuple[Problem, ...] = ()


def settings_for(strict: bool) -> Settings:
    """The settings of a build run now: ``strict`` and the validator's code fingerprint.

    Parameters
    ----------
    strict : bool
        Missing EU standard elements are errors.

    Returns
    -------
    Settings
    """
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for name in _VALIDATOR:
        digest.update(name.encode("utf-8") + b"\0" + (root / name).read_bytes())
    return Settings(strict=strict, validator=digest.hexdigest())


def _ensure(conn: Connection) -> None:
    metadata.create_all(conn, checkfirst=True)


def _exists(conn: Connection) -> bool:
    # reading never creates the tables: a failed build leaves the store as it was
    names = set(inspect(conn).get_table_names())
    return {"build_files", "build_settings"} <= names


def load_settings(conn: Connection) -> Settings | None:
    """The settings of the last build, or None (no build recorded them).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        The store.

    Returns
    -------
    Settings or None
    """
    if not _exists(conn):
        return None
    values = {k: json.loads(v) for k, v in conn.execute(select(build_settings.c.key, build_settings.c.value))}
    if not isinstance(values.get("strict"), bool) or not isinstance(values.get("validator"), str):
        return None
    return Settings(strict=values["strict"], validator=values["validator"])


def load_problems(conn: Connection, paths: Iterable[str]) -> dict[str, FileProblems]:
    """The stored problems of the given files (a file without a row is missing from the result).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        The store.
    paths : iterable of str
        Files of the catalogue.

    Returns
    -------
    dict of str to FileProblems
    """
    if not _exists(conn):
        return {}
    wanted = list(dict.fromkeys(paths))
    out: dict[str, FileProblems] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        rows = conn.execute(select(build_files.c.path, build_files.c.reading, build_files.c.checks)
                            .where(build_files.c.path.in_(chunk)))
        for path, reading, checks in rows:
            out[path] = FileProblems(_decode(reading), _decode(checks))
    return out


def save(conn: Connection, settings: Settings, files: Mapping[str, FileProblems]) -> None:
    """Record the settings and (replace) the problems of the given files.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        Inside the build's transaction.
    settings : Settings
        The rules the problems were found under.
    files : mapping of str to FileProblems
        The files validated by this build.
    """
    _ensure(conn)
    conn.execute(delete(build_settings))
    conn.execute(build_settings.insert(), [{"key": "strict", "value": json.dumps(settings.strict)},
                                           {"key": "validator", "value": json.dumps(settings.validator)}])
    forget(conn, files)
    rows = [{"path": path, "reading": _encode(fp.reading), "checks": _encode(fp.checks)}
            for path, fp in files.items()]
    for i in range(0, len(rows), 5000):
        conn.execute(build_files.insert(), rows[i:i + 5000])


def forget(conn: Connection, paths: Iterable[str]) -> None:
    """Delete the stored problems of the given files (removed from the catalogue).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        Inside the build's transaction.
    paths : iterable of str
        Files no longer in the catalogue.
    """
    _ensure(conn)
    wanted = list(paths)
    for i in range(0, len(wanted), 500):
        conn.execute(delete(build_files).where(build_files.c.path.in_(wanted[i:i + 500])))


def _encode(problems: Sequence[Problem]) -> str:
    return json.dumps([[p.file, p.line, p.column, p.field, p.message, p.severity] for p in problems],
                      ensure_ascii=False, separators=(",", ":"))


def _decode(text: str) -> tuple[Problem, ...]:
    return tuple(Problem(f, line, column, field_, message, severity)
                 for f, line, column, field_, message, severity in json.loads(text))
