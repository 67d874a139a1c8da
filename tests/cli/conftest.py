"""CLI fixtures: the store tests' throw-away databases (SQLite, and PostgreSQL when its binaries exist)."""

from tests.store.conftest import db_url, pg_server  # noqa: F401  (fixtures, used by name)
