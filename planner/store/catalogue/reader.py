"""Answer questions from a compiled catalogue without loading it.

:meth:`CatalogueStore.subcatalogue` collects, by indexed queries, exactly what one route
question can touch: the credentials teaching the target's competencies at the needed
level, the target award and every credential its rules name, the recognition agreements
of every award reached, and the prerequisite closure of all of these (credentials named
as prerequisites and everything teaching a prerequisite competency at its level). The
walk ignores the learner (every group taken as unmet, every agreement whatever its
dates), so it is a superset of what :func:`planner.problem.build_problem` walks, and every
"who teaches k at level ≥ l" question that walk asks is answered here in full. The small
in-memory :class:`~planner.catalogue.models.Catalogue` built from it therefore gives the unchanged
engine the same answers as the whole catalogue would.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from planner.catalogue.models import Catalogue, CatalogueMeta, LearnerProfile, Provider, Role, Target
from planner.engine.results import Recommendation
from planner.store.catalogue import fulltext
from planner.store.catalogue import schema as t
from planner.store.catalogue.collect import Collector
from planner.store.catalogue.engine import StoreError, check_format, open_engine
from planner.store.catalogue.integrity import CheckedConnection, check_model, is_possible_id, parse_item, reading
from planner.store.catalogue.rows import KINDS
from planner.store.urls import mask_url

__all__ = ["GENERATION_SECONDS", "KEPT_CREDENTIALS", "KEPT_TARGETS", "MAX_PAGE", "MAX_PAGE_SIZE", "CatalogueStore",
           "ScopeTooLarge", "SearchHit", "SearchPage", "open_catalogue"]

#: Largest page a search returns.
MAX_PAGE_SIZE = 200
#: Highest page number asked for (its offset stays far inside a 64-bit integer on every backend).
MAX_PAGE = 10_000_000
#: Target walks an open store keeps for :meth:`CatalogueStore.subcatalogue`.
KEPT_TARGETS = 512
#: ... and at most this many credentials in all of them.
KEPT_CREDENTIALS = 200_000
#: A write to the store is seen by an open store's kept walks at most this many seconds later.
GENERATION_SECONDS = 1.0
#: Longest search text accepted (characters).
MAX_QUERY_CHARS = 200

_TABLES = KINDS


@dataclass(frozen=True)
class SearchHit:
    """One search result: what it is, its id and title."""

    kind: str
    id: str
    title: str
    is_award: bool


@dataclass(frozen=True)
class SearchPage:
    """One page of search results and how many there are in all."""

    hits: tuple[SearchHit, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.page_size))


class ScopeTooLarge(StoreError):
    """The whole store was asked for but is above the limit: ask for one provider's part."""

    def __init__(self, credentials: int, limit: int) -> None:
        super().__init__(f"pass --provider (the store has {credentials:,} credentials; "
                         f"a whole store is analysed up to {limit:,})")
        self.credentials = credentials
        self.limit = limit


@dataclass(frozen=True)
class _Walk:
    """One target's walk, kept by an open store: never changed once made (copied to be extended)."""

    collector: Collector
    role: Role | None
    needs: dict[str, int]
    catalogue: Catalogue  # for a learner who adds nothing to it
    competencies: frozenset[str]
    providers: frozenset[str]


