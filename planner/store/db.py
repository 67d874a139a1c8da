"""Where the store lives and how it is brought up to date.

The default database is a SQLite file in the user's data directory
(``platformdirs.user_data_dir("stackable-planner")``); ``PLANNER_DATABASE_URL`` names
another, e.g. ``postgresql+psycopg://user@host/db``. The schema is migrated to the newest
Alembic revision on first use, so there is no set-up step.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event

__all__ = ["ENV_VAR", "current_revision", "database_url", "head_revision", "make_engine", "migrate"]

ENV_VAR = "PLANNER_DATABASE_URL"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_VERSION_TABLE = "planner_store_version"


def database_url() -> str:
    """The database URL: ``PLANNER_DATABASE_URL``, else a SQLite file in the user's data directory."""
    url = os.environ.get(ENV_VAR, "").strip()
    if url:
        return url
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("stackable-planner"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'planner.sqlite3'}"


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default :func:`database_url`); SQLite gets foreign keys and a busy timeout."""
    url = url or database_url()
    if url.startswith("sqlite"):
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
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


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
        return MigrationContext.configure(conn, opts={"version_table": _VERSION_TABLE}).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest) with Alembic; a no-op when it is there."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
