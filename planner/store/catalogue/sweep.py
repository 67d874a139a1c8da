"""Read every row of a compiled catalogue and compare it with what a build writes (``planner validate URL``).

Opening a store and answering a question check only what they read
(:mod:`planner.store.catalogue.integrity`); this sweep reads everything, in id order and
in chunks of :data:`CHUNK` items (memory stays flat at any size):

* every value has its column's declared type;
* every item's JSON parses, validates with its model, names the id of its key, and its
  own columns (title, provider, award flag, …) are those the build derives from it;
* every item's index rows (what it teaches, requires, names in its award rules, what a
  role needs, its search entry) are exactly those the build derives from its JSON: a
  missing row would hide a route, an extra one invent a prerequisite;
* the catalogue's meta validates, and SQLite's full-text index passes FTS5's own
  integrity check against the search table (PostgreSQL computes its index from that
  table, which is compared above).

Index rows of items that no longer exist are found by :mod:`planner.store.catalogue.check`.
Each kind of finding is listed at most :data:`MAX_LISTED` times, then counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.exc import DBAPIError

from planner._errors import Problem
from planner.catalogue.models import CatalogueMeta
from planner.store.catalogue import schema as t
from planner.store.catalogue.engine import StoreError, _short
from planner.store.catalogue.integrity import check_model, parse_item, type_problem
from planner.store.catalogue.rows import KINDS, POSITIONED, stored_rows

__all__ = ["CHUNK", "MAX_LISTED", "sweep"]

#: Items read per query.
CHUNK = 1000
#: Findings listed per kind of finding (the rest are counted).
MAX_LISTED = 20

#: Index tables and the column naming the item their rows belong to.
_INDEX: dict[str, list[tuple[Table, str]]] = {
    "credential": [(t.teaches, "credential"), (t.requires, "credential"), (t.award_components, "award")],
    "role": [(t.role_needs, "role")],
}

Progress = Callable[[int, int], None]


class _Findings:
    """Problems, at most :data:`MAX_LISTED` of each kind, with a count of the rest."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.listed: list[Problem] = []
        self.count: Counter[str] = Counter()

    def add(self, kind: str, field: str, message: str) -> None:
        self.count[kind] += 1
        if self.count[kind] <= MAX_LISTED:
            self.listed.append(Problem(self.where, None, None, field, message))

    def problems(self) -> list[Problem]:
        more = [Problem(self.where, None, None, kind, f"and {n - MAX_LISTED:,} more like the last")
                for kind, n in sorted(self.count.items()) if n > MAX_LISTED]
        return self.listed + more


def _located(exc: StoreError, where: str) -> tuple[str, str]:
    """``(field, message)`` of a "rebuild it" error: the advice is given once, by the caller."""
    text = str(exc).removeprefix(f"{where}: ").split(": the store was changed or damaged", 1)[0]
    field, _, message = text.partition(": ")
    return (field, message) if message else ("", field)


def sweep(conn: Connection, where: str, *, progress: Progress | None = None) -> list[Problem]:
    """Every problem found by reading every row (see the module docstring).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A connection to the store (plain: the sweep reports what it finds rather than stopping).
    where : str
        The store, as problems name it (password hidden).
    progress : callable, optional
        ``progress(items_done, items_total)`` after each chunk.

    Returns
    -------
    list of Problem
        Located ``URL: table[id]: message``; empty for a store that is exactly what a build wrote.
    """
    found = _Findings(where)
    total = sum(int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for table, _ in KINDS.values())
    done = 0
    for kind, (table, _) in KINDS.items():
        for chunk in _chunks(conn, table):
            _check_chunk(conn, kind, table, chunk, found)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    _check_meta(conn, found)
    _check_fulltext(conn, found)
    return found.problems()


def _chunks(conn: Connection, table: Table) -> Iterable[list[Any]]:
    """The table's rows in id order, :data:`CHUNK` at a time (keyset paging on the primary key)."""
    last: Any = None
    while True:
        query = select(*table.columns).order_by(table.c.id).limit(CHUNK)
        if last is not None:
            query = query.where(table.c.id > last)
        rows = conn.execute(query).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]
        if len(rows) < CHUNK:
            return


