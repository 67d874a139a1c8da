"""Open a compiled catalogue's database: URL handling, dialect setup, format check."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from planner._errors import PlannerError
from planner.store.catalogue import fulltext
from planner.store.catalogue.schema import FORMAT_VERSION, metadata, store_meta
from planner.store.urls import DatabaseUrlError, is_store_url, mask_url, parse_url, redact

__all__ = ["StoreError", "check_format", "create_store", "is_store_url", "normalise_url", "open_engine"]


class StoreError(PlannerError):
    """A compiled catalogue cannot be opened, read or written (message says what to do)."""


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
    found = json.loads(row[0]) if row else None
    if found != FORMAT_VERSION:
        raise StoreError(
            f"this compiled catalogue has format version {found}, this planner reads version {FORMAT_VERSION}: "
            "rebuild it with 'planner catalogue build DIR --into URL' (it is a build artefact)")


def _short(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]
