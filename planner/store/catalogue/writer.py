"""Write validated catalogue items into a compiled catalogue, in batches.

Items arrive one by one (from the YAML loader, an importer or a generator streaming a
national catalogue) and are written in batches, so memory stays flat however large the
catalogue. Each item is stored whole as JSON beside the index rows the engine queries.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, delete, select

from planner.catalogue.models import (
    CatalogueMeta,
    Competency,
    Credential,
    Provider,
    RecognitionAgreement,
    Role,
    rule_credentials,
)
from planner.store.catalogue import schema as t

__all__ = ["StoreWriter", "to_doc"]

#: Rows buffered before a batch insert.
BATCH = 5000


def to_doc(model: BaseModel) -> str:
    """The JSON an item is stored as (what its model validates back to the same item)."""
    data = model.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


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
        if isinstance(item, Credential):
            self._credential(item, source)
        elif isinstance(item, Role):
            self._put(t.roles, id=item.id, title=item.title, sector=item.sector, source=source, doc=to_doc(item))
            for need in item.needs:
                self._put(t.role_needs, role=item.id, competency=need.competency, level=need.level,
                          essential=need.essential)
            body = " ".join(x for x in (item.id, item.sector, item.description) if x)
            self._put(t.search_docs, kind="role", item=item.id, title=item.title, body=body, is_award=False)
        elif isinstance(item, Competency):
            self._put(t.competencies, id=item.id, label=item.label, broader=item.broader, source=source,
                      doc=to_doc(item))
        elif isinstance(item, Provider):
            self._put(t.providers, id=item.id, name=item.name, country=item.country, source=source,
                      doc=to_doc(item))
        elif isinstance(item, RecognitionAgreement):
            self._put(t.recognitions, id=item.id, award=item.award, credential=item.credential,
                      provider=item.provider, source=source, pos=self._next(source), doc=to_doc(item))
        else:
            raise TypeError(f"not a catalogue item: {type(item).__name__}")
        self.counts[type(item).__name__] += 1

    def _next(self, source: str) -> int:
        # position within its source, so that a sub-catalogue keeps the loader's order
        self.pos[source] += 1
        return self.pos[source]

    def _credential(self, cred: Credential, source: str) -> None:
        self._put(t.credentials, id=cred.id, title=cred.title, provider=cred.provider, type=cred.type.value,
                  sector=cred.sector, is_award=cred.award is not None, ects=cred.ects, source=source,
                  pos=self._next(source), doc=to_doc(cred))
        best: dict[str, int] = {}
        for taught in cred.teaches:
            best[taught.competency] = max(best.get(taught.competency, -1), taught.level)
        for comp, level in best.items():
            self._put(t.teaches, competency=comp, level=level, credential=cred.id)
        for group in cred.requires:
            for alt in group.any_of:
                self._put(t.requires, credential=cred.id, needs_credential=alt.credential,
                          needs_competency=alt.competency, needs_level=alt.level)
        if cred.award is not None:
            for member in dict.fromkeys(rule_credentials(cred.award.rule)):
                self._put(t.award_components, award=cred.id, credential=member)
        body = " ".join(x for x in (cred.id, cred.sector, cred.type.value.replace("_", " "), cred.description)
                        if x)
        self._put(t.search_docs, kind="credential", item=cred.id, title=cred.title, body=body,
                  is_award=cred.award is not None)

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

    def record_source(self, source: str, sha256: str, items: int) -> None:
        """Remember a source's content hash (an unchanged file is skipped next build)."""
        self.conn.execute(delete(t.source_files).where(t.source_files.c.path == source))
        self.conn.execute(t.source_files.insert(), [{"path": source, "sha256": sha256, "items": items}])
