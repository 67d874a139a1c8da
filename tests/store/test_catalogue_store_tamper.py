"""Tampered compiled catalogues: "rebuild it" in one line, never a wrong route, a raw database error or a bug.

Each test builds the bundled catalogue into a store (SQLite, and a database on the
throw-away PostgreSQL cluster), changes it behind the planner's back as an attacker with
write access to the database would, and checks that:

* opening refuses a store missing a table, an index or its full-text index;
* reading refuses a row that is not what a build writes (not JSON, another item's JSON,
  a column that disagrees with its JSON, a value of the wrong type) where it is read;
* ``planner validate URL`` (and ``planner catalogue validate URL``) reads every row and
  finds every change, and passes the untouched store;
* input that cannot name anything in the store (a page beyond any offset, a NUL byte)
  never reaches PostgreSQL as a raw ``DataError``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from planner.catalogue.models import LearnerProfile, Target
from planner.cli import main
from planner.store.catalogue import StoreError, open_catalogue
from planner.store.catalogue.build import build
from planner.store.catalogue.engine import open_engine
from planner.store.catalogue.reader import MAX_PAGE
from tests.conftest import CATALOGUE_DIR
from tests.store.catalogue_store_pg import cluster, create_database, postgres_bin

REBUILD = "rebuild it: delete it (or its tables) and run 'planner catalogue build DIR --into URL'"


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    if postgres_bin() is None:
        pytest.skip("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin "
                    "(apt-get install -y postgresql); the SQLite cases cover the same code")
    with cluster() as url:
        yield url


_names = iter(range(1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The bundled catalogue, freshly built, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cat.db'}"
    else:
        url = create_database(request.getfixturevalue("pg_server"), f"tamper{next(_names)}")
    assert build([CATALOGUE_DIR], url).ok
    return url


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cat.db'}"
    assert build([CATALOGUE_DIR], url).ok
    return url


def tamper(url: str, *statements: str) -> None:
    """Change the store behind the planner's back (plain SQL, committed)."""
    engine: Engine = open_engine(url)
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def run(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str, *expected: str) -> None:
    """Exactly one line on stderr, located, with each expected part; never a bug report or a traceback."""
    assert err.count("\n") == 1, err
    assert "internal error" not in err and "Traceback" not in err and "DataError" not in err, err
    for part in expected:
        assert part in err, (part, err)


def validate_fails(url: str, capsys: pytest.CaptureFixture, *expected: str) -> str:
    """``planner validate URL`` and ``planner catalogue validate URL`` both fail, naming what they found."""
    for args in (["validate", url], ["catalogue", "validate", url]):
        code, out, err = run(args, capsys)
        assert code == 1 and "internal error" not in out + err, out + err
        assert "FAILED" in out and REBUILD in out, out
        for part in expected:
            assert part in out, (part, out)
    code, out, _ = run(["validate", url, "--format", "json"], capsys)
    assert code == 1 and json.loads(out)["ok"] is False
    return out


# ------------------------------------------------------------------------- the untouched store


def test_an_untouched_store_validates(store_url: str, capsys: pytest.CaptureFixture) -> None:
    for args in (["validate", store_url], ["catalogue", "validate", store_url]):
        code, out, _ = run(args, capsys)
        assert code == 0 and out.startswith("OK:") and "0 error(s)" in out, out
    code, _, err = run(["catalogue", "validate", str(CATALOGUE_DIR)], capsys)
    assert code == 1 and "not a compiled catalogue" in err


# ------------------------------------------------------------------------- structure, at open


def test_a_dropped_credentials_table_says_rebuild_everywhere(store_url: str, capsys: pytest.CaptureFixture) -> None:
    tamper(store_url, "DROP TABLE credentials")
    with pytest.raises(StoreError, match="missing .*table credentials.*" + REBUILD.replace("(", r"\(")
                       .replace(")", r"\)")):
        open_catalogue(store_url)
    for args in (["recommend", "--catalogue", store_url, "--target", "role:data-analyst"],
                 ["catalogue", "search", "data", "--catalogue", store_url],
                 ["validate", store_url], ["info", store_url],
                 ["coverage", store_url, "--provider", "openskills-academy", "--no-routes"]):
        code, _, err = run(args, capsys)
        assert code == 1, args
        one_line_error(err, "table credentials", "rebuild it")


