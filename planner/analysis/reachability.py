"""Role reachability: can each role be reached, at what cost and how fast, with whom.

Every role is searched twice with the route engine (:func:`planner.engine.routing.recommend`):

* **from zero**: an empty profile, no constraints;
* **from a typical starting profile**: what a newcomer to the role's sector usually
  brings. We define it as (a) level 1 (or the scale's minimum, if higher) in every
  *transversal* competency of the catalogue (communication, teamwork … which schools and
  work experience give), and (b) holding the sector's most common entry-level
  credential: among the credentials of the role's sector with no prerequisites, the one
  that most other credentials name as a prerequisite (ties: lowest EQF level, then id).
  Without a sector, or when no credential is named as a prerequisite, (b) is left out.

For each start the cheapest route (objective cost) and the fastest (objective time) are
reported with cost, duration and providers used. No search runs for the fastest route
when no cheapest route exists (both have the same feasibility), and the fastest-route
search can be left out (``fastest=False``) on large catalogues, where it is the slow part.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from planner.analysis._common import resolve_as_of
from planner.analysis.parallel import Progress, Scheduler, runner
from planner.catalogue.models import (
    Catalogue,
    CompetencyLevel,
    CompetencyType,
    Constraints,
    Holding,
    LearnerProfile,
    Objective,
    Role,
    Target,
)
from planner.engine.results import Recommendation

__all__ = [
    "TYPICAL_PROFILE_DEFINITION",
    "Engine",
    "ReachabilityResult",
    "RoleReach",
    "RouteSummary",
    "StartReach",
    "load_engine",
    "role_reachability",
    "typical_profile",
]

Engine = Callable[..., Recommendation]

TYPICAL_PROFILE_DEFINITION = (
    "level 1 in every transversal competency, and holding the sector's most common entry-level "
    "credential (the prerequisite-free credential of the role's sector that most others require)"
)


@dataclass(frozen=True)
class RouteSummary:
    """The best route of one search."""

    objective: str
    cost: float
    currency: str
    weeks: int
    hours: float
    ects: float
    credential_ids: tuple[str, ...]
    providers: tuple[str, ...]
    proved_optimal: bool


@dataclass(frozen=True)
class StartReach:
    """Reachability of a role from one starting profile."""

    reachable: bool | None  # None when the search could not run (no engine or an error)
    cheapest: RouteSummary | None = None
    fastest: RouteSummary | None = None
    reasons: tuple[str, ...] = ()  # why not reachable (engine diagnoses), or the error


@dataclass(frozen=True)
class RoleReach:
    """Reachability of one role."""

    role_id: str
    title: str
    sector: str | None
    from_zero: StartReach
    from_typical: StartReach
    typical_holdings: tuple[str, ...]
    typical_competencies: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ReachabilityResult:
    """Reachability of every role in scope, sorted by role id."""

    roles: tuple[RoleReach, ...]
    typical_definition: str
    engine_available: bool
    as_of: dt.date
    fastest_searched: bool = True

    @property
    def reachable_from_zero(self) -> int:
        """How many roles can be reached from an empty profile."""
        return sum(r.from_zero.reachable is True for r in self.roles)


def load_engine() -> Engine | None:
    """Return the route engine's ``recommend``, or ``None`` while it is not installed."""
    try:
        from planner.engine.routing import recommend
    except ImportError:
        return None
    return recommend


def _entry_credentials(catalogue: Catalogue) -> dict[str, str]:
    """Sector -> its most common entry-level credential (see module docstring)."""
    named = Counter(alt.credential for c in catalogue.credentials for g in c.requires for alt in g.any_of
                    if alt.credential is not None)
    best: dict[str, tuple[int, int, str]] = {}
    for cred in catalogue.credentials:
        if not cred.sector or cred.requires or cred.is_award or not named.get(cred.id):
            continue
        key = (-named[cred.id], cred.eqf_level or 9, cred.id)
        if cred.sector not in best or key < best[cred.sector]:
            best[cred.sector] = key
    return {sector: key[2] for sector, key in sorted(best.items())}


def typical_profile(catalogue: Catalogue, role: Role, *, as_of: dt.date | None = None,
                    _entry: dict[str, str] | None = None) -> LearnerProfile:
    """Build the typical starting profile for a role (defined in the module docstring)."""
    day = resolve_as_of(as_of)
    level = max(1, catalogue.meta.level_scale.min)
    comps = [CompetencyLevel(competency=c.id, level=level)
             for c in sorted(catalogue.competencies, key=lambda c: c.id)
             if c.type == CompetencyType.TRANSVERSAL]
    entry = (_entry if _entry is not None else _entry_credentials(catalogue)).get(role.sector or "")
    holdings = [Holding(credential=entry, earned=day - dt.timedelta(days=365))] if entry else []
    return LearnerProfile(name="typical starting profile", holdings=holdings, competencies=comps,
                          constraints=Constraints(start=day))


