"""Collect a sub-catalogue from a compiled store: batched, indexed queries to a fixpoint.

The reader (one question's catalogue) and the analysis scope (a provider's catalogue) both
walk the store with :class:`Collector`; this module is theirs alone, so neither imports the
other. It reads through a :class:`~planner.store.catalogue.integrity.CheckedConnection`, and
every stored item through :func:`~planner.store.catalogue.integrity.parse_item`: a row that
is not what the build wrote stops the walk with "rebuild it".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from planner.catalogue.models import (
    Catalogue,
    CatalogueMeta,
    Credential,
    LearnerProfile,
    RecognitionAgreement,
    Role,
    Target,
    rule_credentials,
)
from planner.store.catalogue import schema as t
from planner.store.catalogue.integrity import CheckedConnection, parse_item

__all__ = ["CHUNK", "Collector", "chunks", "recognition_rows"]

#: Ids per ``IN (…)`` query (well under SQLite's bound-parameter limit).
CHUNK = 500


def chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    """The sorted ids in lists of at most :data:`CHUNK`."""
    items = sorted(ids)
    for k in range(0, len(items), CHUNK):
        yield items[k:k + CHUNK]


def recognition_rows() -> Any:
    """The columns :meth:`Collector.recognition` takes, in its order."""
    r = t.recognitions
    return select(r.c.id, r.c.source, r.c.pos, r.c.doc, r.c.award, r.c.credential)


class Collector:
    """One sub-catalogue collection: batched, iterative queries to a fixpoint.

    Parameters
    ----------
    conn : CheckedConnection
        A checked read connection to the store.
    """

    def __init__(self, conn: CheckedConnection) -> None:
        self.conn = conn
        self.where = conn.where
        self.creds: dict[str, tuple[str, int, Credential]] = {}  # id -> (source, pos, model)
        self.leaves: set[str] = set()  # included but not expanded
        self.asked: dict[str, int] = {}  # competency -> lowest level already asked for
        self.awards_done: set[str] = set()
        self.recs: dict[str, tuple[str, int, RecognitionAgreement]] = {}

    def _load_credentials(self, ids: Iterable[str]) -> list[Credential]:
        out = []
        want = [i for i in set(ids) if i not in self.creds]
        for chunk in chunks(want):
            c = t.credentials
            rows = self.conn.execute(select(c.c.id, c.c.source, c.c.pos, c.c.doc, c.c.provider, c.c.is_award)
                                     .where(c.c.id.in_(chunk))).all()
            for cid, source, pos, doc, provider, is_award in rows:
                # provider and is_award are what the store's indexed queries select by
                model = parse_item("credential", cid, doc, self.where,
                                   {"provider": provider, "is_award": bool(is_award)})
                self.creds[cid] = (source, pos, model)
                out.append(model)
        return out

    def recognition(self, rid: str, source: str, pos: int, doc: str, award: str, credential: str) -> None:
        """Keep one stored recognition agreement (its award and credential columns are what it is found by)."""
        agreement = parse_item("recognition", rid, doc, self.where, {"award": award, "credential": credential})
        self.recs[rid] = (source, pos, agreement)

    def _teachers(self, wanted: dict[str, int]) -> set[str]:
        """Credentials teaching each competency at its level or above (only what was not asked before)."""
        by_level: dict[int, list[str]] = defaultdict(list)
        for comp, level in wanted.items():
            if level < self.asked.get(comp, 1 << 30):
                self.asked[comp] = level
                by_level[level].append(comp)
        found: set[str] = set()
        for level, comps in by_level.items():
            for chunk in chunks(comps):
                rows = self.conn.execute(select(t.teaches.c.credential).where(
                    t.teaches.c.competency.in_(chunk), t.teaches.c.level >= level)).all()
                found.update(r[0] for r in rows)
        return found

    def _agreements(self, awards: Iterable[str]) -> set[str]:
        new = [a for a in set(awards) if a not in self.awards_done]
        self.awards_done.update(new)
        out: set[str] = set()
        for chunk in chunks(new):
            for row in self.conn.execute(recognition_rows().where(t.recognitions.c.award.in_(chunk))):
                self.recognition(*row)
                out.add(self.recs[row[0]][2].credential)
        return out

    def _walk(self, seeds: set[str], needs: dict[str, int]) -> None:
        expanded: set[str] = set()
        frontier = set(seeds) | self._teachers(needs)
        while frontier:
            self._load_credentials(frontier)
            todo = [c for c in frontier if c in self.creds and c not in expanded]
            expanded.update(todo)
            nxt: set[str] = set()
            wanted: dict[str, int] = {}
            awards = []
            for cid in todo:
                cred = self.creds[cid][2]
                for group in cred.requires:
                    for alt in group.any_of:
                        if alt.credential is not None:
                            nxt.add(alt.credential)
                        elif alt.competency is not None and alt.level is not None:
                            wanted[alt.competency] = min(wanted.get(alt.competency, 1 << 30), alt.level)
                if cred.award is not None:
                    nxt.update(rule_credentials(cred.award.rule))
                    awards.append(cid)
            nxt |= self._teachers(wanted)
            nxt |= self._agreements(awards)
            frontier = nxt - expanded

    def collect(self, profile: LearnerProfile, target: Target, credit_award: str | None,
                meta: CatalogueMeta) -> Catalogue:
        """The sub-catalogue one question needs: the target's teachers, rules and their closure."""
        role, needs = self.walk_target(target, credit_award)
        return self.for_profile(profile, role, needs, meta)

    def walk_target(self, target: Target, credit_award: str | None) -> tuple[Role | None, dict[str, int]]:
        """Collect what the target needs, whoever asks: ``(the role or None, competency -> level needed)``.

        This part depends on the target and ``credit_award`` only (the walk ignores the
        learner), so a reader may keep it and finish it for each learner with
        :meth:`for_profile`.
        """
        conn = self.conn
        needs: dict[str, int] = {}
        role = None
        seeds: set[str] = set()
        if target.kind == "role" and target.id:
            row = conn.execute(select(t.roles.c.doc).where(t.roles.c.id == target.id)).first()
            if row is not None:
                role = parse_item("role", target.id, row[0], self.where)
                for need in role.needs:
                    needs[need.competency] = min(needs.get(need.competency, 1 << 30), need.level)
        elif target.kind == "competencies":
            for cl in target.competencies:
                needs[cl.competency] = min(needs.get(cl.competency, 1 << 30), cl.level)
        elif target.id:
            seeds.add(target.id)
        if credit_award:
            seeds.add(credit_award)
        self._walk(seeds, needs)
        self._load_credentials(self._best_teachers(needs))  # for "the highest level taught is …" in diagnoses
        return role, needs

    @staticmethod
    def profile_extras(profile: LearnerProfile) -> tuple[set[str], set[str], set[str]]:
        """What a learner adds to a target's collection: (credentials, competencies, providers).

        The engine checks the ids a profile names (unknown ids) and reads held credit, so
        the credentials it holds or avoids, its competencies and avoided providers are in
        its sub-catalogue.
        """
        return ({h.credential for h in profile.holdings} | set(profile.constraints.avoid_credentials),
                {c.competency for c in profile.competencies}, set(profile.constraints.avoid_providers))

    def for_profile(self, profile: LearnerProfile, role: Role | None, needs: dict[str, int],
                    meta: CatalogueMeta) -> Catalogue:
        """Finish a walked target's collection for one learner (see :meth:`profile_extras`)."""
        credentials, competencies, providers = self.profile_extras(profile)
        self._load_credentials(credentials)
        return self.catalogue(meta, [role] if role is not None else [], competencies=set(needs) | competencies,
                              providers=providers)

    def copy(self, conn: CheckedConnection) -> Collector:
        """An independent collector holding what this one collected, reading through ``conn``."""
        other = Collector(conn)
        other.creds, other.recs = dict(self.creds), dict(self.recs)
        other.leaves, other.asked, other.awards_done = set(self.leaves), dict(self.asked), set(self.awards_done)
        return other

    def catalogue(self, meta: CatalogueMeta, roles: list[Role], *, competencies: Iterable[str] = (),
                  providers: Iterable[str] = ()) -> Catalogue:
        """The catalogue of everything collected, credentials and agreements in the loader's order.

        It holds every competency and provider they name, plus the ``competencies`` and
        ``providers`` given.
        """
        creds = [c for _, _, c in sorted(self.creds.values(), key=lambda v: (v[0], v[1]))]
        recs = [a for _, _, a in sorted(self.recs.values(), key=lambda v: (v[0], v[1]))]
        comp_ids = set(competencies) | {n.competency for r in roles for n in r.needs}
        for cred in creds:
            comp_ids.update(x.competency for x in cred.teaches)
            comp_ids.update(a.competency for g in cred.requires for a in g.any_of if a.competency)
        provider_ids = {c.provider for c in creds} | {a.provider for a in recs} | set(providers)
        return Catalogue.model_validate({
            "meta": meta,
            "providers": self._docs(t.providers, provider_ids),
            "competencies": self._docs(t.competencies, comp_ids),
            "credentials": creds,
            "roles": roles,
            "recognitions": recs,
        })

    def _best_teachers(self, needs: dict[str, int]) -> set[str]:
        """One credential teaching each needed competency at its highest level, when below the need."""
        out: set[str] = set()
        for chunk in chunks(needs):
            rows = self.conn.execute(select(t.teaches.c.competency, func.max(t.teaches.c.level))
                                     .where(t.teaches.c.competency.in_(chunk))
                                     .group_by(t.teaches.c.competency)).all()
            for comp, best in rows:
                if best < needs[comp]:
                    row = self.conn.execute(select(t.teaches.c.credential).where(
                        t.teaches.c.competency == comp, t.teaches.c.level == best).limit(1)).first()
                    if row:
                        out.add(row[0])
        return out

    def _docs(self, table: Any, ids: Iterable[str]) -> list[Any]:
        out = []
        kind = "provider" if table is t.providers else "competency"
        for chunk in chunks(ids):
            rows = self.conn.execute(select(table.c.id, table.c.doc).where(table.c.id.in_(chunk))).all()
            out.extend(parse_item(kind, key, doc, self.where) for key, doc in sorted(rows))
        return out
