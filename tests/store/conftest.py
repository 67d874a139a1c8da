"""Store fixtures: every store test runs on SQLite and on a real, throw-away PostgreSQL.

The PostgreSQL cluster is started once per test session from Debian's binaries
(``/usr/lib/postgresql/*/bin``) on 127.0.0.1 and a free port, in a temporary folder, as the
``postgres`` user when the tests run as root (initdb refuses root). Each test gets its own
database. Without the binaries the PostgreSQL cases skip and say why.
"""

from __future__ import annotations

import datetime as dt
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.store.records import Store, open_store
from planner.store.tables import Base

BACKENDS = ["sqlite", "postgresql"]
START = dt.date(2027, 1, 4)


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """URL of a throw-away PostgreSQL server (no database part), or skip with the reason."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not found (/usr/lib/postgresql/*/bin); .ci/run installs Debian's postgresql")
    as_user: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="planner-pg-"))
    if os.geteuid() == 0:
        try:
            shutil.chown(base, "postgres")
        except LookupError:
            pytest.skip("running as root but there is no 'postgres' user to run the cluster as")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()

    def run(*cmd: str | Path) -> None:
        proc = subprocess.run([*as_user, *map(str, cmd)], capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            log = (base / "log").read_text() if (base / "log").exists() else ""
            raise RuntimeError(f"{cmd[0]} failed: {proc.stderr or proc.stdout}\n{log}")

    run(bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    run(bindir / "pg_ctl", "-D", data, "-l", base / "log", "-w", "-o",
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


_counter = itertools.count()


def new_database(pg_server: str) -> str:
    """A new, empty database on the throw-away server; its URL."""
    import psycopg

    name = f"t{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_server.replace("postgresql+psycopg", "postgresql") + "/postgres",
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{pg_server}/{name}"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh database on the throw-away PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return new_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated, empty store on each backend."""
    s = open_store(db_url)
    yield s
    s.engine.dispose()


def reset(store: Store) -> None:
    """Empty every table (between hypothesis examples)."""
    with store.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(scope="session")
def analyst(sample_catalogue):
    """A scenario and its recommendation on the bundled catalogue (data analyst, from START)."""
    from planner.engine.routing import recommend
    from planner.engine.scenario import Scenario

    scenario = Scenario(target="role:data-analyst", start=START, budget=3000)
    rec = recommend(sample_catalogue, scenario.to_profile(), scenario.to_target(), alternatives=2, today=START)
    assert len(rec.routes) == 2 and len(rec.best.credential_ids) >= 2
    return scenario, rec
