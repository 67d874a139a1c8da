"""Refusals that leak nothing: forbidden and missing say the same; no password is ever shown; bad URLs are located.

A plan id used to be refused with its owner's learner id when it existed and "learner -1"
when it did not, so anyone could map which ids exist and whose they are. Database URLs were
printed with their password by ``catalogue build --into`` on success and failure, and an
unsupported driver or a malformed URL ended in "internal error".
"""

from __future__ import annotations

import json
import re

import pytest

from planner.cli import main
from planner.store.access import Role
from planner.store.errors import AccessDenied, NotFound, StoreError
from planner.store.identity import Identity
from planner.store.records import open_store
from planner.store.urls import DatabaseUrlError, mask_url, parse_url, redact

SECRET = "Pw-s3cr3t-7781"


def _same(a: Exception, b: Exception, *ids: int) -> tuple[str, str]:
    def blank(text: str) -> str:
        for i in ids:
            text = re.sub(rf"\b{i}\b", "<id>", text)
        return text

    return blank(str(a)), blank(str(b))


@pytest.fixture
def two_caseloads(store, sample_catalogue, analyst):
    scenario, rec = analyst
    ana = store.user_for(Identity("https://idp.test", "ana", name="Ana"), role=Role.ADVISOR)
    ben = store.user_for(Identity("https://idp.test", "ben", name="Ben"), role=Role.ADVISOR)
    theirs = store.create_learner(ben, "Ben's learner")
    plan = store.save_plan(ben, theirs.id, scenario=scenario, catalogue=sample_catalogue, recommendation=rec)
    mine = store.create_learner(ana, "Ana's learner")
    return ana, theirs, plan, mine


def _attempts(store, who, plan_id, learner_id, step, scenario, catalogue):
    return {
        "plan": lambda: store.plan(who, plan_id),
        "plan version": lambda: store.plan(who, plan_id, version=1),
        "plan_versions": lambda: store.plan_versions(who, plan_id),
        "progress": lambda: store.progress(who, plan_id),
        "set_progress": lambda: store.set_progress(who, plan_id, step, "completed"),
        "learner": lambda: store.learner(who, learner_id),
        "plans": lambda: store.plans(who, learner_id),
        "export": lambda: store.export_learner(who, learner_id),
        "erase": lambda: store.erase_learner(who, learner_id),
        "audit_log": lambda: store.audit_log(who, learner_id),
    }


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.LEARNER, Role.ADMIN])
def test_a_forbidden_id_and_a_missing_id_are_refused_in_the_same_words(store, two_caseloads, analyst,
                                                                        sample_catalogue, role):
    ana, theirs, plan, _ = two_caseloads
    scenario, _ = analyst
    who = ana if role == Role.ADVISOR else store.user_for(Identity("https://idp.test", f"x-{role}"), role=role)
    missing_plan, missing_learner = plan.plan_id + 1000, theirs.id + 1000
    real = _attempts(store, who, plan.plan_id, theirs.id, plan.chosen[0], scenario, sample_catalogue)
    ghost = _attempts(store, who, missing_plan, missing_learner, plan.chosen[0], scenario, sample_catalogue)
    for name in real:
        with pytest.raises(AccessDenied) as forbidden:
            real[name]()
        with pytest.raises(AccessDenied) as missing:
            ghost[name]()
        a, b = _same(forbidden.value, missing.value, plan.plan_id, missing_plan, theirs.id, missing_learner)
        assert a == b, name
        if name in ("plan", "plan version", "plan_versions", "progress", "set_progress"):
            # a plan's refusal never names whose plan it is
            assert f"learner {theirs.id}" not in str(forbidden.value) and "-1" not in str(missing.value), name


def test_saving_onto_another_learners_plan_is_refused_like_a_missing_plan(store, two_caseloads, analyst,
                                                                           sample_catalogue):
    ana, _, plan, mine = two_caseloads
    scenario, _ = analyst
    errors = []
    for pid in (plan.plan_id, plan.plan_id + 1000):
        with pytest.raises(NotFound) as err:
            store.save_plan(ana, mine.id, scenario=scenario, catalogue=sample_catalogue, plan_id=pid, based_on=1)
        errors.append(err.value)
    a, b = _same(*errors, plan.plan_id, plan.plan_id + 1000)
    assert a == b


@pytest.mark.parametrize(("url", "says"), [
    (f"postgresql+pg8000://planner:{SECRET}@db.example/planner", "unsupported driver 'pg8000'"),
    (f"postgresql+asyncpg://planner:{SECRET}@db.example/planner", "unsupported driver 'asyncpg'"),
    (f"mysql://planner:{SECRET}@db.example/planner", "unsupported database 'mysql'"),
    (f"oracle+cx_oracle://planner:{SECRET}@db.example/planner", "unsupported database 'oracle'"),
    ("sqlite+pysqlcipher:///x.db", "unsupported driver 'pysqlcipher'"),
    (f"postgresql://planner:{SECRET}@db.example:notaport/planner", "not a valid URL"),
    (f"postgresql://planner:{SECRET}@db.example:99999/planner", "port 99999 is out of range"),
    (f"postgresql://planner:{SECRET}@[::1/planner", "not a valid URL"),
    (f"postgresql://planner:{SECRET}@db.example", "names no database"),
    (f"postgresql://planner:{SECRET}@db.example/plan\x00ner", "control characters"),
    ("postgresql://" + "x" * 3000, "longer than"),
])
def test_every_driver_or_url_problem_is_located_and_masked(url, says, monkeypatch, capsys):
    with pytest.raises(DatabaseUrlError) as err:
        open_store(url)
    assert says in str(err.value) and SECRET not in str(err.value)
    assert str(err.value).startswith("database URL ")
    # the same through the command line: one line, exit 1, no "internal error"
    for argv in (["plans", "check", "--no-search", "--database", url], ["learner", "export", "1", "--database", url]):
        assert main(argv) == 1
        out = capsys.readouterr()
        assert says in out.err and SECRET not in out.err + out.out and "internal error" not in out.err


