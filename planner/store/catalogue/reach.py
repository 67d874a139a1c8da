"""Where can I get from here, on a folder's catalogue or a compiled one: candidates, searches, Dask.

:func:`run_reach` is the one entry the CLI, the app and the HTTP API call. On an in-memory
catalogue it is :func:`planner.engine.reach.reach`; on a compiled catalogue
(:class:`~planner.store.catalogue.CatalogueStore`) the candidate targets come from indexed
queries (:func:`store_candidates`, the same candidates
:func:`planner.engine.reach.candidate_targets` gives on the whole catalogue in memory) and
each target is searched on the small sub-catalogue it needs
(:meth:`~planner.store.catalogue.CatalogueStore.subcatalogue`), so a line is what
``planner recommend --target`` says on the same store.

Searches run in this process, or on Dask (:func:`planner.analysis.parallel.runner`) when
``scheduler`` says so; ``"auto"`` starts a local cluster only above :data:`DASK_THRESHOLD`
searches on a machine of at least :data:`DASK_MIN_CORES` cores, where starting workers
costs less than it saves. Workers
of a store open it themselves from its URL (the catalogue never travels).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import and_, func, select

from planner.analysis.parallel import Scheduler, runner
from planner.catalogue.models import Catalogue, LearnerProfile, Target
from planner.engine.reach import (
    Candidates,
    Progress,
    Reach,
    ReachEntry,
    ReachError,
    ReachOptions,
    candidate_targets,
    closeness,
    drive,
    evaluate,
    reach,
    reach_to_json,
    same_sector,
    scope_note,
)
from planner.engine.rules import holding_is_valid, latest_earned
from planner.engine.search import check_profile, plan_start
from planner.store.catalogue import schema as t
from planner.store.catalogue.collect import chunks
from planner.store.catalogue.reader import CatalogueStore, open_catalogue

__all__ = ["DASK_MIN_CORES", "DASK_THRESHOLD", "choose_scheduler", "reach_request", "run_reach", "store_candidates",
           "store_targets"]

#: ``scheduler="auto"``: above this many searches, and with at least :data:`DASK_MIN_CORES` cores, the
#: searches run on a local Dask cluster. On 2 cores a cluster loses: 720 searches on the 1.08M
#: store took 30 s serially and 50 s on a 2-worker LocalCluster (workers import the planner and
#: warm their own database cache, and share the cores with the scheduler and this process).
DASK_THRESHOLD = 400
#: The fewest cores on which ``"auto"`` starts a local cluster.
DASK_MIN_CORES = 4


def choose_scheduler(scheduler: Scheduler, searches: int, *, cores: int | None = None) -> Scheduler:
    """The scheduler to use: ``"auto"`` is serial unless the searches and the cores make a cluster pay.

    Parameters
    ----------
    scheduler : None, str or distributed.Client
        ``"auto"``, ``None``/``"none"`` (serial), ``"local"``, an address or a client; all but
        ``"auto"`` are used as given.
    searches : int
        Route searches to run (the candidates, plus as many again for the next step).
    cores : int, optional
        Cores of this machine (default ``os.cpu_count()``).

    Returns
    -------
    Scheduler
        What :func:`planner.analysis.parallel.runner` accepts.
    """
    if scheduler != "auto":
        return scheduler
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return "local" if searches > DASK_THRESHOLD and cores >= DASK_MIN_CORES else None


# --------------------------------------------------------------------------- candidate queries


def _in(conn: Any, query: Any, column: Any, ids: Iterable[str]) -> list[Any]:
    rows: list[Any] = []
    for chunk in chunks(set(ids)):
        rows.extend(conn.execute(query.where(column.in_(chunk))).all())
    return rows


def _role_query(options: ReachOptions) -> Any:
    """Roles within the sector and provider filters (a query of role ids)."""
    query = select(t.roles.c.id)
    if options.sector:
        query = query.where(func.lower(t.roles.c.sector) == options.sector.lower())
    if options.provider:
        # an essential need (its highest level per competency) taught at that level by one of P's credentials
        needs = (select(t.role_needs.c.role, t.role_needs.c.competency, func.max(t.role_needs.c.level).label("level"))
                 .where(t.role_needs.c.essential).group_by(t.role_needs.c.role, t.role_needs.c.competency).subquery())
        on_need = and_(t.teaches.c.competency == needs.c.competency, t.teaches.c.level >= needs.c.level)
        taught = (select(needs.c.role).distinct()
                  .join(t.teaches, on_need)
                  .join(t.credentials, t.credentials.c.id == t.teaches.c.credential)
                  .where(t.credentials.c.provider == options.provider))
        query = query.where(t.roles.c.id.in_(taught))
    return query


def _award_query(options: ReachOptions) -> Any:
    """Awards within the sector and provider filters (a query of credential ids)."""
    query = select(t.credentials.c.id).where(t.credentials.c.is_award)
    if options.sector:
        query = query.where(func.lower(t.credentials.c.sector) == options.sector.lower())
    if options.provider:
        query = query.where(t.credentials.c.provider == options.provider)
    return query


def _count(conn: Any, query: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def store_targets(conn: Any, options: ReachOptions) -> tuple[int, int]:
    """How many roles and awards are within the filters (two indexed counts)."""
    roles = _count(conn, _role_query(options)) if options.kind in (None, "role") else 0
    awards = _count(conn, _award_query(options)) if options.kind in (None, "award") else 0
    return roles, awards


def _learner(conn: Any, profile: LearnerProfile, options: ReachOptions) -> tuple[set[str], dict[str, int]]:
    """Valid holdings and known levels (declared, or taught by a valid holding), read by id."""
    today = plan_start(profile, options.today)
    earned = latest_earned(profile)
    held: set[str] = set()
    for cid, doc in _in(conn, select(t.credentials.c.id, t.credentials.c.doc), t.credentials.c.id, earned):
        if holding_is_valid(earned[cid], json.loads(doc).get("credit_validity_years"), today):
            held.add(cid)
    known: dict[str, int] = {}
    for cl in profile.competencies:
        known[cl.competency] = max(known.get(cl.competency, 0), cl.level)
    for comp, level in _in(conn, select(t.teaches.c.competency, t.teaches.c.level), t.teaches.c.credential, held):
        known[comp] = max(known.get(comp, 0), level)
    return held, {k: v for k, v in known.items() if v > 0}


def store_candidates(store: CatalogueStore, profile: LearnerProfile, options: ReachOptions) -> Candidates:
    """The targets to search on a compiled catalogue, by indexed queries (see the module docstring).

    Parameters
    ----------
    store : CatalogueStore
        An open compiled catalogue.
    profile, options
        The learner and the question.

    Returns
    -------
    Candidates
        Every target within the filters when they are at most ``options.exhaustive_limit``;
        else roles needing a competency the learner knows and awards counting a holding
        (named in their rules or recognised towards them), ordered by
        :func:`planner.engine.reach.closeness`, the first ``options.searches``.
    """
    with store.engine.connect() as conn:
        roles, awards = store_targets(conn, options)
        within = roles + awards
        if within <= options.exhaustive_limit:
            targets = [Target(kind="role", id=r) for (r,) in conn.execute(_role_query(options).order_by(t.roles.c.id))
                       ] if options.kind in (None, "role") else []
            if options.kind in (None, "award"):
                query = _award_query(options).order_by(t.credentials.c.source, t.credentials.c.pos)
                targets += [Target(kind="award", id=a) for (a,) in conn.execute(query)]
            return Candidates(tuple(targets), within, True)
        held, known = _learner(conn, profile, options)
        scored = _role_candidates(conn, options, known) if options.kind in (None, "role") else []
        if options.kind in (None, "award"):
            scored += _award_candidates(conn, options, held)
        if len(scored) < options.searches:
            scored += _same_sector(conn, options, held, scored)
    scored.sort(key=lambda item: item[0])
    return Candidates(tuple(target for _, target in scored[: options.searches]), within, False)


def _role_candidates(conn: Any, options: ReachOptions, known: dict[str, int]) -> list[tuple[Any, Target]]:
    """Roles within the filters needing a known competency, with their closeness."""
    query = select(t.role_needs.c.role).distinct().where(t.role_needs.c.role.in_(_role_query(options)))
    ids = {r for (r,) in _in(conn, query, t.role_needs.c.competency, known)}
    needs: dict[str, dict[str, int]] = {r: {} for r in ids}
    rows = _in(conn, select(t.role_needs.c.role, t.role_needs.c.competency, t.role_needs.c.level)
               .where(t.role_needs.c.essential), t.role_needs.c.role, ids)
    for role, comp, level in rows:
        needs[role][comp] = max(needs[role].get(comp, 0), level)
    out = []
    for role, wanted in needs.items():
        met = sum(1 for c, lv in wanted.items() if known.get(c, 0) >= lv)
        key = closeness(met / len(wanted) if wanted else 1.0, len(wanted) - met, f"role:{role}")
        out.append((key, Target(kind="role", id=role)))
    return out


def _award_candidates(conn: Any, options: ReachOptions, held: set[str]) -> list[tuple[Any, Target]]:
    """Awards within the filters naming a holding in their rules or recognising one, with their closeness."""
    allowed = _award_query(options)
    by_rules = select(t.award_components.c.award).distinct().where(t.award_components.c.award.in_(allowed))
    by_agreement = select(t.recognitions.c.award).distinct().where(t.recognitions.c.award.in_(allowed))
    ids = {a for (a,) in _in(conn, by_rules, t.award_components.c.credential, held)}
    ids |= {a for (a,) in _in(conn, by_agreement, t.recognitions.c.credential, held)}
    named: dict[str, set[str]] = {a: set() for a in ids}
    for award, cid in _in(conn, select(t.award_components.c.award, t.award_components.c.credential),
                          t.award_components.c.award, ids):
        named[award].add(cid)
    out = []
    for award, parts in named.items():
        have = len(parts & held)
        out.append((closeness(have / len(parts) if parts else 0.0, len(parts) - have, f"award:{award}"),
                    Target(kind="award", id=award)))
    return out


def _same_sector(conn: Any, options: ReachOptions, held: set[str],
                 scored: list[tuple[Any, Target]]) -> list[tuple[Any, Target]]:
    """The smallest other targets of the learner's sectors (of the holdings, else of the candidates)."""
    sectors = {s.lower() for (s,) in _in(conn, select(t.credentials.c.sector), t.credentials.c.id, held) if s}
    if not sectors:
        roles = [x.id for _, x in scored if x.kind == "role"]
        awards = [x.id for _, x in scored if x.kind == "award"]
        sectors = {s.lower() for (s,) in _in(conn, select(t.roles.c.sector), t.roles.c.id, roles) if s}
        sectors |= {s.lower() for (s,) in _in(conn, select(t.credentials.c.sector), t.credentials.c.id, awards) if s}
    if not sectors:
        return []
    taken = {str(x) for _, x in scored}
    limit = options.searches + len(taken)
    out: list[tuple[Any, Target]] = []
    if options.kind in (None, "role"):
        size = func.count(t.role_needs.c.competency.distinct())
        query = (select(t.roles.c.id, size)
                 .outerjoin(t.role_needs, and_(t.role_needs.c.role == t.roles.c.id, t.role_needs.c.essential))
                 .where(t.roles.c.id.in_(_role_query(options)), func.lower(t.roles.c.sector).in_(sorted(sectors)))
                 .group_by(t.roles.c.id).order_by(size, t.roles.c.id).limit(limit))
        out += [(same_sector(n, f"role:{r}"), Target(kind="role", id=r)) for r, n in conn.execute(query)]
    if options.kind in (None, "award"):
        size = func.count(t.award_components.c.credential)
        query = (select(t.credentials.c.id, size)
                 .outerjoin(t.award_components, t.award_components.c.award == t.credentials.c.id)
                 .where(t.credentials.c.id.in_(_award_query(options)),
                        func.lower(t.credentials.c.sector).in_(sorted(sectors)))
                 .group_by(t.credentials.c.id).order_by(size, t.credentials.c.id).limit(limit))
        out += [(same_sector(n, f"award:{a}"), Target(kind="award", id=a)) for a, n in conn.execute(query)]
    return [item for item in out if str(item[1]) not in taken]