def test_a_dropped_full_text_index_is_refused_at_open(store_url: str, capsys: pytest.CaptureFixture) -> None:
    if store_url.startswith("sqlite"):
        tamper(store_url, "DROP TABLE search_fts")
        missing = "table search_fts"
    else:
        tamper(store_url, "DROP INDEX ix_search_docs_fts")
        missing = "index ix_search_docs_fts"
    code, _, err = run(["catalogue", "search", "data", "--catalogue", store_url], capsys)
    assert code == 1
    one_line_error(err, missing, "rebuild it")


def test_a_corrupted_full_text_table_says_rebuild(sqlite_url: str, capsys: pytest.CaptureFixture) -> None:
    # FTS5 keeps its index in search_fts_data: overwrite its blocks with garbage
    tamper(sqlite_url, "UPDATE search_fts_data SET block = x'0102030405060708' WHERE id > 10")
    store = open_catalogue(sqlite_url)
    with pytest.raises(StoreError, match=r"cannot read .*: database disk image is malformed; .*rebuild it"):
        store.search("data")
    store.close()
    code, _, err = run(["catalogue", "search", "data", "--catalogue", sqlite_url], capsys)
    assert code == 1
    one_line_error(err, "rebuild it")
    validate_fails(sqlite_url, capsys, "search index: the full-text index fails its integrity check")


def test_search_entries_changed_on_postgresql_fail_validation(store_url: str, capsys: pytest.CaptureFixture) -> None:
    # PostgreSQL's index is computed from search_docs: a changed entry finds the wrong item
    tamper(store_url, "UPDATE search_docs SET title = 'Nursing' WHERE item = 'osa-sql-basics'")
    validate_fails(store_url, capsys, "credentials[osa-sql-basics]: its search_docs rows differ from its JSON")


# ------------------------------------------------------------------------- rows, where they are read


def _route_step(url: str) -> tuple[str, str, Target]:
    """A credential on the best route to a target, and another that is not on it."""
    target = Target.parse("role:data-analyst")
    store = open_catalogue(url)
    try:
        route = store.recommend(LearnerProfile(), target).best
        on_route = route.credential_ids[0]
        other = next(c.id for c in store.subcatalogue(LearnerProfile(), target).credentials
                     if c.id not in route.credential_ids)
    finally:
        store.close()
    return on_route, other, target


def test_a_row_holding_another_items_json_never_gives_a_route(store_url: str,
                                                             capsys: pytest.CaptureFixture) -> None:
    step, other, target = _route_step(store_url)
    tamper(store_url, f"UPDATE credentials SET doc = (SELECT doc FROM credentials WHERE id = '{other}') "
                      f"WHERE id = '{step}'")
    store = open_catalogue(store_url)  # opening stays cheap: rows are checked where they are read
    with pytest.raises(StoreError) as info:
        store.recommend(LearnerProfile(), target)
    store.close()
    assert f"credentials['{step}']: its JSON is credential '{other}'" in str(info.value)
    assert str(info.value).endswith(REBUILD)
    code, out, err = run(["recommend", "--catalogue", store_url, "--target", str(target.kind) + ":" + str(target.id)],
                         capsys)
    assert code == 1 and out == "" and "Route" not in out  # no route at all, let alone a wrong one
    one_line_error(err, f"credentials['{step}']", "rebuild it")
    validate_fails(store_url, capsys, f"credentials['{step}']: its JSON is credential '{other}'")


@pytest.mark.parametrize("doc", ["not json{", '{"id": "osa-sql-basics"}', "[]", '"' + "[" * 5000 + '"'])
def test_a_row_that_is_not_a_credential_fails_validation_and_reading(store_url: str, doc: str,
                                                                     capsys: pytest.CaptureFixture) -> None:
    tamper(store_url, "UPDATE credentials SET doc = '" + doc.replace("'", "''") + "' WHERE id = 'osa-sql-basics'")
    store = open_catalogue(store_url)
    with pytest.raises(StoreError, match=r"credentials\['osa-sql-basics'\]: its JSON (does not parse|is not a valid)"):
        store.get("credential", "osa-sql-basics")
    store.close()
    validate_fails(store_url, capsys, "credentials['osa-sql-basics']: its JSON")


def test_a_column_that_disagrees_with_its_json_is_refused(store_url: str, capsys: pytest.CaptureFixture) -> None:
    # the agreement towards one award is filed under another: the walk would give it to the wrong award
    store = open_catalogue(store_url)
    awards = [h.id for h in store.search("", 1, 200, kinds=("credential",), awards_only=True).hits]
    store.close()
    tamper(store_url, "UPDATE recognitions SET award = 'nhu-cert-applied-data-analytics' "
                      "WHERE award = 'nhu-msc-data-science'")
    assert "nhu-cert-applied-data-analytics" in awards
    store = open_catalogue(store_url)
    with pytest.raises(StoreError, match="column award holds 'nhu-cert-applied-data-analytics', its JSON says "
                                         "'nhu-msc-data-science'"):
        store.recommend(LearnerProfile(), Target.parse("award:nhu-cert-applied-data-analytics"))
    store.close()
    validate_fails(store_url, capsys, "column award holds 'nhu-cert-applied-data-analytics'")


