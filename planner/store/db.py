"""Where the store lives and how it is brought up to date.

The default database is a SQLite file in the user's data directory
(``platformdirs.user_data_dir("stackable-planner")``); ``PLANNER_DATABASE_URL`` names
another, e.g. ``postgresql+psycopg://user@host/db``. The schema is migrated to the newest
Alembic revision on first use, so there is no set-up step.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL

from planner.store.errors import StoreError
from planner.store.urls import mask_url, parse_url, redact

__all__ = ["ENV_VAR", "current_revision", "database_url", "head_revision", "make_engine", "migrate",
           "private_file"]

ENV_VAR = "PLANNER_DATABASE_URL"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_VERSION_TABLE = "planner_store_version"
#: PostgreSQL advisory-lock key held while migrating (one per cluster; "planner" in ASCII).
MIGRATION_LOCK = 0x706C616E6E6572


def private_file(path: Path) -> None:
    """Make sure ``path`` exists, readable and writable by its owner only (0600).

    An existing file of ours that others can read is tightened to 0600 (it holds personal data).

    Parameters
    ----------
    path : Path
        A SQLite database file (or any file that will hold personal data).
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # the mode applies when the file is new
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077 and info.st_uid == os.geteuid():
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def database_url() -> str:
    """The database URL: ``PLANNER_DATABASE_URL``, else a SQLite file in the user's data directory."""
    url = os.environ.get(ENV_VAR, "").strip()
    if url:
        return url
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("stackable-planner"))
    folder.mkdir(parents=True, mode=0o700, exist_ok=True)  # only its owner may list it
    return f"sqlite:///{folder / 'planner.sqlite3'}"


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        try:
            private_file(Path(url.database))  # before SQLite creates it with the umask's mode
        except OSError as exc:
            raise StoreError(f"cannot create the database {mask_url(url)}: {exc.strerror or exc}") from None
    # the driver's own transaction handling off, so that every transaction starts with BEGIN IMMEDIATE
    # (below): each store call writes (at least its audit entry), and taking the write lock up front
    # serialises two saves of one plan instead of failing one with "database is locked"
    engine = create_engine(url, connect_args={"timeout": 30, "isolation_level": None})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")  # off by default in SQLite; cascades need it
        # write-ahead log: readers do not block the writer, and a commit needs no fsync of the
        # whole database (still crash-safe; at most the last commits are lost on power failure)
        _wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        # deleted rows are overwritten with zeros, not left in free pages (an erase must erase)
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _wal(cursor, patience: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Switch the database to write-ahead logging, waiting while another connection does it.

    The switch needs the database to itself, and SQLite answers "database is locked" at
    once rather than through the busy timeout when another process is switching (several
    processes opening a new database together): retried with a short pause, like the timeout
    would. Once one connection switched, the mode stays with the file and nothing waits.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def make_engine(url: str | URL | None = None) -> Engine:
    """An engine for ``url`` (default :func:`database_url`); SQLite gets foreign keys and a busy timeout.

    Raises
    ------
    StoreError
        When the URL is malformed or names a database or driver the planner does not use
        (:class:`~planner.store.urls.DatabaseUrlError`), or a SQLite file cannot be created.
    """
    parsed = parse_url(url or database_url())
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except (ImportError, ValueError) as exc:  # the driver is missing or refuses an option of the URL
        raise StoreError(f"cannot use the database {mask_url(parsed)}: {redact(str(exc), parsed)}") from None


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when it has never been migrated)."""
    with engine.connect() as conn:
        return _revision(conn)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest) with Alembic; a no-op when it is there.

    Safe when several processes do it at once: on PostgreSQL the migration holds an advisory
    lock for its transaction (the second process waits, then finds the schema at head); on
    SQLite the transaction starts with ``BEGIN IMMEDIATE``, which serialises them the same way.
    SQLite migrations run with foreign keys off (a table is rebuilt by copy, which a parent
    table's foreign keys would refuse) and check every foreign key before committing; a
    database brought up from an older revision is then vacuumed, so that nothing deleted
    before ``secure_delete`` was on stays in its free pages.
    """
    if revision == "head" and current_revision(engine) == head_revision():
        return
    config = _config()
    upgraded = False
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # outside any transaction: SQLite ignores this pragma inside one
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                config.attributes["connection"] = conn
                was = _revision(conn)  # read under the lock: another process may have migrated meanwhile
                command.upgrade(config, revision)
                upgraded = was is not None and _revision(conn) != was
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise StoreError(f"migrating {mask_url(engine.url)} would break a foreign key "
                                         f"(table {broken[0]}); nothing was changed")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
        if sqlite and upgraded:
            _vacuum(conn)


def _revision(conn) -> str | None:  # type: ignore[no-untyped-def]
    return MigrationContext.configure(conn, opts={"version_table": _VERSION_TABLE}).get_current_revision()


def _vacuum(conn) -> None:  # type: ignore[no-untyped-def]
    # best effort: another process may hold the database (it then stays as it is until the next erase)
    raw = conn.connection.dbapi_connection
    try:
        raw.execute("VACUUM")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error:  # "database is locked" and the like
        pass
