"""Compile YAML catalogue folders into a store, incrementally.

Every file's SHA-256 is kept in the store. A build reads the folders, and when no file
was added, changed or removed it stops there. Otherwise the catalogue is validated by the
one loader (:func:`planner.catalogue.validate_texts`: every problem as
``file:line: field: message``; references, cycles and award rules cross files, so the
check covers the whole catalogue) and only the changed files' items are replaced in the
store, in one transaction: a failed build leaves the store as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from planner._errors import Problem
from planner.catalogue import SECTIONS, _read_path, validate_texts
from planner.models import Catalogue
from planner.store.catalogue import schema as t
from planner.store.catalogue.engine import StoreError, _short, create_store, open_engine
from planner.store.catalogue.writer import StoreWriter
from planner.yamlsafe import decode_yaml_bytes, parse_yaml

__all__ = ["BuildResult", "build", "write_catalogue"]

_KIND = {"providers": "provider", "competencies": "competency", "credentials": "credential",
         "roles": "role", "recognitions": "recognition"}


@dataclass(frozen=True)
class BuildResult:
    """What a build did: files written, unchanged and removed; problems found."""

    written: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    items: int = 0
    counts: dict[str, int] = field(default_factory=dict)

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


def _ids_by_file(name: str, content: bytes) -> dict[str, list[str]]:
    """Section -> item ids of one (already validated) file, in file order."""
    text, _ = decode_yaml_bytes(content, name)
    parsed, _ = parse_yaml(text or "", name)
    data = parsed.data if parsed is not None and isinstance(parsed.data, dict) else {}
    out: dict[str, list[str]] = {}
    for section in SECTIONS:
        items = data.get(section)
        if section != "meta" and isinstance(items, list):
            out[section] = [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]
    if "meta" in data:
        out["meta"] = []
    return out


def build(dirs: Sequence[str | Path], into: str | Path, *, strict: bool = False) -> BuildResult:
    """Compile catalogue folders (or files) into the store at ``into``.

    Parameters
    ----------
    dirs : sequence of str or Path
        Catalogue folders or YAML files; together they make one catalogue.
    into : str or Path
        Store URL (``sqlite:///…``, ``postgresql://…``) or SQLite file path.
    strict : bool
        Missing EU standard elements are errors.

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
    hashes = {name: hashlib.sha256(content).hexdigest() for name, content in sources}
    engine = open_engine(into)
    try:
        create_store(engine)
        with engine.connect() as conn:
            stored = dict(conn.execute(select(t.source_files.c.path, t.source_files.c.sha256)).all())
        changed = [n for n, _ in sources if stored.get(n) != hashes[n]]
        removed = sorted(set(stored) - set(hashes))
        unchanged = tuple(n for n, _ in sources if n not in changed)
        if not changed and not removed:
            return BuildResult(unchanged=unchanged)
        report = validate_texts(dict(sources), strict=strict)
        if report.catalogue is None:
            return BuildResult(problems=report.problems)
        catalogue = report.catalogue
        content = dict(sources)
        total = 0
        with engine.begin() as conn:
            writer = StoreWriter(conn)
            for name in removed:
                writer.delete_source(name)
            for name in changed:
                writer.delete_source(name)
                ids = _ids_by_file(name, content[name])
                if "meta" in ids:
                    writer.set_meta(catalogue.meta, name)
                n = 0
                for section, item_ids in ids.items():
                    if section == "meta":
                        continue
                    lookup = _lookup(catalogue, _KIND[section])
                    for item_id in item_ids:
                        writer.add(lookup[item_id], name)
                        n += 1
                writer.flush()
                writer.record_source(name, hashes[name], n)
                total += n
        return BuildResult(written=tuple(changed), unchanged=unchanged, removed=tuple(removed),
                           problems=tuple(p for p in report.problems if not p.is_error), items=total)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot write {into}: {_short(exc)}") from None
    finally:
        engine.dispose()


def _lookup(catalogue: Catalogue, kind: str) -> dict[str, object]:
    items: Iterable[object] = {
        "provider": catalogue.providers, "competency": catalogue.competencies,
        "credential": catalogue.credentials, "role": catalogue.roles, "recognition": catalogue.recognitions,
    }[kind]
    return {item.id: item for item in items}  # type: ignore[attr-defined]


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
        raise StoreError(f"cannot write {into}: {_short(exc)}") from None
    finally:
        engine.dispose()
