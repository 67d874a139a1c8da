"""Ids are never given twice, and the drift cache cannot confuse two plans even where an old database did.

Revision 0001 let SQLite hand an erased plan version's id to the next save, and a
long-lived store (the app keeps one) then showed another advisor the erased learner's
drift. Revision 0002 makes every generated id ``AUTOINCREMENT`` (SQLite) or an identity
column (PostgreSQL) and keeps existing rows; the cache is keyed by the version's identity
as stored, not by its id alone.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text

from planner.catalogue.models import Catalogue
from planner.store import db
from planner.store.access import Role
from planner.store.basis import Drift
from planner.store.driftcache import DriftCache
from planner.store.identity import Identity
from planner.store.records import Store
from planner.store.tables import Base

from .conftest import START

TABLES = ("users", "learners", "plans", "plan_versions", "progress", "audit_log")


def _retire(catalogue: Catalogue, cid: str) -> Catalogue:
    data = catalogue.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["credentials"] = [c for c in data["credentials"] if c["id"] != cid]
    return Catalogue.model_validate(data)


def _max_ids(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {t}")).scalar_one() for t in TABLES}


def _populate(store: Store, catalogue, analyst):
    scenario, rec = analyst
    ana = store.user_for(Identity("https://idp.test", "ana", name="Ana"), role=Role.ADVISOR)
    lee = store.create_learner(ana, "Lee")
    plan = store.save_plan(ana, lee.id, scenario=scenario, catalogue=catalogue, recommendation=rec)
    store.set_progress(ana, plan.plan_id, plan.chosen[0], "completed", on=START)
    return ana, lee, plan


def _at_0001(db_url: str):
    engine = db.make_engine(db_url)
    db.migrate(engine, "0001")
    return engine


def test_revision_0002_keeps_every_row_and_never_gives_an_erased_id_again(db_url, sample_catalogue, analyst):
    engine = _at_0001(db_url)
    old = Store(engine)
    ana, lee, _ = _populate(old, sample_catalogue, analyst)
    kept_learner = old.create_learner(ana, "Kept")
    kept = old.save_plan(ana, kept_learner.id, scenario=analyst[0], catalogue=sample_catalogue,
                         recommendation=analyst[1], notes="kept")
    for i in range(4):  # long notes: pages that the erase frees
        old.save_plan(ana, lee.id, scenario=analyst[0], catalogue=sample_catalogue, notes=f"{i}" * 19_000)
    ever = _max_ids(engine)
    old.erase_learner(ana, lee.id)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA freelist_count").scalar() > 0  # free pages before migrating
    with engine.begin() as conn:  # a user and audit entries removed by hand: their ids were given all the same
        conn.execute(text("DELETE FROM audit_log WHERE id > 2"))
        extra = conn.execute(text("INSERT INTO users (issuer, subject, role, created_at) "
                                  "VALUES ('x', 'y', 'learner', CURRENT_TIMESTAMP) RETURNING id")).scalar_one()
        conn.execute(text("DELETE FROM users WHERE id = :i"), {"i": extra})
        if engine.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO audit_log (at, actor_id, actor, action, detail) "
                              "VALUES (CURRENT_TIMESTAMP, :i, 'x', 'x', '')"), {"i": extra})
    ever["users"] = extra
    before = {t: _count(engine, t) for t in TABLES}
    db.migrate(engine)
    assert db.current_revision(engine) == db.head_revision()
    assert {t: _count(engine, t) for t in TABLES} == before  # every row kept
    store = Store(engine)
    assert store.plan(ana, kept.plan_id).notes == "kept"
    _populate(store, sample_catalogue, analyst)
    fresh = store.user_for(Identity("https://idp.test", "newcomer"))
    now = _max_ids(engine)
    assert fresh.id > ever["users"]
    # revision 0001 on SQLite kept no record of an erased version's or progress row's id (no AUTOINCREMENT):
    # those two continue after the highest id present at the upgrade; PostgreSQL's sequences remembered
    remembered = ("learners", "plans") if engine.dialect.name == "sqlite" else TABLES[1:5]
    for table in remembered:
        assert now[table] > ever[table], table
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # switched back on after migrating
            assert conn.exec_driver_sql("PRAGMA freelist_count").scalar() == 0  # vacuumed: no old free pages
            for table in TABLES:
                sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar_one()
                assert "AUTOINCREMENT" in sql, table
    else:
        for table in TABLES:
            [column] = [c for c in inspect(engine).get_columns(table) if c["name"] == "id"]
            assert column.get("identity"), table
    # the schema is exactly what the models declare
    for name, table in Base.metadata.tables.items():
        assert {c["name"] for c in inspect(engine).get_columns(name)} == {c.name for c in table.columns}, name
    engine.dispose()


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_after_an_erase_no_table_gives_an_id_twice(store, sample_catalogue, analyst):
    ana, lee, _ = _populate(store, sample_catalogue, analyst)
    ever = _max_ids(store.engine)
    store.erase_learner(ana, lee.id)
    with store.engine.begin() as conn:  # and the rows no erase removes, removed by hand
        conn.execute(text("DELETE FROM audit_log"))
        conn.execute(text("DELETE FROM caseload"))
        conn.execute(text("DELETE FROM users"))
    ana = store.user_for(Identity("https://idp.test", "ana2", name="Ana"), role=Role.ADVISOR)
    _populate(store, sample_catalogue, analyst)
    now = _max_ids(store.engine)
    assert {t: now[t] > ever[t] for t in TABLES} == dict.fromkeys(TABLES, True)


def test_a_long_lived_store_never_shows_an_erased_learners_drift_to_another_advisor(sqlite_path, sample_catalogue,
                                                                                      analyst):
    """On a revision-0001 SQLite database ids *are* reused: the cache must still tell the plans apart."""
    engine = _at_0001(sqlite_path)
    store = Store(engine)  # one store for the whole run, as the app keeps it
    scenario, rec = analyst
    ana = store.user_for(Identity("https://idp.test", "ana"), role=Role.ADVISOR)
    ben = store.user_for(Identity("https://idp.test", "ben"), role=Role.ADVISOR)
    lee = store.create_learner(ana, "Lee")
    plan = store.save_plan(ana, lee.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec)
    retired = _retire(sample_catalogue, plan.chosen[0])
    [row] = store.caseload(ana, catalogue=retired, today=START)
    assert [d.code for d in row.drift] == ["retired"]
    with engine.connect() as conn:
        erased_version = conn.execute(text("SELECT max(id) FROM plan_versions")).scalar_one()
    Store(engine).erase_learner(ana, lee.id)  # erased elsewhere (the command line): this store is not told
    # Ben's learner plans a route without the retired credential: nothing in it drifts
    kim = store.create_learner(ben, "Kim")
    other = Catalogue.model_validate(retired.model_dump(mode="json", by_alias=True, exclude_none=True))
    store.save_plan(ben, kim.id, scenario=scenario, catalogue=other)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT max(id) FROM plan_versions")).scalar_one() == erased_version  # reused
    [row] = store.caseload(ben, catalogue=retired, today=START)
    assert row.learner_id == kim.id and row.drift == ()
    engine.dispose()


@pytest.fixture
def sqlite_path(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'old.sqlite3'}"


def test_the_drift_cache_keys_on_everything_drift_depends_on():
    cache = DriftCache(size=3)
    calls: list[list] = []
    day = dt.date(2027, 1, 4)
    saved = dt.datetime(2027, 1, 1, 9, 0)

    def compute(missing):
        calls.append(list(missing))
        return {v: (Drift("retired", f"plan {v[1]}", f"plan {v[1]} drifts"),) for v in missing}

    first = (7, 1, 1, saved)
    same_id_other_plan = (7, 2, 1, saved + dt.timedelta(seconds=1))
    assert cache.get_many("digest-a", day, [first], compute)[first][0].credential_id == "plan 1"
    assert cache.get_many("digest-a", day, [same_id_other_plan], compute)[same_id_other_plan][0].credential_id \
        == "plan 2"
    cache.get_many("digest-a", day, [first], compute)  # a hit
    cache.get_many("digest-b", day, [first], compute)  # another catalogue: computed again
    cache.get_many("digest-a", day + dt.timedelta(days=1), [first], compute)  # another day: again
    assert calls == [[first], [same_id_other_plan], [first], [first]]
    assert len(cache) == 3  # bounded: the oldest went
    cache.forget([7])
    assert len(cache) == 0
