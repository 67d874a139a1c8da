"""The database layer: Alembic takes an empty database to head on SQLite and PostgreSQL; defaults."""

from __future__ import annotations

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
