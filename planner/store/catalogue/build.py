"""Compile YAML catalogue folders into a store, incrementally.

Every file's SHA-256 is kept in the store. A build reads the folders, and when no file
was added, changed or removed it stops there. Otherwise the changed files are validated
against what the store holds (:func:`planner.store.catalogue.checks.validate_changes`:
the same problems, ``file:line: field: message``, and the same verdict as the loader's
full validation, with the cross-file checks answered by indexed queries). A new store,
``full=True``, a change of the catalogue's meta, or a store whose last build used other
rules (strictness, validator code) is validated in full by the loader. Only the changed
files' items are replaced, in one transaction with the checks: a failed build leaves
the store as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.exc import SQLAlchemyError

from planner._errors import Problem
from planner.catalogue.loader import _read_path
from planner.catalogue.models import Catalogue
from planner.store.catalogue import buildstate
from planner.store.catalogue import schema as t
from planner.store.catalogue.checks import Outcome, validate_all, validate_changes
from planner.store.catalogue.engine import StoreError, _short, create_store, open_engine
from planner.store.catalogue.writer import StoreWriter
from planner.store.urls import mask_url, redact

__all__ = ["BuildResult", "build", "write_catalogue"]

@dataclass(frozen=True)
class BuildResult:
    """What a build did: files written, unchanged and removed; problems found.

    ``rechecked`` names the unchanged files an incremental validation checked again;
    ``full`` says every file was validated (a new store, ``full=True``, or another
    validator or strictness than the last build's).
    """

    written: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    items: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    rechecked: tuple[str, ...] = ()
    full: bool = False

    @property
    def ok(self) -> bool:
        """True when the catalogue had no error and the store was updated (or was up to date)."""
        return not any(p.is_error for p in self.problems)


def _sources(dirs: Sequence[str | Path]) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    sources: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    for d in dirs:
        found, trouble = _read_path(Path(d))
        sources += found
        problems += trouble
    names = [n for n, _ in sources]
    dupes = sorted({n for n in names if names.count(n) > 1})
    problems += [Problem(n, None, None, "", "named twice in the folders to build") for n in dupes]
    return sources, problems


def build(dirs: Sequence[str | Path], into: str | Path, *, strict: bool = False,
          full: bool = False) -> BuildResult:
    """Compile catalogue folders (or files) into the store at ``into``.

    Parameters
    ----------
    dirs : sequence of str or Path
        Catalogue folders or YAML files; together they make one catalogue.
    into : str or Path
        Store URL (``sqlite:///…``, ``postgresql://…``) or SQLite file path.
    strict : bool
        Missing EU standard elements are errors.
    full : bool
        Validate every file even when the store allows an incremental validation.

    Returns
    -------
    BuildResult
        With ``problems`` (every error and warning, located) when the catalogue is invalid;
        the store is then left unchanged.

    Raises
    ------
    StoreError
        When the database cannot be opened or written.
    """
    sources, problems = _sources(dirs)
    if any(p.is_error for p in problems):
        return BuildResult(problems=tuple(problems))
    content = dict(sources)
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in sources}
    engine = open_engine(into)
    try:
        create_store(engine)
        # one transaction: what the checks read is what the writes replace
        with engine.begin() as conn:
            stored = dict(conn.execute(select(t.source_files.c.path, t.source_files.c.sha256)).all())
            changed = [n for n, _ in sources if stored.get(n) != hashes[n]]
            removed = sorted(set(stored) - set(hashes))
            unchanged = tuple(n for n, _ in sources if n not in changed)
            if not changed and not removed:  # up to date: its warnings are those the last build kept
                return BuildResult(unchanged=unchanged, problems=_kept_warnings(conn, unchanged, strict=strict))
            outcome = None if full or not stored else _incremental(conn, content, changed, removed, unchanged,
                                                                   strict=strict)
            if outcome is None:
                outcome = validate_all(content, changed, strict=strict)
            if not outcome.ok:
                return BuildResult(problems=outcome.problems, rechecked=outcome.rechecked, full=outcome.full)
            total = _write(conn, outcome, changed, removed, hashes)
            buildstate.forget(conn, removed)
            buildstate.save(conn, buildstate.settings_for(strict), outcome.files)
        return BuildResult(written=tuple(changed), unchanged=unchanged, removed=tuple(removed),
                           problems=tuple(p for p in outcome.problems if not p.is_error), items=total,
                           rechecked=outcome.rechecked, full=outcome.full)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot write {mask_url(str(into))}: {redact(_short(exc), str(into))}") from None
    finally:
        engine.dispose()


def _incremental(conn: Connection, content: dict[str, bytes], changed: list[str], removed: list[str],
                 unchanged: tuple[str, ...], *, strict: bool) -> Outcome | None:
    """Validate only what changed, when the store remembers how its files were validated."""
    if buildstate.load_settings(conn) != buildstate.settings_for(strict):
        return None  # another strictness or another validator: the stored warnings may be wrong
    kept = buildstate.load_problems(conn, unchanged)
    if len(kept) != len(unchanged):
        return None  # written by a build that kept no problems
    return validate_changes(conn, content, changed, removed, kept, strict=strict)


def _kept_warnings(conn: Connection, names: tuple[str, ...], *, strict: bool) -> tuple[Problem, ...]:
    """The problems the last build kept (none when it kept none, or ran under other rules)."""
    if buildstate.load_settings(conn) != buildstate.settings_for(strict):
        return ()
    kept = buildstate.load_problems(conn, names)
    rank = {name: i for i, name in enumerate(sorted(names))}
    problems = [p for n in sorted(names) if n in kept for p in kept[n].reading] + \
        [p for n in sorted(names) if n in kept for p in kept[n].checks]
    return tuple(sorted(problems, key=lambda p: (rank.get(p.file, -1), p.line or 0, p.column or 0)))


def _write(conn: Connection, outcome: Outcome, changed: list[str], removed: list[str],
           hashes: dict[str, str]) -> int:
    """Replace the removed and changed files' items; returns how many were written."""
    writer = StoreWriter(conn)
    # every old item goes first: an item moved between two changed files must not meet itself
    for name in [*removed, *changed]:
        writer.delete_source(name)
    total = 0
    for name in changed:
        if outcome.meta is not None and outcome.meta[0] == name:
            writer.set_meta(outcome.meta[1], name)
        items = outcome.items.get(name, [])
        for item in items:
            writer.add(item, name)
        writer.flush()
        writer.record_source(name, hashes[name], len(items))
        total += len(items)
    return total


def write_catalogue(catalogue: Catalogue, into: str | Path, *, source: str) -> int:
    """Write a validated in-memory catalogue (e.g. an import) into a store as one source.

    The source's previous items are replaced, so re-importing the same feed updates it.

    Parameters
    ----------
    catalogue : Catalogue
        Validated items.
    into : str or Path
        Store URL or SQLite file path (created when missing).
    source : str
        Name the items are recorded under (e.g. ``import:ctdl:FILE``).

    Returns
    -------
    int
        Number of items written.
    """
    engine = open_engine(into)
    try:
        create_store(engine)
        with engine.begin() as conn:
            writer = StoreWriter(conn)
            writer.delete_source(source)
            has_meta = conn.execute(select(t.store_meta.c.key).where(t.store_meta.c.key == "catalogue_meta")).first()
            if has_meta is None:  # an import's default meta never replaces the catalogue's own
                writer.set_meta(catalogue.meta, source)
            n = 0
            for items in (catalogue.providers, catalogue.competencies, catalogue.credentials, catalogue.roles,
                          catalogue.recognitions):
                for item in items:
                    writer.add(item, source)
                    n += 1
            writer.flush()
            digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
            writer.record_source(source, digest, n)
        return n
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot write {mask_url(str(into))}: {redact(_short(exc), str(into))}") from None
    finally:
        engine.dispose()