def test_missing_and_extra_index_rows_fail_validation(store_url: str, capsys: pytest.CaptureFixture) -> None:
    tamper(store_url,
           "DELETE FROM teaches WHERE credential = 'osa-sql-basics'",  # hides it from every teacher query
           "INSERT INTO requires (credential, needs_credential) VALUES ('osa-python-data', 'nhu-msc-data-science')",
           "INSERT INTO award_components (award, credential) VALUES ('no-such-award', 'osa-sql-basics')")
    validate_fails(store_url, capsys, "credentials[osa-sql-basics]: its teaches rows differ from its JSON (3 missing",
                   "credentials[osa-python-data]: its requires rows differ from its JSON (0 missing, 1 unexpected)",
                   "award_components[no-such-award]: index rows of an award the store does not hold")


def test_values_of_the_wrong_type_are_refused_where_read(sqlite_url: str, capsys: pytest.CaptureFixture) -> None:
    # SQLite keeps whatever is written: a level that is text, a position that is not a number
    tamper(sqlite_url, "UPDATE teaches SET level = 'high' WHERE competency = 'sql'",
           "UPDATE credentials SET pos = 'first' WHERE id = 'osa-python-data'")
    store = open_catalogue(sqlite_url)
    with pytest.raises(StoreError, match=r"credentials\.pos holds str 'first', not an integer"):
        store.recommend(LearnerProfile(), Target.parse("role:data-analyst"))
    store.close()
    validate_fails(sqlite_url, capsys, "credentials[osa-python-data]: credentials.pos holds str 'first'",
                   "its teaches rows differ from its JSON")


def test_a_broken_catalogue_meta_is_refused_at_open(store_url: str, capsys: pytest.CaptureFixture) -> None:
    tamper(store_url, "UPDATE store_meta SET value = '{\"name\": 5, \"levels\": \"x\"}' WHERE key = 'catalogue_meta'")
    code, _, err = run(["catalogue", "search", "data", "--catalogue", store_url], capsys)
    assert code == 1
    one_line_error(err, "store_meta[catalogue_meta]", "rebuild it")


# ------------------------------------------------------------------------- input that names nothing


def test_pages_beyond_any_offset_are_refused_before_the_database(store_url: str,
                                                                 capsys: pytest.CaptureFixture) -> None:
    for page in (str(2**63), "99999999999999999999", str(MAX_PAGE + 1)):
        code, _, err = run(["catalogue", "search", "data", "--catalogue", store_url, "--page", page], capsys)
        assert code == 1, page
        one_line_error(err, "page must be 1–10,000,000")
    store = open_catalogue(store_url)
    try:
        last = store.search("data", MAX_PAGE, 200)  # the highest page is a page, empty
        assert last.hits == () and last.total > 0
        with pytest.raises(ValueError, match="page must be"):
            store.search_providers("uni", 2**70)
    finally:
        store.close()


def test_nul_bytes_never_reach_the_database(store_url: str) -> None:
    store = open_catalogue(store_url)
    try:
        assert store.search("da\x00ta").total == store.search("da ta").total
        assert store.search_providers("open\x00").total == store.search_providers("open").total > 0
        assert store.get("credential", "osa-sql-basics\x00") is None
        with pytest.raises(KeyError):
            store.around("osa\x00")
        with pytest.raises(KeyError):
            store.analysis_scope("osa\x00")
        with pytest.raises(KeyError):
            store.closure(["osa-sql-basics"], roles=["data\x00analyst"])
        with pytest.raises(KeyError):
            store.closure(["osa\x00"])
    finally:
        store.close()


# ------------------------------------------------------------------------- the app


def test_the_explore_page_on_a_corrupted_store_says_rebuild(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    tamper(sqlite_url, "UPDATE search_fts_data SET block = x'0102030405060708' WHERE id > 10")
    monkeypatch.setenv("PLANNER_CATALOGUE", sqlite_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    pages = {info.get("url_pathname") or "plan": h for h, info in at._registered_pages.items()}
    at._page_hash = pages["explore"]
    at.run()
    at.text_input(key="ex_store_q").set_value("data").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value for e in at.error)
    assert "rebuild it" in shown and "internal error" not in shown, shown

