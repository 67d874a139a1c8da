"""Full-text search over ``search_docs``: SQLite FTS5 or PostgreSQL ``tsvector`` + GIN.

Queries match every word of the text as a prefix (typing "data ana" finds "Data
analysis"), rank best first, and come back one page at a time.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, text

__all__ = ["MAX_QUERY_WORDS", "create", "match", "objects", "words"]

#: More words than this are ignored (a query is a few words, not a document).
MAX_QUERY_WORDS = 8
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

_PG_VECTOR = "to_tsvector('simple', title || ' ' || body)"


def create(conn: Connection) -> None:
    """Create the dialect's full-text index over ``search_docs`` (kept in step by triggers or expression)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_docs', "
            "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')")
        conn.exec_driver_sql(
            "CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN "
            "INSERT INTO search_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body); END")
        conn.exec_driver_sql(
            "CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, "
            "old.body); END")
    else:
        conn.exec_driver_sql(f"CREATE INDEX ix_search_docs_fts ON search_docs USING gin ({_PG_VECTOR})")


def objects(dialect: str) -> set[tuple[str, str]]:
    """The ``(type, name)`` of every database object the index is made of, for the store's structure check."""
    if dialect == "sqlite":
        fts = {("table", "search_fts")} | {("table", f"search_fts_{part}") for part in ("data", "idx", "docsize",
                                                                                       "config")}
        return fts | {("trigger", "search_docs_ai"), ("trigger", "search_docs_ad")}
    return {("index", "ix_search_docs_fts")}


def words(query: str) -> list[str]:
    """The searchable words of a query, lower-cased, at most :data:`MAX_QUERY_WORDS`."""
    return [w.lower() for w in _WORD.findall(query)][:MAX_QUERY_WORDS]


def match(conn: Connection, query: str, *, kinds: tuple[str, ...], awards_only: bool,
          offset: int, limit: int) -> tuple[int, list[tuple[str, str, str, bool]]]:
    """Total matches and one page of ``(kind, id, title, is_award)``, best first.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        An open connection to the store.
    query : str
        Free text; every word must match (as a prefix).
    kinds : tuple of str
        Which kinds of items to return (``credential``, ``role``).
    awards_only : bool
        Only credentials that carry award rules (roles are unaffected): the targets.
    offset, limit : int
        The page.
    """
    terms = words(query)
    params: dict[str, Any] = {"offset": offset, "limit": limit}
    kind_names = []
    for i, kind in enumerate(kinds):
        params[f"k{i}"] = kind
        kind_names.append(f":k{i}")
    where = f"d.kind IN ({', '.join(kind_names)})" + (" AND (d.kind = 'role' OR d.is_award)" if awards_only else "")
    if conn.dialect.name == "sqlite":
        # each word quoted (so FTS syntax in user text is inert), as a prefix
        params["q"] = " ".join('"' + t.replace('"', '""') + '"*' for t in terms)
        base = f"FROM search_fts f JOIN search_docs d ON d.rowid = f.rowid WHERE search_fts MATCH :q AND {where}"
        order = "ORDER BY f.rank, d.kind, d.item"
    else:
        params["q"] = " & ".join(t.replace("'", "''").replace("\\", "") + ":*" for t in terms)
        base = f"FROM search_docs d WHERE {_PG_VECTOR} @@ to_tsquery('simple', :q) AND {where}"
        order = f"ORDER BY ts_rank({_PG_VECTOR}, to_tsquery('simple', :q)) DESC, d.kind, d.item"
    if not terms:  # browse: everything of these kinds, in id order (an index scan)
        base = f"FROM search_docs d WHERE {where}"
        order = "ORDER BY d.kind, d.item"
    total = conn.execute(text(f"SELECT count(*) {base}"), params).scalar_one()
    rows = conn.execute(text(f"SELECT d.kind, d.item, d.title, d.is_award {base} {order} "
                             "LIMIT :limit OFFSET :offset"), params).all()
    return int(total), [(r[0], r[1], r[2], bool(r[3])) for r in rows]
