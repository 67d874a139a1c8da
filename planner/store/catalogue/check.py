"""Check a compiled catalogue: every row read and compared, dangling references, bookkeeping.

A store is written only from a validated catalogue, so a problem here means it was
changed behind the planner's back or written by a faulty importer. :func:`check_store`
first reads every row (:func:`planner.store.catalogue.sweep.sweep`: types, JSON, ids,
columns and index rows against what a build derives), then runs the cross-item checks:
each an anti-join on a primary key or an index, reporting at most :data:`MAX_PER_CHECK`
findings located at the source file the item came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, literal, select

from planner._errors import Problem
from planner.store.catalogue import schema as t
from planner.store.catalogue.engine import StoreError

__all__ = ["MAX_PER_CHECK", "StoreCheck", "check_store", "store_info"]

#: Findings listed per check (the count says how many there are).
MAX_PER_CHECK = 20


@dataclass(frozen=True)
class StoreCheck:
    """What :func:`check_store` found: located problems and the counts per kind."""

    problems: tuple[Problem, ...]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def _missing(key: Any, table: Any) -> Any:
    """``key`` names no row of ``table`` (an anti-join on its primary key)."""
    other = table.alias()  # never correlated with the same table in the outer query
    return ~exists(select(literal(1)).select_from(other).where(other.c.id == key))


# (query of (source, item, missing id), field, message)
def _reference_checks() -> list[tuple[Any, str, str]]:
    c, req, tch, comp, rec, need = (t.credentials, t.requires, t.teaches, t.award_components,
                                    t.recognitions, t.role_needs)
    return [
        (select(c.c.source, c.c.id, c.c.provider).where(_missing(c.c.provider, t.providers)),
         "credentials[{item}].provider", "unknown provider {ref!r}"),
        (select(c.c.source, c.c.id, tch.c.competency).join(c, c.c.id == tch.c.credential)
         .where(_missing(tch.c.competency, t.competencies)),
         "credentials[{item}].teaches", "unknown competency {ref!r}"),
        (select(c.c.source, c.c.id, req.c.needs_credential).join(c, c.c.id == req.c.credential)
         .where(req.c.needs_credential.is_not(None), _missing(req.c.needs_credential, t.credentials)),
         "credentials[{item}].requires", "unknown credential {ref!r}"),
        (select(c.c.source, c.c.id, req.c.needs_competency).join(c, c.c.id == req.c.credential)
         .where(req.c.needs_competency.is_not(None), _missing(req.c.needs_competency, t.competencies)),
         "credentials[{item}].requires", "unknown competency {ref!r}"),
        (select(c.c.source, c.c.id, comp.c.credential).join(c, c.c.id == comp.c.award)
         .where(_missing(comp.c.credential, t.credentials)),
         "credentials[{item}].award.rule", "unknown credential {ref!r}"),
        (select(rec.c.source, rec.c.id, rec.c.award).where(_missing(rec.c.award, t.credentials)),
         "recognitions[{item}].award", "unknown credential {ref!r}"),
        (select(rec.c.source, rec.c.id, rec.c.credential).where(_missing(rec.c.credential, t.credentials)),
         "recognitions[{item}].credential", "unknown credential {ref!r}"),
        (select(rec.c.source, rec.c.id, rec.c.provider).where(_missing(rec.c.provider, t.providers)),
         "recognitions[{item}].provider", "unknown provider {ref!r}"),
        (select(t.roles.c.source, t.roles.c.id, need.c.competency).join(t.roles, t.roles.c.id == need.c.role)
         .where(_missing(need.c.competency, t.competencies)),
         "roles[{item}].needs", "unknown competency {ref!r}"),
    ]


def _index_checks() -> list[tuple[Any, str, str]]:
    """Index rows whose item is gone (the store's own bookkeeping)."""
    return [
        (select(literal("(index)"), t.teaches.c.credential, t.teaches.c.competency)
         .where(_missing(t.teaches.c.credential, t.credentials)),
         "teaches[{item}]", "index rows of a credential the store does not hold"),
        (select(literal("(index)"), t.requires.c.credential, t.requires.c.credential)
         .where(_missing(t.requires.c.credential, t.credentials)),
         "requires[{item}]", "index rows of a credential the store does not hold"),
        (select(literal("(index)"), t.role_needs.c.role, t.role_needs.c.competency)
         .where(_missing(t.role_needs.c.role, t.roles)),
         "role_needs[{item}]", "index rows of a role the store does not hold"),
        (select(literal("(index)"), t.award_components.c.award, t.award_components.c.credential)
         .where(_missing(t.award_components.c.award, t.credentials)),
         "award_components[{item}]", "index rows of an award the store does not hold"),
        (select(literal("(index)"), t.search_docs.c.item, t.search_docs.c.kind)
         .where(t.search_docs.c.kind == "credential", _missing(t.search_docs.c.item, t.credentials)),
         "search_docs[{item}]", "a search entry of a credential the store does not hold"),
        (select(literal("(index)"), t.search_docs.c.item, t.search_docs.c.kind)
         .where(t.search_docs.c.kind == "role", _missing(t.search_docs.c.item, t.roles)),
         "search_docs[{item}]", "a search entry of a role the store does not hold"),
        (select(literal("(index)"), t.search_docs.c.item, t.search_docs.c.kind)
         .where(t.search_docs.c.kind.not_in(("credential", "role"))),
         "search_docs[{item}]", "a search entry of kind {ref!r}"),
    ]


def _count(conn: Any, table: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def check_store(store: Any, *, progress: Any = None) -> StoreCheck:
    """Check an open :class:`~planner.store.catalogue.CatalogueStore` (format and structure were checked at opening).

    Parameters
    ----------
    store : CatalogueStore
        The store.
    progress : callable, optional
        ``progress(items_done, items_total)`` while every row is read.

    Returns
    -------
    StoreCheck
        Problems of the rows located at the store (``URL: table[id]: message``), then
        those of references located at the source file of the item (``source: field:
        message``), and the counts per kind.
    """
    from planner.store.catalogue.sweep import sweep

    counts = store.counts()
    with store._connect() as conn:
        problems = sweep(conn.conn, store.url, progress=progress)
    try:
        problems += _cross_checks(store, counts)
    except StoreError as exc:  # a value of the wrong type stops a query: the sweep has listed it
        problems.append(Problem(store.url, None, None, "", str(exc)))
    return StoreCheck(tuple(problems), counts)


def _cross_checks(store: Any, counts: dict[str, int]) -> list[Problem]:
    problems: list[Problem] = []
    where = store.url
    with store._connect() as conn:
        for query, field, message in _reference_checks() + _index_checks():
            total = int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())
            first = query.order_by(*list(query.selected_columns)[1:]).limit(MAX_PER_CHECK)
            for source, item, ref in conn.execute(first):
                problems.append(Problem(str(source), None, None, field.format(item=item),
                                        message.format(ref=ref)))
            if total > MAX_PER_CHECK:
                problems.append(Problem(where, None, None, field.split("[")[0],
                                        f"and {total - MAX_PER_CHECK:,} more like the last"))
        searchable = _count(conn, t.search_docs)
        if searchable != counts["credential"] + counts["role"]:
            problems.append(Problem(where, None, None, "search index",
                                    f"{searchable:,} entries for {counts['credential']:,} credentials and "
                                    f"{counts['role']:,} roles; rebuild the store"))
        problems += _source_counts(conn)
    return problems


def _source_counts(conn: Any) -> list[Problem]:
    """Each build source holds as many items as the build recorded."""
    held: dict[str, int] = {}
    for table in (t.credentials, t.roles, t.competencies, t.providers, t.recognitions):
        for source, n in conn.execute(select(table.c.source, func.count()).group_by(table.c.source)):
            held[source] = held.get(source, 0) + int(n)
    out = []
    recorded = dict(conn.execute(select(t.source_files.c.path, t.source_files.c["items"])).all())
    for source in sorted(set(recorded) | set(held)):
        if source not in recorded:
            out.append(Problem(source, None, None, "", f"{held[source]:,} items from a source the store has no "
                               "record of"))
        elif held.get(source, 0) != recorded[source]:
            out.append(Problem(source, None, None, "", f"the build wrote {recorded[source]:,} items, the store "
                               f"holds {held.get(source, 0):,}"))
    return out[:MAX_PER_CHECK]


def store_info(store: Any, *, top: int = 20) -> dict[str, Any]:
    """Counts per kind, the providers with most credentials and the build sources of a store.

    Parameters
    ----------
    store : CatalogueStore
        The store.
    top : int
        Providers listed (by credentials, then id).

    Returns
    -------
    dict
        ``name``, ``counts``, ``providers`` (``total`` and ``by_credentials``: the
        ``top`` providers as ``[id, name, country, credentials]``) and ``sources``
        (``[path, items, sha256]``, sorted by path).
    """
    counts = store.counts()
    c, p = t.credentials, t.providers
    with store._connect() as conn:
        n = func.count(c.c.id).label("n")
        rows = conn.execute(select(p.c.id, p.c.name, p.c.country, n).join(c, c.c.provider == p.c.id, isouter=True)
                            .group_by(p.c.id, p.c.name, p.c.country).order_by(n.desc(), p.c.id).limit(top)).all()
        sources = conn.execute(select(t.source_files.c.path, t.source_files.c["items"], t.source_files.c.sha256)
                               .order_by(t.source_files.c.path)).all()
    return {
        "name": store.meta.name,
        "counts": {"providers": counts["provider"], "competencies": counts["competency"],
                   "credentials": counts["credential"], "awards": counts["award"], "roles": counts["role"],
                   "recognitions": counts["recognition"]},
        "providers": {"total": counts["provider"],
                      "by_credentials": [[pid, name, country, int(k)] for pid, name, country, k in rows]},
        "sources": [[path, int(items), sha] for path, items, sha in sources],
    }
