"""What an institution analysis needs from a compiled catalogue: one provider's part, or all of a small one.

:func:`provider_scope` collects, by indexed queries, the sub-catalogue on which the
institution report for provider ``P`` (:func:`planner.report.build_report` with
``provider=P``) gives the answers the whole catalogue gives:

* P's credentials and awards, the credentials P's awards name, the awards that name P's
  credentials and the recognition agreements touching either (coverage, orphans);
* every credential teaching, at any level, a competency that P's credentials or its awards'
  components teach or that P's credentials require (duplicates, what-if candidates, the
  "taught at most at level …" of dead ends);
* the roles needing any competency those credentials teach, with the teachers of every
  competency they need (reachability, what-if targets, gaps), and the credentials that
  name P's credentials or their competencies as prerequisites (what each one unlocks);
* the prerequisite closure of all of it (the reader's one closure walk), so that who can
  earn what is decided as on the whole catalogue.

Three figures cannot come from a part and are read from the whole store instead: the
counts, each role sector's most common entry-level credential (the typical starting
profile) and every transversal competency. The roles the report considers are the scope's
roles (:attr:`AnalysisScope.roles`): on a folder, the same report with ``roles=`` those
roles is identical.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select

from planner.catalogue.models import Catalogue, CatalogueMeta, CompetencyType, rule_credentials
from planner.store.catalogue import schema as t
from planner.store.catalogue.collect import Collector, chunks, recognition_rows
from planner.store.catalogue.integrity import is_possible_id, parse_item

__all__ = ["MAX_WHOLE_CREDENTIALS", "AnalysisScope", "entry_credentials", "provider_scope", "report_counts",
           "whole_catalogue"]

#: A store with more credentials than this is never loaded whole: an analysis needs ``--provider``.
MAX_WHOLE_CREDENTIALS = 50_000


@dataclass(frozen=True)
class AnalysisScope:
    """The catalogue an analysis runs on, and the whole store's figures it needs besides.

    ``roles``, ``counts`` and ``entry_credentials`` are ``None`` when ``catalogue`` is the
    whole catalogue (the analyses then compute them themselves).
    """

    catalogue: Catalogue
    provider: str | None = None
    roles: tuple[str, ...] | None = None
    counts: dict[str, int] | None = None
    entry_credentials: dict[str, str] | None = None

    def report_kwargs(self) -> dict[str, Any]:
        """Keywords for :func:`planner.report.build_report` on :attr:`catalogue`."""
        return {"provider": self.provider, "roles": self.roles, "counts": self.counts,
                "entry_credentials": self.entry_credentials}


def report_counts(store_counts: dict[str, int]) -> dict[str, int]:
    """The store's :meth:`~planner.store.catalogue.CatalogueStore.counts` under the report's names.

    Parameters
    ----------
    store_counts : dict
        ``credential``, ``award``, ``provider``, ``competency``, ``role``, ``recognition``.

    Returns
    -------
    dict
        ``providers``, ``credentials``, ``awards``, ``competencies``, ``roles``, ``recognitions``.
    """
    return {"providers": store_counts["provider"], "credentials": store_counts["credential"],
            "awards": store_counts["award"], "competencies": store_counts["competency"],
            "roles": store_counts["role"], "recognitions": store_counts["recognition"]}


def whole_catalogue(conn: Any, meta: CatalogueMeta) -> Catalogue:
    """Every item of the store, credentials and agreements in the loader's order (small stores only).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        An open connection to the store.
    meta : CatalogueMeta
        The store's catalogue meta.

    Returns
    -------
    Catalogue
    """
    collector = Collector(conn)
    ids = [r[0] for r in conn.execute(select(t.credentials.c.id))]
    collector._load_credentials(ids)
    for row in conn.execute(recognition_rows()):
        collector.recognition(*row)
    roles = [parse_item("role", key, doc, conn.where) for key, doc in
             sorted(conn.execute(select(t.roles.c.id, t.roles.c.doc)).all())]
    every = [r[0] for r in conn.execute(select(t.competencies.c.id))]
    providers = [r[0] for r in conn.execute(select(t.providers.c.id))]
    return collector.catalogue(meta, roles, competencies=every, providers=providers)


def _column_in(conn: Any, column: Any, wanted: Any, ids: Iterable[str]) -> set[str]:
    """Values of ``wanted`` in rows whose ``column`` is one of ``ids`` (chunked indexed look-ups)."""
    out: set[str] = set()
    for chunk in chunks(set(ids)):
        out.update(r[0] for r in conn.execute(select(wanted).where(column.in_(chunk))) if r[0] is not None)
    return out


def entry_credentials(conn: Any, sectors: Iterable[str]) -> dict[str, str]:
    """Each sector's most common entry-level credential, over the whole store.

    The same choice as :func:`planner.analysis.reachability.typical_profile` makes on a
    whole catalogue: a credential of the sector, not an award, with no prerequisites,
    named as a prerequisite most often (ties: lowest EQF level, then id).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        An open connection to the store.
    sectors : iterable of str
        The sectors wanted (those of the roles analysed).

    Returns
    -------
    dict
        Sector -> credential id, for the sectors that have one.
    """
    sectors = sorted(set(sectors))
    if not sectors:
        return {}
    cred, req, own = t.credentials, t.requires, t.requires.alias("own")
    named = (select(cred.c.id, cred.c.sector, func.count().label("n"))
             .join(req, req.c.needs_credential == cred.c.id)
             .where(cred.c.sector.in_(sectors), cred.c.is_award.is_(False),
                    ~exists(select(own.c.credential).where(own.c.credential == cred.c.id)))
             .group_by(cred.c.id, cred.c.sector))
    most: dict[str, tuple[int, list[str]]] = {}
    for cid, sector, n in conn.execute(named):
        best = most.get(sector)
        if best is None or n > best[0]:
            most[sector] = (n, [cid])
        elif n == best[0]:
            best[1].append(cid)
    out = {}
    for sector, (_, ids) in sorted(most.items()):
        collector = Collector(conn)
        creds = collector._load_credentials(ids)
        out[sector] = min(creds, key=lambda c: (c.eqf_level or 9, c.id)).id
    return out


def _transversal(conn: Any) -> list[str]:
    # no column holds the type: the stored JSON is a prefilter, the model decides
    rows = conn.execute(select(t.competencies.c.id, t.competencies.c.doc)
                        .where(t.competencies.c.doc.like('%"type":"transversal"%')))
    found = (parse_item("competency", key, doc, conn.where) for key, doc in rows)
    return sorted(c.id for c in found if c.type == CompetencyType.TRANSVERSAL)


def provider_scope(conn: Any, meta: CatalogueMeta, provider: str, counts: dict[str, int]) -> AnalysisScope:
    """Collect provider ``provider``'s analysis sub-catalogue (see the module docstring).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        An open connection to the store.
    meta : CatalogueMeta
        The store's catalogue meta.
    provider : str
        The provider's id.
    counts : dict
        The whole store's :meth:`~planner.store.catalogue.CatalogueStore.counts`.

    Returns
    -------
    AnalysisScope

    Raises
    ------
    KeyError
        When the store has no such provider.
    """
    if not is_possible_id(provider) or \
            conn.execute(select(t.providers.c.id).where(t.providers.c.id == provider)).first() is None:
        raise KeyError(provider)
    collector = Collector(conn)
    own_ids = [r[0] for r in conn.execute(select(t.credentials.c.id).where(t.credentials.c.provider == provider))]
    own = collector._load_credentials(own_ids)
    components = {m for c in own if c.award is not None for m in rule_credentials(c.award.rule)}
    collector._load_credentials(components)
    skills = {x.competency for c in own for x in c.teaches}
    skills |= {x.competency for m in components if m in collector.creds for x in collector.creds[m][2].teaches}
    prereq_skills = {a.competency for c in own for g in c.requires for a in g.any_of if a.competency}
    # roles needing what these credentials teach, and what those roles need
    role_ids = _column_in(conn, t.role_needs.c.competency, t.role_needs.c.role, skills)
    roles = [parse_item("role", key, doc, conn.where) for key, doc in sorted(
        r for chunk in chunks(role_ids) for r in conn.execute(
            select(t.roles.c.id, t.roles.c.doc).where(t.roles.c.id.in_(chunk))))]
    needs: dict[str, int] = {}
    for role in roles:
        for need in role.needs:
            needs[need.competency] = min(needs.get(need.competency, 1 << 30), need.level)
    # awards and agreements that count P's credentials
    seeds = set(own_ids) | components
    seeds |= _column_in(conn, t.award_components.c.credential, t.award_components.c.award, own_ids)
    for chunk in chunks(own_ids):
        for row in conn.execute(recognition_rows().where(t.recognitions.c.credential.in_(chunk))):
            collector.recognition(*row)
            seeds.add(collector.recs[row[0]][2].award)
    # every teacher (level 0: any level) of these competencies, and the roles' teachers at their levels
    wanted = dict(needs)
    for comp in skills | prereq_skills:
        wanted[comp] = 0
    collector._walk(seeds, wanted)
    # shown but not expanded: what P's credentials unlock, the best teacher of a role need taught too low,
    # and each sector's entry-level credential
    leaves = _column_in(conn, t.requires.c.needs_credential, t.requires.c.credential, own_ids)
    leaves |= _column_in(conn, t.requires.c.needs_competency, t.requires.c.credential, skills)
    leaves |= collector._best_teachers(needs)
    entry = entry_credentials(conn, {r.sector for r in roles if r.sector})
    leaves |= set(entry.values())
    collector._load_credentials(leaves)
    catalogue = collector.catalogue(meta, roles, competencies=_transversal(conn), providers={provider})
    return AnalysisScope(catalogue=catalogue, provider=provider, roles=tuple(r.id for r in roles),
                         counts=report_counts(counts), entry_credentials=dict(entry))