# --------------------------------------------------------------------------- searches

_OPEN: dict[str, CatalogueStore] = {}


def _store_task(source: CatalogueStore | str, options: ReachOptions,
                task: tuple[Target, LearnerProfile]) -> ReachEntry:
    """One target on the store: its sub-catalogue, then the engine's :func:`~planner.engine.reach.evaluate`."""
    if isinstance(source, str):  # a worker process: open the store once, from its URL
        store = _OPEN.get(source)
        if store is None:
            store = _OPEN[source] = open_catalogue(source)
    else:
        store = source
    target, profile = task
    return evaluate(store.subcatalogue(profile, target), profile, target, options)


def run_reach(source: Catalogue | CatalogueStore, profile: LearnerProfile, options: ReachOptions | None = None, *,
              scheduler: Scheduler = "auto", progress: Progress | None = None) -> Reach:
    """Where can the learner get from here, on a catalogue in memory or a compiled one.

    Parameters
    ----------
    source : Catalogue or CatalogueStore
        A validated catalogue, or an open compiled catalogue.
    profile : LearnerProfile
        The learner.
    options : ReachOptions, optional
        Objective, filters, limits, time budget.
    scheduler : "auto", None, str or distributed.Client
        Where the searches run (:func:`choose_scheduler`).
    progress : callable, optional
        ``progress(phase, done, total)`` after each search.

    Returns
    -------
    Reach
        As :func:`planner.engine.reach.reach`; on a store, each line is what
        ``recommend`` says on the target's sub-catalogue.

    Raises
    ------
    planner.engine.problem.ProblemError
        When the profile names an id the catalogue lacks.
    planner.store.catalogue.StoreError
        When the store cannot be read.
    """
    options = options or ReachOptions()
    if isinstance(source, Catalogue):
        check_profile(source, profile)
        candidates = candidate_targets(source, profile, options)
        with runner(choose_scheduler(scheduler, 2 * len(candidates.targets))) as run:
            return reach(source, profile, options, candidates=candidates, mapper=run, progress=progress)
    candidates = store_candidates(source, profile, options)
    chosen = choose_scheduler(scheduler, 2 * len(candidates.targets))
    # in this process the open store is used; workers open it from its URL (password included)
    shared = source if chosen is None else source.engine.url.render_as_string(hide_password=False)
    with runner(chosen) as run:

        def evaluate_many(tasks: Sequence[tuple[Target, LearnerProfile]], phase: str) -> list[ReachEntry]:
            report = (lambda done, total: progress(phase, done, total)) if progress is not None else None
            return run.map(_store_task, list(tasks), common=(shared, options), progress=report)

        return drive(profile, options, candidates, evaluate_many, currency=source.meta.base_currency,
                     note=scope_note(candidates, options))


