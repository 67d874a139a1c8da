"""Units of work: a deadlock or serialisation failure is run again; what remains is a located StoreError.

The races in test_store_races.py should never reach a retry (the learner's row lock orders
them); these tests give the decorator the database errors directly, as psycopg raises them,
and check one real deadlock on the throw-away PostgreSQL.
"""

from __future__ import annotations

import threading

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from planner.store.errors import StoreError
from planner.store.tx import ATTEMPTS, StoreBusy, unit_of_work

from .conftest import new_database

URL = "postgresql+psycopg://planner:Pw-tx-4242@db.example/planner"


class _Fake:
    """Something with an engine URL, whose method fails as told."""

    def __init__(self, failures: list[BaseException]) -> None:
        self.engine = create_engine(URL)
        self.failures = failures
        self.calls = 0

    @unit_of_work("do the thing")
    def act(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "done"


def _pg_error(cls, sqlstate: str, message: str):
    orig = type(f"E{sqlstate}", (psycopg.errors.OperationalError,), {"sqlstate": sqlstate})(message)
    return cls("SELECT 1", {}, orig)


def test_a_deadlock_or_serialisation_failure_is_run_again():
    fake = _Fake([_pg_error(OperationalError, "40P01", "deadlock detected"),
                  _pg_error(OperationalError, "40001", "could not serialize access")])
    assert fake.act() == "done" and fake.calls == 3


def test_a_unit_that_keeps_failing_gives_a_located_store_error_without_the_password():
    fake = _Fake([_pg_error(OperationalError, "40P01", "deadlock detected") for _ in range(ATTEMPTS)])
    with pytest.raises(StoreBusy) as err:
        fake.act()
    assert fake.calls == ATTEMPTS
    message = str(err.value)
    assert message.startswith("postgresql+psycopg://planner:***@db.example/planner: could not do the thing")
    assert "a deadlock" in message and "Pw-tx-4242" not in message


def test_other_database_errors_are_located_and_not_retried():
    fake = _Fake([_pg_error(ProgrammingError, "42P01", 'relation "users" does not exist')])
    with pytest.raises(StoreError) as err:
        fake.act()
    assert fake.calls == 1 and not isinstance(err.value, StoreBusy)
    assert 'could not do the thing: relation "users" does not exist' in str(err.value)


def test_a_constraint_broken_by_a_simultaneous_change_is_run_again():
    fake = _Fake([IntegrityError("INSERT", {}, Exception("duplicate key"))])
    assert fake.act() == "done" and fake.calls == 2


def test_a_real_deadlock_on_postgresql_is_recovered(pg_server):
    """Two transactions lock two rows in opposite orders: PostgreSQL kills one, the unit runs it again."""
    url = new_database(pg_server)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id int primary key, n int)"))
        conn.execute(text("INSERT INTO t VALUES (1, 0), (2, 0)"))
    barrier = threading.Barrier(2)

    class Worker:
        def __init__(self) -> None:
            self.engine = engine
            self.attempts = 0

        @unit_of_work("update two rows")
        def run(self, first: int, second: int) -> None:
            self.attempts += 1
            with self.engine.begin() as conn:
                conn.execute(text("UPDATE t SET n = n + 1 WHERE id = :i"), {"i": first})
                if self.attempts == 1:
                    barrier.wait(timeout=30)  # both hold their first row: now each wants the other's
                conn.execute(text("UPDATE t SET n = n + 1 WHERE id = :i"), {"i": second})

    a, b = Worker(), Worker()
    errors: list[BaseException] = []

    def go(worker, first, second):
        try:
            worker.run(first, second)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(a, 1, 2)), threading.Thread(target=go, args=(b, 2, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted([a.attempts, b.attempts]) == [1, 2]  # one was the deadlock's victim and ran again
    with engine.connect() as conn:
        assert conn.execute(text("SELECT sum(n) FROM t")).scalar_one() == 4
    engine.dispose()
