"""What a reader checks of every row it reads, so that a changed store is refused where it would be used.

A compiled catalogue is a build artefact, read without validating it again (opening a
store of a million credentials must stay cheap). What is checked instead costs nothing
beside the reading itself, and stops a changed or damaged store with "rebuild it"
(:func:`planner.store.catalogue.engine.damaged`) before a wrong answer is given:

* every value has its column's type (SQLite keeps whatever is written: a level that is
  text, an id that is a number would otherwise fail in comparisons far from the cause);
* every stored item's JSON parses, validates with its model and names the id of its key,
  and the columns read beside it (provider, award flag, an agreement's award and
  credential) say what its JSON says: a row holding another item's JSON would put that
  item in a route under this one's id.

Database errors met while reading (a dropped table, a corrupted full-text index) become
the same one-line :class:`~planner.store.catalogue.engine.StoreError`. The full sweep of
every row is ``planner validate URL`` (:mod:`planner.store.catalogue.sweep`).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Boolean, Connection, Engine, Float, Integer, String
from sqlalchemy.exc import DBAPIError

from planner.catalogue.models import ID_PATTERN
from planner.store.catalogue.engine import REBUILD, StoreError, _short, damaged
from planner.store.catalogue.rows import KINDS, own_row

__all__ = ["CheckedConnection", "CheckedResult", "check_model", "is_possible_id", "parse_item", "reading",
           "type_problem"]

_ID = re.compile(ID_PATTERN)


def is_possible_id(value: object) -> bool:
    """Whether ``value`` could be a stored item's id (else no query is needed: nothing has it).

    Ids that cannot exist (a NUL byte, 10,000 characters) never reach the database, where
    PostgreSQL would refuse them with a raw error.
    """
    return isinstance(value, str) and 0 < len(value) <= 120 and bool(_ID.match(value))


def _expected(column_type: Any) -> tuple[tuple[type, ...], str] | None:
    if isinstance(column_type, Boolean):
        return (bool, int), "a boolean"
    if isinstance(column_type, Integer):
        return (int,), "an integer"
    if isinstance(column_type, Float):
        return (int, float), "a number"
    if isinstance(column_type, String):  # Text too
        return (str,), "text"
    return None  # text() queries, literals: nothing declared to check against


def type_problem(column: Any, value: object) -> str | None:
    """What is wrong with ``value`` in ``column`` (``None`` when it has the column's declared type).

    Parameters
    ----------
    column : sqlalchemy column
        A selected column (its ``type`` declares what it holds; a column of a ``text()``
        query declares nothing and accepts anything).
    value : object
        What the database returned.
    """
    expected = _expected(column.type)
    if expected is None or value is None:
        return None
    types, label = expected
    if isinstance(value, types) and (bool in types or not isinstance(value, bool)):
        return None
    table = getattr(getattr(column, "table", None), "name", None)
    name = f"{table}.{column.name}" if table else str(column.name)
    return f"{name} holds {type(value).__name__} {_show(value)}, not {label}"


class CheckedResult:
    """The rows of one query, each value checked against its column's declared type."""

    def __init__(self, rows: Sequence[Any]) -> None:
        self.rows = rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def all(self) -> list[Any]:
        """Every row."""
        return list(self.rows)

    def first(self) -> Any:
        """The first row, or ``None``."""
        return self.rows[0] if self.rows else None

    def scalar_one(self) -> Any:
        """The one value of the one row."""
        if len(self.rows) != 1:
            raise StoreError(f"expected one row, got {len(self.rows)}")
        return self.rows[0][0]

    def scalar(self) -> Any:
        """The first value of the first row, or ``None``."""
        return self.rows[0][0] if self.rows else None


class CheckedConnection:
    """A read connection whose rows are type-checked (see the module docstring).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        An open connection.
    where : str
        The store, as errors name it (password hidden).
    """

    def __init__(self, conn: Connection, where: str) -> None:
        self.conn = conn
        self.where = where
        self.dialect = conn.dialect

    def execute(self, statement: Any, parameters: Mapping[str, Any] | None = None) -> CheckedResult:
        """Run a query; its rows, checked."""
        result = self.conn.execute(statement) if parameters is None else self.conn.execute(statement, parameters)
        rows = result.all()
        columns = list(getattr(statement, "selected_columns", ()))
        checks = [(i, col, expected[0]) for i, col in enumerate(columns)
                  if (expected := _expected(col.type)) is not None]
        for row in rows if checks else ():
            for i, col, types in checks:
                value = row[i]
                # the common case first and cheap: a value of the declared type (a bool is no integer)
                if value is None or (type(value) in types and (type(value) is not bool or bool in types)):
                    continue
                problem = type_problem(col, value)
                if problem is not None:
                    raise damaged(self.where, problem)
        return CheckedResult(rows)

    def exec_driver_sql(self, sql: str, *args: Any) -> Any:
        """Run dialect SQL unchecked (the full-text integrity command)."""
        return self.conn.exec_driver_sql(sql, *args)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


@contextlib.contextmanager
def reading(engine: Engine, where: str) -> Iterator[CheckedConnection]:
    """A checked connection; a database error while reading becomes one located line.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store's engine.
    where : str
        The store, as errors name it.

    Raises
    ------
    StoreError
        "cannot read …" with the database's first line and the advice to rebuild a
        damaged store. Input never reaches the database unchecked (ids, pages, search
        words are checked first), so what is left is the store itself or the server.
    """
    try:
        with engine.connect() as conn:
            yield CheckedConnection(conn, where)
    except DBAPIError as exc:
        raise StoreError(f"cannot read {where}: {_short(exc)}; if the store was changed or damaged, "
                         f"{REBUILD}") from None


def parse_item(kind: str, key: object, doc: object, where: str, columns: Mapping[str, Any] | None = None) -> Any:
    """The validated item a row holds, or "rebuild it" when the row is not what a build writes.

    Parameters
    ----------
    kind : str
        ``credential``, ``role``, ``competency``, ``provider`` or ``recognition``.
    key : str
        The row's ``id`` column.
    doc : str
        The row's ``doc`` column (the item's JSON).
    where : str
        The store, as errors name it.
    columns : mapping, optional
        Other columns read with the row; each must equal what the build derives from the
        item (:func:`planner.store.catalogue.rows.own_row`).

    Returns
    -------
    pydantic.BaseModel
        The item.

    Raises
    ------
    StoreError
        Naming the table, the key and what is wrong.
    """
    table, model = KINDS[kind]
    at = f"{table.name}[{_show(key)}]"
    if not isinstance(doc, (str, bytes)):
        raise damaged(where, f"{at}: its JSON is {type(doc).__name__}, not text")
    try:
        data = json.loads(doc)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise damaged(where, f"{at}: its JSON does not parse ({_short(exc)})") from None
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0] if exc.error_count() else {}
        field = ".".join(str(x) for x in first.get("loc", ())) or "value"
        raise damaged(where, f"{at}: its JSON is not a valid {kind} ({field}: {first.get('msg', '')})") from None
    if item.id != key:  # type: ignore[attr-defined]
        raise damaged(where, f"{at}: its JSON is {kind} {_show(item.id)}")  # type: ignore[attr-defined]
    if columns:
        own = own_row(item)[1]
        for name, value in columns.items():
            if own[name] != value:
                raise damaged(where, f"{at}: column {name} holds {_show(value)}, its JSON says {_show(own[name])}")
    return item


def check_model(where: str, at: str, model: type[BaseModel], doc: object) -> Any:
    """A stored JSON document that is not an item (the catalogue's meta), validated."""
    try:
        return model.model_validate(json.loads(doc))  # type: ignore[arg-type]
    except (TypeError, ValueError, RecursionError) as exc:  # ValidationError is a ValueError
        raise damaged(where, f"{at}: {_short(exc)}") from None