def _check_chunk(conn: Connection, kind: str, table: Table, rows: list[Any], found: _Findings) -> None:
    columns = list(table.columns)
    items: dict[str, Any] = {}
    for row in rows:
        key = row[0]
        field = f"{table.name}[{key}]"
        wrong = [p for p in (type_problem(col, row[i]) for i, col in enumerate(columns)) if p]
        if wrong:
            found.add(f"{table.name} (types)", field, wrong[0])
            continue
        values = dict(zip((c.name for c in columns), row, strict=True))
        own = {name: value for name, value in values.items() if name not in ("id", "doc", "source", "pos")}
        try:
            items[key] = parse_item(kind, key, values["doc"], found.where, own)
        except StoreError as exc:
            found.add(f"{table.name} (items)", *_located(exc, found.where))
            continue
        if table in POSITIONED and not values["pos"] >= 1:
            found.add(f"{table.name} (items)", field, f"position {values['pos']!r} is not one a build writes")
    if items:
        _check_index_rows(conn, kind, items, found)


def _check_index_rows(conn: Connection, kind: str, items: dict[str, Any], found: _Findings) -> None:
    """Each item's index rows are exactly those the build derives from its JSON."""
    wanted: dict[tuple[str, str], Counter[tuple[Any, ...]]] = {}
    for key, item in items.items():
        for table, row in stored_rows(item)[1:]:
            wanted.setdefault((table.name, key), Counter())[_row_key(table, row)] += 1
    ids = sorted(items)
    tables = list(_INDEX.get(kind, []))
    held: dict[tuple[str, str], Counter[tuple[Any, ...]]] = {}
    for table, owner in tables:
        for row in conn.execute(select(*_compared(table)).where(table.c[owner].in_(ids))):
            values = dict(zip((c.name for c in _compared(table)), row, strict=True))
            held.setdefault((table.name, values[owner]), Counter())[_row_key(table, values)] += 1
    if kind in ("credential", "role"):
        docs = t.search_docs
        for row in conn.execute(select(*_compared(docs)).where(docs.c.kind == kind, docs.c.item.in_(ids))):
            values = dict(zip((c.name for c in _compared(docs)), row, strict=True))
            held.setdefault((docs.name, values["item"]), Counter())[_row_key(docs, values)] += 1
        tables.append((docs, "item"))
    for table, _ in tables:
        for key in ids:
            want, have = wanted.get((table.name, key), Counter()), held.get((table.name, key), Counter())
            if want != have:
                missing, extra = sum((want - have).values()), sum((have - want).values())
                found.add(f"{table.name} (index rows)", f"{KINDS[kind][0].name}[{key}]",
                          f"its {table.name} rows differ from its JSON ({missing} missing, {extra} unexpected)")


def _compared(table: Table) -> list[Any]:
    return [c for c in table.columns if c.name != "rowid"]  # search_docs' rowid is the build's own


def _row_key(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    # booleans as booleans, whatever the backend returns them as
    return tuple(bool(row[c.name]) if c.name in ("is_award", "essential") else row[c.name] for c in _compared(table))


def _check_meta(conn: Connection, found: _Findings) -> None:
    for key, value in conn.execute(select(t.store_meta.c.key, t.store_meta.c.value)
                                   .where(t.store_meta.c.key == "catalogue_meta")):
        try:
            check_model(found.where, f"store_meta[{key}]", CatalogueMeta, value)
        except StoreError as exc:
            found.add("store_meta", *_located(exc, found.where))


def _check_fulltext(conn: Connection, found: _Findings) -> None:
    """SQLite: FTS5's integrity check of the full-text index against the search table."""
    if conn.dialect.name != "sqlite":
        return
    try:
        # a command written as an INSERT: it changes nothing, and its transaction is rolled back
        conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')")
    except DBAPIError as exc:
        text = _short(exc)
        if "readonly" in text.replace(" ", "").lower():
            found.listed.append(Problem(found.where, None, None, "search index",
                                        "not checked: the file is read-only", "warning"))
        else:
            found.add("search index", "search index", f"the full-text index fails its integrity check ({text})")
    finally:
        conn.rollback()

