"""The database layer: Alembic takes an empty database to head on SQLite and PostgreSQL; defaults."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from planner.store import db
from planner.store.identity import LOCAL_IDENTITY
from planner.store.records import open_store
from planner.store.tables import Base


def test_empty_database_migrates_to_head(db_url):
    engine = db.make_engine(db_url)
    assert db.current_revision(engine) is None
    assert not set(inspect(engine).get_table_names()) & set(Base.metadata.tables)
    db.migrate(engine)
    assert db.current_revision(engine) == db.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    # the migration builds exactly the columns the models declare
    for name, table in Base.metadata.tables.items():
        assert {c["name"] for c in inspect(engine).get_columns(name)} == {c.name for c in table.columns}, name
    db.migrate(engine)  # at head: nothing to do, no error
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()


def test_default_url_is_a_file_in_the_user_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv(db.ENV_VAR, raising=False)
    monkeypatch.setattr("platformdirs.user_data_dir", lambda app: str(tmp_path / app))
    url = db.database_url()
    assert url == f"sqlite:///{tmp_path / 'stackable-planner' / 'planner.sqlite3'}"
    monkeypatch.setenv(db.ENV_VAR, "postgresql+psycopg://someone@db.example/planner")
    assert db.database_url() == "postgresql+psycopg://someone@db.example/planner"


def test_first_use_creates_the_database_and_a_saved_plan_survives_a_restart(
        monkeypatch, tmp_path, sample_catalogue, analyst):
    monkeypatch.delenv(db.ENV_VAR, raising=False)
    monkeypatch.setattr("platformdirs.user_data_dir", lambda app: str(tmp_path / app))
    scenario, rec = analyst
    first = open_store()  # no set-up step: the folder, the file and the schema appear on first use
    me = first.local_user()
    learner = first.caseload(me)[0].learner_id
    saved = first.save_plan(me, learner, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                            notes="keep this")
    first.engine.dispose()
    again = open_store()  # "restart": a new engine on the same default file
    me2 = again.local_user()
    assert me2 == me
    row = again.caseload(me2)
    assert [(r.plan_id, r.version, r.target) for r in row] == [(saved.plan_id, 1, "role:data-analyst")]
    back = again.plan(me2, saved.plan_id)
    assert back.notes == "keep this" and back.chosen == rec.best.credential_ids
    assert back.scenario == scenario
    assert again.user_for(LOCAL_IDENTITY) == me


def test_the_switch_to_write_ahead_logging_waits_while_another_process_makes_it(tmp_path):
    """SQLite answers "database is locked" at once (no busy timeout) to a connection asking for
    WAL while another is switching; eight processes opening a new database hit it. Two refusals
    then success: the connection waits and switches, and a lasting refusal still surfaces."""
    import sqlite3

    from planner.store.db import _wal

    class Busy:
        def __init__(self, refusals: int, message: str = "database is locked") -> None:
            self.refusals, self.message, self.calls = refusals, message, []

        def execute(self, sql: str):
            self.calls.append(sql)
            if sql == "PRAGMA journal_mode":
                if self.refusals:
                    self.refusals -= 1
                    raise sqlite3.OperationalError(self.message)
                return sqlite3.connect(":memory:").execute("SELECT 'delete'")
            return self

    cursor = Busy(2)
    _wal(cursor)
    assert cursor.calls[-1] == "PRAGMA journal_mode=WAL" and cursor.calls.count("PRAGMA journal_mode") == 3
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _wal(Busy(10**6), patience=0.1)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        _wal(Busy(1, "disk I/O error"))
    # a real file: switched once, and a second connection finds it switched
    path = tmp_path / "w.sqlite3"
    for _ in range(2):
        conn = sqlite3.connect(path)
        _wal(conn.cursor())
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.close()
