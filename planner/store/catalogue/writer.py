"""Write validated catalogue items into a compiled catalogue, in batches.

Items arrive one by one (from the YAML loader, an importer or a generator streaming a
national catalogue) and are written in batches, so memory stays flat however large the
catalogue. Each item is stored whole as JSON beside the index rows the engine queries
(:func:`planner.store.catalogue.rows.stored_rows`).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, delete, select

from planner.catalogue.models import CatalogueMeta
from planner.store.catalogue import schema as t
from planner.store.catalogue.rows import POSITIONED, stored_rows, to_doc
from planner.store.catalogue.schema import GENERATION

__all__ = ["StoreWriter", "to_doc"]

#: Rows buffered before a batch insert.
BATCH = 5000


class StoreWriter:
    """Buffered writer over one open transaction (``engine.begin()``).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A connection inside a transaction; the caller commits.
    batch : int
        Rows per insert.
    """

    def __init__(self, conn: Connection, *, batch: int = BATCH) -> None:
        self.conn = conn
        self.batch = batch
        self.rows: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        self.pos: dict[str, int] = defaultdict(int)
        self.counts: dict[str, int] = defaultdict(int)

    # ------------------------------------------------------------------ items

    def add(self, item: BaseModel, source: str) -> None:
        """Queue one validated item (provider, competency, credential, role or recognition)."""
        (table, own), *index = stored_rows(item)  # TypeError for anything else
        own = {**own, "source": source, "doc": to_doc(item)}
        if table in POSITIONED:
            own["pos"] = self._next(source)
        self._put(table, **own)
        for index_table, row in index:
            self._put(index_table, **row)
        self.counts[type(item).__name__] += 1

    def _next(self, source: str) -> int:
        # position within its source, so that a sub-catalogue keeps the loader's order
        self.pos[source] += 1
        return self.pos[source]

    def set_meta(self, meta: CatalogueMeta, source: str) -> None:
        """Store the catalogue's meta (name, level scale, currencies) and where it came from."""
        self.flush()
        self.conn.execute(delete(t.store_meta).where(t.store_meta.c.key.in_(("catalogue_meta", "meta_source"))))
        self.conn.execute(t.store_meta.insert(), [
            {"key": "catalogue_meta", "value": to_doc(meta)},
            {"key": "meta_source", "value": json.dumps(source)},
        ])

    def _put(self, table: Any, **row: Any) -> None:
        rows = self.rows[table]
        rows.append(row)
        if len(rows) >= self.batch:
            self.conn.execute(table.insert(), rows)
            rows.clear()

    def flush(self) -> None:
        """Write every queued row (parents before index rows: the order tables were declared)."""
        for table in t.metadata.sorted_tables:
            rows = self.rows.get(table)
            if rows:
                self.conn.execute(table.insert(), rows)
                rows.clear()

    # ------------------------------------------------------------------ sources

    def delete_source(self, source: str) -> None:
        """Remove every item a source (file or import) wrote, with its index rows."""
        self.flush()
        conn = self.conn
        creds = select(t.credentials.c.id).where(t.credentials.c.source == source)
        for table in (t.teaches, t.requires, t.award_components):
            key = table.c.award if table is t.award_components else table.c.credential
            conn.execute(delete(table).where(key.in_(creds)))
        conn.execute(delete(t.search_docs).where(t.search_docs.c.kind == "credential",
                                                 t.search_docs.c.item.in_(creds)))
        roles = select(t.roles.c.id).where(t.roles.c.source == source)
        conn.execute(delete(t.role_needs).where(t.role_needs.c.role.in_(roles)))
        conn.execute(delete(t.search_docs).where(t.search_docs.c.kind == "role", t.search_docs.c.item.in_(roles)))
        for table in (t.credentials, t.roles, t.competencies, t.providers, t.recognitions):
            conn.execute(delete(table).where(table.c.source == source))
        meta_source = conn.execute(select(t.store_meta.c.value).where(t.store_meta.c.key == "meta_source")).first()
        if meta_source and json.loads(meta_source[0]) == source:
            conn.execute(delete(t.store_meta).where(t.store_meta.c.key.in_(("catalogue_meta", "meta_source"))))
        conn.execute(delete(t.source_files).where(t.source_files.c.path == source))
        self.new_generation()

    def record_source(self, source: str, sha256: str, items: int) -> None:
        """Remember a source's content hash (an unchanged file is skipped next build)."""
        self.conn.execute(delete(t.source_files).where(t.source_files.c.path == source))
        self.conn.execute(t.source_files.insert(), [{"path": source, "sha256": sha256, "items": items}])
        self.new_generation()

    def new_generation(self) -> None:
        """Stamp the store as changed (a reader's kept sub-catalogues are then read again)."""
        self.conn.execute(delete(t.store_meta).where(t.store_meta.c.key == GENERATION))
        self.conn.execute(t.store_meta.insert(), [{"key": GENERATION, "value": json.dumps(uuid.uuid4().hex)}])