def reach_request(source: Catalogue | CatalogueStore, request: Mapping[str, Any], *, scheduler: Scheduler = "auto",
                  progress: Progress | None = None) -> dict[str, Any]:
    """One JSON question to one JSON answer: what an HTTP ``POST /reach`` takes and returns.

    Parameters
    ----------
    source : Catalogue or CatalogueStore
        Where the targets come from.
    request : mapping
        ``{"profile": …, "options": …}``: the learner as
        :class:`~planner.catalogue.models.LearnerProfile` JSON, and the options as
        :meth:`planner.engine.reach.ReachOptions.from_json` reads them (both optional).
    scheduler, progress
        As for :func:`run_reach`.

    Returns
    -------
    dict
        :func:`planner.engine.reach.reach_to_json` of the answer, with ``holdings`` as counted.

    Raises
    ------
    planner.engine.reach.ReachError
        For a request that is not an object, an unknown key, or bad options.
    pydantic.ValidationError
        For a profile that does not validate (every error located).
    """
    if not isinstance(request, Mapping):
        raise ReachError("the request must be a JSON object with 'profile' and 'options'")
    unknown = sorted(str(k)[:40] for k in request if k not in ("profile", "options"))
    if unknown:
        raise ReachError(f"unknown key {', '.join(unknown)}; a request has 'profile' and 'options'")
    profile = LearnerProfile.model_validate(request.get("profile") or {})
    options = ReachOptions.from_json(request.get("options") or {})
    result = run_reach(source, profile, options, scheduler=scheduler, progress=progress)
    return {**reach_to_json(result), "holdings": [h.model_dump(mode="json") for h in profile.holdings]}