class CatalogueStore:
    """A compiled catalogue opened for reading. Build one with :func:`open_catalogue`."""

    def __init__(self, engine: Engine) -> None:
        self._kept: OrderedDict[tuple[Any, ...], _Walk] = OrderedDict()  # target walks, least recent first
        self._kept_lock = threading.Lock()
        self._kept_generation: str | None = None
        self._kept_credentials = 0
        self._kept_checked = -math.inf  # when the generation token was last read (time.monotonic)
        check_format(engine)  # the format and every table, index and full-text object: cheap, at open
        self.engine = engine
        self.url = mask_url(engine.url)  # the password hidden: what every message says
        with self._connect() as conn:
            row = conn.execute(select(t.store_meta.c.value).where(t.store_meta.c.key == "catalogue_meta")).first()
        self.meta = check_model(self.url, "store_meta[catalogue_meta]", CatalogueMeta, row[0]) if row \
            else CatalogueMeta()

    def _connect(self) -> Any:
        """A checked read connection (:mod:`planner.store.catalogue.integrity`), as a context manager."""
        return reading(self.engine, self.url)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # ------------------------------------------------------------------ look-ups

    def counts(self) -> dict[str, int]:
        """Number of items of each kind, plus ``awards``."""
        with self._connect() as conn:
            out = {kind: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                   for kind, (table, _) in _TABLES.items()}
            out["award"] = int(conn.execute(select(func.count()).select_from(t.credentials)
                                            .where(t.credentials.c.is_award)).scalar_one())
        return out

    def get(self, kind: str, item_id: str) -> Any:
        """The validated item of ``kind`` with this id, or ``None``.

        Parameters
        ----------
        kind : str
            ``credential``, ``role``, ``competency``, ``provider`` or ``recognition``.
        item_id : str
            Its id.
        """
        if kind not in _TABLES:
            raise ValueError(f"unknown kind {kind!r}; one of {', '.join(_TABLES)}")
        if not is_possible_id(item_id):
            return None  # no item has it (and a NUL byte would be a raw error on PostgreSQL)
        table, _ = _TABLES[kind]
        with self._connect() as conn:
            row = conn.execute(select(table.c.doc).where(table.c.id == item_id)).first()
        return parse_item(kind, item_id, row[0], self.url) if row else None

    def search(self, text: str, page: int = 1, page_size: int = 20, *,
               kinds: tuple[str, ...] = ("credential", "role"), awards_only: bool = False) -> SearchPage:
        """Full-text search, one page at a time (never the whole catalogue).

        Parameters
        ----------
        text : str
            Words to find (each as a prefix); empty lists everything of ``kinds`` by id.
        page : int
            1-based page number.
        page_size : int
            Results per page, 1 to :data:`MAX_PAGE_SIZE`.
        kinds : tuple of str
            ``credential`` and/or ``role``.
        awards_only : bool
            Only credentials that carry award rules (roles are unaffected): the possible targets.

        Returns
        -------
        SearchPage
        """
        if len(text) > MAX_QUERY_CHARS:
            raise ValueError(f"search text is {len(text)} characters; the limit is {MAX_QUERY_CHARS}")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1–{MAX_PAGE_SIZE}, got {page_size}")
        _check_page(page)
        bad = [k for k in kinds if k not in ("credential", "role")]
        if bad or not kinds:
            raise ValueError(f"kinds must be credential and/or role, got {kinds}")
        with self._connect() as conn:
            total, rows = fulltext.match(conn, text, kinds=tuple(kinds), awards_only=awards_only,
                                         offset=(page - 1) * page_size, limit=page_size)
        return SearchPage(tuple(SearchHit(*r) for r in rows), total, page, page_size)

    def search_providers(self, text: str, page: int = 1, page_size: int = 20) -> SearchPage:
        """Providers whose id or name contains every word of ``text``, by id, one page at a time.

        Parameters
        ----------
        text : str
            Words to find anywhere in the id or name (case-insensitive); empty lists every provider.
        page, page_size : int
            As for :meth:`search`.

        Returns
        -------
        SearchPage
            Hits of kind ``provider`` with the provider's name as title.
        """
        if len(text) > MAX_QUERY_CHARS:
            raise ValueError(f"search text is {len(text)} characters; the limit is {MAX_QUERY_CHARS}")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1–{MAX_PAGE_SIZE}, got {page_size}")
        _check_page(page)
        p = t.providers
        where = []
        for word in text.replace("\x00", " ").lower().split():  # NUL: a separator, as in search()
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append(func.lower(p.c.id).like(pattern, escape="\\")
                         | func.lower(p.c.name).like(pattern, escape="\\"))
        with self._connect() as conn:
            total = int(conn.execute(select(func.count()).select_from(p).where(*where)).scalar_one())
            rows = conn.execute(select(p.c.id, p.c.name).where(*where).order_by(p.c.id)
                                .offset((page - 1) * page_size).limit(page_size)).all()
        return SearchPage(tuple(SearchHit("provider", pid, name, False) for pid, name in rows), total, page,
                          page_size)

    def providers_with_issuers(self) -> list[Provider]:
        """Every provider that lists Open Badges issuers: the catalogue's trust list.

        Read whole (providers are few next to credentials): a credential's issuer is
        confirmed against every key the catalogue trusts, whichever question is asked.
        """
        with self._connect() as conn:
            rows = conn.execute(select(t.providers.c.doc).order_by(t.providers.c.id)).all()
        out = []
        for (doc,) in rows:
            provider = Provider.model_validate(json.loads(doc))
            if provider.issuers:
                out.append(provider)
        return out

    # ------------------------------------------------------------------ sub-catalogue

    def subcatalogue(self, profile: LearnerProfile, target: Target, *, credit_award: str | None = None) -> Catalogue:
        """The small catalogue holding everything a route question for ``target`` can touch.

        What the target needs does not depend on who asks, so an open store keeps each
        target's walk (up to :data:`KEPT_TARGETS` targets and :data:`KEPT_CREDENTIALS`
        credentials, least recently asked dropped first) and finishes it for each learner.
        Every write to the store replaces its generation token (``store_meta``), read at
        most every :data:`GENERATION_SECONDS`; walks kept under another token are thrown
        away, so a rebuilt store is read afresh within that time.

        Parameters
        ----------
        profile : LearnerProfile
            Its holdings, competencies and avoided ids are included so that the engine's
            checks (unknown ids, held credit) see them.
        target : Target
            A role, an award or competencies with levels.
        credit_award : str, optional
            An award whose credit is measured: its rules and agreements are walked too.

        Returns
        -------
        Catalogue
            Built with ``model_validate`` from the stored items (no cross-reference check:
            the store was validated when it was built). Catalogues are immutable, so one
            may be shared by the questions that need exactly the same items.
        """
        with self._connect() as conn:
            walked = self._walked(conn, target, credit_award)
            credentials, competencies, providers = Collector.profile_extras(profile)
            if (credentials <= walked.collector.creds.keys() and competencies <= walked.competencies
                    and providers <= walked.providers):
                return walked.catalogue  # the learner adds nothing to what the target needs
            return walked.collector.copy(conn).for_profile(profile, walked.role, walked.needs, self.meta)

    def _walked(self, conn: CheckedConnection, target: Target, credit_award: str | None) -> _Walk:
        """The target's walk: kept, or done now and kept."""
        now = time.monotonic()
        if now - self._kept_checked >= GENERATION_SECONDS:
            row = conn.execute(select(t.store_meta.c.value).where(t.store_meta.c.key == t.GENERATION)).first()
            generation = row[0] if row else None
            self._kept_checked = now
        else:  # looked at less than GENERATION_SECONDS ago: no database round trip per question
            generation = self._kept_generation
        key = (target.kind, target.id, tuple((c.competency, c.level) for c in target.competencies), credit_award)
        with self._kept_lock:
            if generation != self._kept_generation:
                self._kept.clear()
                self._kept_generation = generation
                self._kept_credentials = 0
            walked = self._kept.get(key)
            if walked is not None:
                self._kept.move_to_end(key)
                return walked
        collector = Collector(conn)
        role, needs = collector.walk_target(target, credit_award)
        base = collector.catalogue(self.meta, [role] if role is not None else [], competencies=set(needs))
        walked = _Walk(collector, role, needs, base, frozenset(c.id for c in base.competencies),
                       frozenset(p.id for p in base.providers))
        with self._kept_lock:
            if generation == self._kept_generation and key not in self._kept:
                self._kept[key] = walked
                self._kept_credentials += len(collector.creds)
                while self._kept and (len(self._kept) > KEPT_TARGETS or self._kept_credentials > KEPT_CREDENTIALS):
                    _, dropped = self._kept.popitem(last=False)
                    self._kept_credentials -= len(dropped.collector.creds)
        return walked

    def around(self, credential_id: str) -> Catalogue:
        """A small catalogue to show one credential: it, its provider, prerequisites and competencies.

        Raises
        ------
        KeyError
            When no credential has this id.
        """
        if not is_possible_id(credential_id):
            raise KeyError(credential_id)
        with self._connect() as conn:
            collector = Collector(conn)
            found = collector._load_credentials([credential_id])
            if not found:
                raise KeyError(credential_id)
            cred = found[0]
            collector._load_credentials(a.credential for g in cred.requires for a in g.any_of if a.credential)
            creds = [c for _, _, c in collector.creds.values()]
            comps = {x.competency for x in cred.teaches} | {
                a.competency for g in cred.requires for a in g.any_of if a.competency}
            return Catalogue.model_validate({
                "meta": self.meta, "credentials": creds,
                "providers": collector._docs(t.providers, {c.provider for c in creds}),
                "competencies": collector._docs(t.competencies, comps),
            })

    def analysis_scope(self, provider: str | None = None, *, max_credentials: int | None = None) -> Any:
        """What an institution analysis runs on: one provider's part, or the whole (small) store.

        Parameters
        ----------
        provider : str, optional
            Collect this provider's analysis sub-catalogue by indexed queries
            (:func:`planner.store.catalogue.scope.provider_scope`).
        max_credentials : int, optional
            Without ``provider``, load the whole store only up to this many credentials
            (default :data:`planner.store.catalogue.scope.MAX_WHOLE_CREDENTIALS`).

        Returns
        -------
        AnalysisScope
            The catalogue and the whole store's figures the report needs besides.

        Raises
        ------
        ScopeTooLarge
            Without ``provider``, when the store has more credentials than the limit.
        KeyError
            When no provider has this id.
        """
        from planner.store.catalogue import scope

        limit = scope.MAX_WHOLE_CREDENTIALS if max_credentials is None else max_credentials
        counts = self.counts()
        with self._connect() as conn:
            if provider is not None:
                return scope.provider_scope(conn, self.meta, provider, counts)
            if counts["credential"] > limit:
                raise ScopeTooLarge(counts["credential"], limit)
            return scope.AnalysisScope(scope.whole_catalogue(conn, self.meta))

    def closure(self, credential_ids: Iterable[str], *, roles: Iterable[str] = ()) -> Catalogue:
        """A catalogue holding these credentials with everything they require and name (prerequisite closure).

        Parameters
        ----------
        credential_ids : iterable of str
            The credentials.
        roles : iterable of str
            Roles to include too (with the competencies they need), e.g. a route's target.

        Raises
        ------
        KeyError
            Naming the ids no credential (or role) has.
        """
        ids = set(credential_ids)
        impossible = sorted(str(i) for i in ids if not is_possible_id(i))
        if impossible:
            raise KeyError(", ".join(impossible))
        with self._connect() as conn:
            collector = Collector(conn)
            collector._walk(ids, {})
            found = [self.get("role", r) for r in sorted(set(roles))]
            missing = sorted(ids - set(collector.creds)) + [r for r, role in zip(sorted(set(roles)), found,
                                                                                 strict=True) if role is None]
            if missing:
                raise KeyError(", ".join(missing))
            return collector.catalogue(self.meta, found)

    def recommend(self, profile: LearnerProfile, target: Target, **kwargs: Any) -> Recommendation:
        """:func:`planner.engine.routing.recommend` on :meth:`subcatalogue` (same keywords)."""
        from planner.engine.routing import recommend

        catalogue = self.subcatalogue(profile, target, credit_award=kwargs.get("credit_award"))
        return recommend(catalogue, profile, target, **kwargs)


def _check_page(page: int) -> None:
    if not 1 <= page <= MAX_PAGE:
        raise ValueError(f"page must be 1–{MAX_PAGE:,}, got {page}")


def open_catalogue(url: str) -> CatalogueStore:
    """Open a compiled catalogue for reading.

    Parameters
    ----------
    url : str
        ``sqlite:///file.db``, an SQLite file path, or ``postgresql://…``.

    Returns
    -------
    CatalogueStore

    Raises
    ------
    StoreError
        When it is not a compiled catalogue, or one of another format ("rebuild it").
    """
    engine = open_engine(url)
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and not Path(database).is_file():
        engine.dispose()  # reading must never create an empty database
        raise StoreError(f"{database}: no such compiled catalogue; build it with "
                         "'planner catalogue build DIR --into URL'")
    return CatalogueStore(engine)