def test_an_unreachable_server_is_named_without_its_password(capsys):
    url = f"postgresql://planner:{SECRET}@127.0.0.1:1/planner"
    with pytest.raises(StoreError) as err:
        open_store(url)
    assert SECRET not in str(err.value) and "planner:***@127.0.0.1:1/planner" in str(err.value)
    assert main(["learner", "erase", "1", "--yes", "--database", url]) == 1
    out = capsys.readouterr()
    assert SECRET not in out.err + out.out and "internal error" not in out.err and "***" in out.err


@pytest.mark.parametrize(("text", "shown"), [
    ("postgresql://u:pw@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:p@w@h:5432/db", "postgresql://u:***@h:5432/db"),  # an unescaped @ in the password
    ("postgresql://u:p%40w@h/db", "postgresql://u:***@h/db"),
    ("postgres://u@h/db?password=pw&sslmode=require", "postgres://u@h/db?password=***&sslmode=require"),
    ("postgresql://u@h/db", "postgresql://u@h/db"),
    ("postgresql://h:5432/db", "postgresql://h:5432/db"),
    ("sqlite:////tmp/a.db", "sqlite:////tmp/a.db"),
    ("not a url at all", "not a url at all"),
])
def test_mask_url_hides_every_form_of_password(text, shown):
    assert mask_url(text) == shown


def test_redact_takes_a_password_out_of_a_drivers_message():
    url = f"postgresql://u:{SECRET}@h/db"
    assert redact(f'invalid dsn: "password={SECRET} host=h"', url) == 'invalid dsn: "password=*** host=h"'
    assert redact("user u:ab@h refused", "postgresql://u:ab@h/db") == "user u:***@h refused"
    assert redact("tab and abc stay", "postgresql://u:ab@h/db") == "tab and abc stay"  # short: only as a password


def test_postgresql_urls_get_the_installed_driver():
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert parse_url("sqlite://").drivername == "sqlite"


@pytest.fixture
def pg_with_password(pg_server):
    """A database on the throw-away server, named by a URL that carries a password (trust auth ignores it)."""
    from .conftest import new_database

    return new_database(pg_server).replace("postgres@", f"postgres:{SECRET}@").replace("+psycopg", "")


def test_catalogue_build_into_postgresql_never_prints_the_password(pg_with_password, catalogue_dir, capsys):
    assert main(["catalogue", "build", str(catalogue_dir), "--into", pg_with_password]) == 0
    out = capsys.readouterr()
    assert "\nbuilt postgresql://postgres:***@" in out.out and SECRET not in out.out + out.err
    assert main(["catalogue", "build", str(catalogue_dir), "--into", pg_with_password, "--format", "json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["into"].startswith("postgresql://postgres:***@") and SECRET not in out.out
    assert main(["catalogue", "build", str(catalogue_dir), "--into", pg_with_password]) == 0
    assert "up to date: postgresql://postgres:***@" in capsys.readouterr().out


@pytest.mark.parametrize("bad", [
    f"postgresql://postgres:{SECRET}@127.0.0.1:1/nothing",  # no server there
    f"postgresql+pg8000://postgres:{SECRET}@127.0.0.1/nothing",
    f"postgresql://postgres:{SECRET}@127.0.0.1:port/nothing",
    f"postgresql://postgres:{SECRET}@127.0.0.1:70000/nothing",
    f"mysql://postgres:{SECRET}@127.0.0.1/nothing",
    "sqlite+pysqlcipher:///nothing.db",
])
def test_catalogue_commands_locate_a_bad_store_url_without_its_password(bad, catalogue_dir, capsys):
    for argv in (["catalogue", "build", str(catalogue_dir), "--into", bad],
                 ["catalogue", "search", "data", "--catalogue", bad]):
        assert main(argv) == 1
        out = capsys.readouterr()
        assert SECRET not in out.out + out.err and "internal error" not in out.err, out.err
        assert out.err.startswith("planner catalogue: ") and ("***" in out.err or SECRET not in bad), out.err


def test_a_database_file_in_a_missing_folder_is_located(tmp_path):
    with pytest.raises(StoreError, match=r"cannot create the database sqlite:///.*missing.*No such file"):
        open_store(f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}")


def test_the_learner_store_on_a_password_url_names_it_masked(pg_with_password, capsys):
    store = open_store(pg_with_password)
    assert SECRET not in mask_url(store.engine.url)
    store.engine.dispose()
    assert main(["learner", "export", "12345", "--database", pg_with_password]) == 1
    out = capsys.readouterr()
    assert "may not export learner 12345" in out.err and SECRET not in out.err + out.out