def summarise(rec: Recommendation, catalogue: Catalogue) -> RouteSummary | None:
    """Turn a recommendation's best route into a :class:`RouteSummary`."""
    route = rec.best
    if route is None:
        return None
    providers = sorted({s.provider_id for s in route.steps})
    return RouteSummary(
        objective=str(rec.objective), cost=route.total_cost, currency=route.currency, weeks=route.weeks,
        hours=route.total_hours, ects=route.total_ects, credential_ids=tuple(route.credential_ids),
        providers=tuple(providers), proved_optimal=route.proved_optimal,
    )


def _search(engine: Engine, catalogue: Catalogue, profile: LearnerProfile, target: Target,
            day: dt.date, fastest: bool, time_limit: float | None) -> StartReach:
    try:
        cheap = engine(catalogue, profile, target, objective=Objective.COST, alternatives=1, today=day)
    except Exception as exc:  # an engine failure on one role must not sink the whole report
        return StartReach(reachable=None, reasons=(f"route search failed: {type(exc).__name__}: {exc}",))
    if not cheap.feasible:
        return StartReach(reachable=False, reasons=tuple(d.message for d in cheap.diagnoses))
    if not fastest:
        return StartReach(reachable=True, cheapest=summarise(cheap, catalogue))
    extra = {"time_limit": time_limit} if time_limit is not None else {}
    try:
        fast = engine(catalogue, profile, target, objective=Objective.TIME, alternatives=1, today=day, **extra)
    except Exception as exc:
        return StartReach(reachable=True, cheapest=summarise(cheap, catalogue),
                          reasons=(f"fastest-route search failed: {type(exc).__name__}: {exc}",))
    return StartReach(reachable=True, cheapest=summarise(cheap, catalogue),
                      fastest=summarise(fast, catalogue))


def _role_task(catalogue: Catalogue, engine: Engine | None, day: dt.date, fastest: bool,
               time_limit: float | None, entry: dict[str, str], role_id: str) -> RoleReach:
    """Reachability of one role (one task; a pure function of its arguments)."""
    role = catalogue.role(role_id)
    zero = LearnerProfile(name="from zero", constraints=Constraints(start=day))
    typical = typical_profile(catalogue, role, as_of=day, _entry=entry)
    target = Target(kind="role", id=role.id)
    if engine is None:
        missing = StartReach(reachable=None, reasons=("the route engine is not available",))
        z = t = missing
    else:
        z = _search(engine, catalogue, zero, target, day, fastest, time_limit)
        # an empty typical profile is the zero profile: reuse the searches
        t = z if not (typical.holdings or typical.competencies) else _search(
            engine, catalogue, typical, target, day, fastest, time_limit)
    return RoleReach(
        role_id=role.id, title=role.title, sector=role.sector, from_zero=z, from_typical=t,
        typical_holdings=tuple(h.credential for h in typical.holdings),
        typical_competencies=tuple((c.competency, c.level) for c in typical.competencies),
    )


def role_reachability(
    catalogue: Catalogue,
    *,
    roles: list[str] | None = None,
    engine: Engine | None = None,
    as_of: dt.date | None = None,
    fastest: bool = True,
    time_limit: float | None = None,
    scheduler: Scheduler = None,
    progress: Progress | None = None,
    entry: Mapping[str, str] | None = None,
) -> ReachabilityResult:
    """Search routes to every role from zero and from a typical starting profile.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue.
    roles : list of str, optional
        Only these roles (default: all).
    engine : callable, optional
        ``recommend(catalogue, profile, target, *, objective, alternatives, today)``; default
        :func:`planner.engine.routing.recommend`. Without an engine every role is reported as
        not searched.
    as_of : datetime.date, optional
        Plan start date (default: today).
    fastest : bool
        Also search the fastest route (the time objective is much slower to solve than
        cost on large catalogues).
    time_limit : float, optional
        Seconds allowed per fastest-route search (the engine's default when ``None``); a
        route found within it but not proved optimal says so (``proved_optimal``).
    scheduler : None, str, distributed.Client or Runner
        Where the per-role searches run (:func:`planner.analysis.parallel.runner`): serially
        by default, ``"local"`` for a local Dask cluster, or a scheduler address.
    progress : callable, optional
        ``progress(done, total)`` as roles finish.
    entry : mapping, optional
        Sector -> most common entry-level credential, when ``catalogue`` is a part of a
        larger one whose choice it must be (default: computed from ``catalogue``).

    Returns
    -------
    ReachabilityResult
        One :class:`RoleReach` per role, sorted by role id.

    """
    day = resolve_as_of(as_of)
    engine = engine or load_engine()
    entry = dict(entry) if entry is not None else _entry_credentials(catalogue)
    wanted = [r.id for r in sorted(catalogue.roles, key=lambda r: r.id) if roles is None or r.id in roles]
    with runner(scheduler) as run:
        rows = run.map(_role_task, wanted, common=(catalogue, engine, day, fastest, time_limit, entry),
                       progress=progress)
    return ReachabilityResult(roles=tuple(rows), typical_definition=TYPICAL_PROFILE_DEFINITION,
                              engine_available=engine is not None, as_of=day, fastest_searched=fastest)
