"""Open a compiled catalogue's database: URL handling, dialect setup, format check."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from planner._errors import PlannerError
from planner.store.catalogue import fulltext
from planner.store.catalogue.schema import FORMAT_VERSION, metadata, store_meta
from planner.store.urls import DatabaseUrlError, is_store_url, mask_url, parse_url, redact

__all__ = ["REBUILD", "StoreError", "check_format", "create_store", "damaged", "is_store_url", "normalise_url",
           "open_engine"]

#: What to do with a store that was changed or damaged after its build: an incremental build
#: rewrites only changed files, so only a new store is sure to be whole again.
REBUILD = "rebuild it: delete it (or its tables) and run 'planner catalogue build DIR --into URL'"


class StoreError(PlannerError):
    """A compiled catalogue cannot be opened, read or written (message says what to do)."""


def damaged(where: str, what: str) -> StoreError:
    """The error for a store found changed or damaged: ``where: what: … rebuild it …`` in one line.

    Parameters
    ----------
    where : str
        The store (its URL, password hidden).
    what : str
        What was found, e.g. ``credentials['x']: its JSON names 'y'``.
    """
    what = " ".join(what.split())
    what = what if len(what) <= 300 else what[:300] + "…"
    return StoreError(f"{where}: {what}: the store was changed or damaged after it was built; {REBUILD}")


def normalise_url(target: str | Path) -> str:
    """A SQLAlchemy URL for a store: a plain path becomes an SQLite file, PostgreSQL uses psycopg 3.

    Parameters
    ----------
    target : str or Path
        ``sqlite:///file.db``, ``postgresql://user@host/db`` or a file path.

    Returns
    -------
    str
        The URL to give :func:`sqlalchemy.create_engine`.

    Raises
    ------
    StoreError
        When the URL names another kind of database or driver, or cannot be parsed (the
        message shows it with its password masked).
    """
    text = str(target)
    if not is_store_url(text):
        if "://" in text:
            raise StoreError(f"{mask_url(text)}: a compiled catalogue is an SQLite file or a postgresql:// URL")
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    try:
        url = parse_url(text)  # the one check of every database URL, shared with the learner store
    except DatabaseUrlError as exc:
        raise StoreError(str(exc)) from None
    return url.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # a build artefact: losing the last transaction on a power cut only means rebuilding
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MB page cache
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def open_engine(target: str | Path) -> Engine:
    """Create the engine for a store URL or path (no check of its content).

    Parameters
    ----------
    target : str or Path
        Store URL or SQLite file path.

    Returns
    -------
    sqlalchemy.Engine
    """
    url = normalise_url(target)
    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise StoreError(f"cannot open {mask_url(str(target))}: {redact(str(exc), str(target))}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def create_store(engine: Engine) -> None:
    """Create the tables (when missing) and stamp the format version; refuse another format."""
    try:
        existing = set(inspect(engine).get_table_names())
        if "store_meta" in existing:
            check_format(engine)
            return
        if existing - {"store_meta"} & set(metadata.tables):
            raise StoreError("the database holds catalogue tables without a format version: "
                             "use an empty database (or delete the file) and rebuild")
        with engine.begin() as conn:
            metadata.create_all(conn)
            fulltext.create(conn)
            conn.execute(store_meta.insert(), [{"key": "format_version", "value": json.dumps(FORMAT_VERSION)}])
    except SQLAlchemyError as exc:
        raise StoreError(f"{mask_url(engine.url)}: cannot create the catalogue tables: "
                         f"{redact(_short(exc), engine.url)}") from None


def check_format(engine: Engine) -> None:
    """Refuse a database that is not a compiled catalogue of this format.

    Raises
    ------
    StoreError
        "not a compiled catalogue" or "rebuild it" with the command to run.
    """
    try:
        if "store_meta" not in inspect(engine).get_table_names():
            raise StoreError(f"{mask_url(engine.url)}: not a compiled catalogue; "
                             "build one with 'planner catalogue build DIR --into URL'")
        with engine.connect() as conn:
            row = conn.execute(select(store_meta.c.value).where(store_meta.c.key == "format_version")).first()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read {mask_url(engine.url)}: {redact(_short(exc), engine.url)}") from None
    try:
        found = json.loads(row[0]) if row else None
    except (TypeError, ValueError, RecursionError):  # not JSON (or not text): no version this planner knows
        found = repr(row[0])[:40]
    if found != FORMAT_VERSION:
        raise StoreError(
            f"this compiled catalogue has format version {found}, this planner reads version {FORMAT_VERSION}: "
            "rebuild it with 'planner catalogue build DIR --into URL' (it is a build artefact)")
    check_structure(engine)


def _present(conn: Connection) -> set[tuple[str, str]]:
    """``(type, name)`` of the tables, indexes and triggers the database holds (one catalogue query)."""
    if conn.dialect.name == "sqlite":
        return {(str(k), str(n)) for k, n in conn.exec_driver_sql("SELECT type, name FROM sqlite_master")}
    return {(k, n) for k, n in conn.execute(text(
        "SELECT 'table', tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
        "UNION ALL SELECT 'index', indexname FROM pg_catalog.pg_indexes WHERE schemaname = current_schema()"))}


def check_structure(engine: Engine) -> None:
    """Refuse a store missing any table, index or full-text object a build makes (one cheap query).

    A dropped table would fail the first query that needs it, an index the speed of every
    question, the full-text index every search: each is found here, when the store is opened.

    Raises
    ------
    StoreError
        Naming what is missing, with "rebuild it".
    """
    where = mask_url(engine.url)
    try:
        with engine.connect() as conn:
            present = _present(conn)
            dialect = conn.dialect.name
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read {where}: {redact(_short(exc), engine.url)}") from None
    wanted = {("table", name) for name in metadata.tables}
    wanted |= {("index", str(index.name)) for table in metadata.tables.values() for index in table.indexes}
    wanted |= fulltext.objects(dialect)
    missing = sorted(wanted - present)
    if missing:
        shown = ", ".join(f"{kind} {name}" for kind, name in missing[:5]) + (" …" if len(missing) > 5 else "")
        raise damaged(where, f"missing {shown}")


def _short(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]
