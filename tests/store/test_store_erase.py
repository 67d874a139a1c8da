"""Erase means gone: no name, e-mail, subject or note of an erased learner in any table or file.

On both backends every table is dumped after the erase and searched for what the learner
and their advisor wrote; on SQLite the database file and its write-ahead log are searched
byte for byte as well (they held the words before the erase: the test checks that first).
Files that hold personal data are created readable by their owner only.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from planner.cli import main
from planner.store import db
from planner.store.access import Role
from planner.store.errors import AccessDenied
from planner.store.identity import Identity
from planner.store.records import open_store
from planner.store.tables import Base

NOTE = "Zebra-note-4711 about a private matter"
NAME = "Quintessa Marchbanks"
EMAIL = "quintessa.marchbanks@mail.example"
SUBJECT = "sub-9f3e1c77-quintessa"
MARKERS = (NOTE, NAME, EMAIL, SUBJECT, "Zebra-note-4711", "Marchbanks")


def _dump(store) -> str:
    with store.engine.connect() as conn:
        return "\n".join(str(row) for table in Base.metadata.sorted_tables
                         for row in conn.execute(text(f"SELECT * FROM {table.name}")))


def _files(url: str) -> bytes:
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


@pytest.fixture
def lee(store, sample_catalogue, analyst):
    """A learner who signs in herself, with a plan, a note, progress and an advisor."""
    scenario, rec = analyst
    ana = store.user_for(Identity("https://idp.test", "ana", name="Ana Advisor"), role=Role.ADVISOR)
    admin = store.user_for(Identity("https://idp.test", "root"), role=Role.ADMIN)
    me = store.user_for(Identity("https://idp.test", SUBJECT, email=EMAIL, name=NAME))
    record = store.create_learner(me, NAME)
    store.assign(admin, ana.id, record.id)
    plan = store.save_plan(me, record.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                           notes=NOTE * 20)
    store.save_plan(ana, record.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                    plan_id=plan.plan_id, based_on=1, notes=f"{NOTE}, second meeting")
    store.set_progress(me, plan.plan_id, plan.chosen[0], "completed")
    store.learner(ana, record.id)
    return me, ana, record


def test_an_erased_learner_leaves_no_name_e_mail_subject_or_note_in_any_table(store, lee):
    me, ana, record = lee
    before = _dump(store)
    assert all(m in before for m in MARKERS)  # the dump would show them
    store.erase_learner(me, record.id)
    after = _dump(store)
    assert not [m for m in MARKERS if m in after], after
    with store.engine.connect() as conn:
        user = conn.execute(text("SELECT issuer, subject, name, email, role FROM users WHERE id = :i"),
                            {"i": me.id}).one()
        learners = conn.execute(text("SELECT count(*) FROM learners")).scalar_one()
    assert tuple(user) == ("erased", f"user-{me.id}", f"erased user {me.id}", None, "learner")
    assert learners == 0
    entries = store.audit_entries(record.id)
    assert entries[-1].action == "erase" and entries[-1].actor == f"learner 'erased user {me.id}'"
    assert {e.actor for e in entries} == {f"learner 'erased user {me.id}'", "advisor 'Ana Advisor'", "admin 'root'"}
    assert all(e.detail == "" for e in entries[:-1])
    # the session she had is over; signing in again starts afresh, with nothing of hers
    with pytest.raises(AccessDenied, match="sign in again"):
        store.own_learner_id(me)
    again = store.user_for(Identity("https://idp.test", SUBJECT, email=EMAIL, name=NAME))
    assert again.id != me.id and store.own_learner_id(again) is None
    assert store.caseload(ana) == []


def test_a_staff_members_own_record_is_erased_but_their_user_stays(store, sample_catalogue, analyst):
    me = store.local_user()  # an advisor with a learner record of her own
    [row] = store.caseload(me)
    other = store.create_learner(me, "Someone else")
    store.erase_learner(me, row.learner_id)
    assert store.refresh_user(me) == me  # still signed in, still an advisor
    assert [r.learner_id for r in store.caseload(me)] == [other.id]
    assert "Local user" in _dump(store)  # the staff user's name stays (she acted in her role)


def test_sqlite_files_hold_no_trace_after_an_erase(tmp_path, sample_catalogue, analyst):
    url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    store = open_store(url)
    scenario, rec = analyst
    me = store.user_for(Identity("https://idp.test", SUBJECT, email=EMAIL, name=NAME))
    record = store.create_learner(me, NAME)
    for i in range(3):
        store.save_plan(me, record.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec,
                        notes=f"{NOTE} {i} " * 50)
    store.update_profile(me, record.id, store.learner(me, record.id).profile, name=f"{NAME} (renamed)")
    raw = _files(url)
    assert all(m.encode() in raw for m in MARKERS)  # the files held them: a search would find them
    store.erase_learner(me, record.id)
    raw = _files(url)
    assert not [m for m in MARKERS if m.encode() in raw]
    assert not Path(f"{url.removeprefix('sqlite:///')}-wal").stat().st_size  # checkpointed and emptied
    store.engine.dispose()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_default_database_and_its_folder_are_private(monkeypatch, tmp_path):
    monkeypatch.delenv(db.ENV_VAR, raising=False)
    monkeypatch.setattr("platformdirs.user_data_dir", lambda app: str(tmp_path / app))
    old = os.umask(0o022)
    try:
        store = open_store()
        me = store.local_user()
        store.caseload(me)
    finally:
        os.umask(old)
    folder = tmp_path / "stackable-planner"
    assert _mode(folder) == 0o700
    files = sorted(folder.iterdir())
    assert {p.name for p in files} >= {"planner.sqlite3", "planner.sqlite3-wal", "planner.sqlite3-shm"}
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    store.engine.dispose()


def test_an_existing_readable_database_file_is_made_private(tmp_path):
    path = tmp_path / "old.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o644)
    store = open_store(f"sqlite:///{path}")
    store.local_user()
    assert _mode(path) == 0o600
    store.engine.dispose()


def test_learner_export_to_a_file_is_private(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(db.ENV_VAR, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    store = open_store()
    me = store.local_user()
    learner = store.own_learner_id(me)
    out = tmp_path / "export.json"
    old = os.umask(0o022)
    try:
        assert main(["learner", "export", str(learner), "-o", str(out)]) == 0
        assert _mode(out) == 0o600
        out.chmod(0o644)  # a file that was there is replaced by a private one
        assert main(["learner", "export", str(learner), "-o", str(out)]) == 0
    finally:
        os.umask(old)
    assert _mode(out) == 0o600
    assert json.loads(out.read_text(encoding="utf-8"))["learner"]["id"] == learner
    store.engine.dispose()
