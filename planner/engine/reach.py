"""Where can I get from here? Every role and award ranked by the objective of its best route.

Method
------
Each target (role or award, within the filters) gets one
:func:`planner.engine.routing.recommend` call with the learner's profile, one route, the
objective and the time budget ``planner recommend --target`` uses. Its best route's figures
(cost, weeks, hours, steps, proof) are taken unchanged: a target's line here is exactly what
``recommend`` says of it. Reachable targets are ranked by the objective's measure (cost,
weeks or study hours) of their best route, then by cost, weeks, hours, number of steps and
id; targets already reached and unreachable ones (with the diagnosis in one line) are
listed apart.

Next best step
--------------
Among the top ``N`` reachable targets, a credential is a *first step* of a target's best
route when it is on that route, is not an award, and can start now: each of its
prerequisite groups is met by valid holdings or known levels
(:func:`planner.engine.rules.group_met_at_start`). The next best step is the first step on
the best routes of the most of those targets (ties: the smaller own measure, then the
id). Its effect is exact: each of the ``N`` targets is searched again with the step held
(earned on the plan's day zero), and the totals of the measure before and after are
reported with every target's figures.

At scale
--------
When more than ``exhaustive_limit`` targets pass the filters, only *candidates* are
searched: roles needing a competency the learner knows (declared or taught by a valid
holding) and awards that count a holding (named in their rules, or recognised by an
agreement), ordered by :func:`closeness` (share of essential needs already met, fewest
unmet); when they are fewer than ``search_limit``, the other targets of the learner's
sectors (those of the valid holdings, else of the candidates) follow, smallest first
(:func:`same_sector`). The first ``search_limit`` are searched, and the result says it is
not complete.
:mod:`planner.store.catalogue.reach` gives the same candidates from a compiled catalogue by
indexed queries.

Searches are independent: :func:`reach` maps them with any object that has the
``map(fn, tasks, common=…, progress=…)`` of :mod:`planner.analysis.parallel` (serial by
default), so a caller above the engine can run them on Dask.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from planner.catalogue.models import Catalogue, Holding, LearnerProfile, Objective, Target, rule_credentials
from planner.engine.reachtypes import (
    DEFAULT_NEXT_TOP,
    EXHAUSTIVE_TARGETS,
    JSON_VERSION,
    MAX_TOP,
    FirstStep,
    NextStep,
    NextStepEffect,
    Reach,
    ReachEntry,
    ReachError,
    ReachOptions,
    Status,
    entries_by_target,
    reach_to_json,
)
from planner.engine.results import Diagnosis, Route
from planner.engine.routing import recommend
from planner.engine.rules import (
    AwardTree,
    agreements_in_force,
    counted_for_award,
    effort,
    group_met_at_start,
    known_levels,
    resolve_award,
    valid_holdings,
)
from planner.engine.search import check_profile, plan_start

__all__ = [  # the types are re-exported: callers import everything of "reach" from here
    "DEFAULT_NEXT_TOP",
    "EXHAUSTIVE_TARGETS",
    "JSON_VERSION",
    "MAX_TOP",
    "Candidates",
    "FirstStep",
    "NextStep",
    "NextStepEffect",
    "Progress",
    "Reach",
    "ReachEntry",
    "ReachError",
    "ReachOptions",
    "Status",
    "candidate_targets",
    "closeness",
    "drive",
    "entries_by_target",
    "evaluate",
    "list_targets",
    "pick_next_step",
    "rank_key",
    "reach",
    "reach_to_json",
    "same_sector",
    "scope_note",
]

T = TypeVar("T")
#: ``progress(phase, done, total)``: phase ``"ranking"`` then ``"next step"``.
Progress = Callable[[str, int, int], None]


class Mapper(Protocol):
    """What runs the searches: :class:`planner.analysis.parallel.Runner` or anything with its ``map``."""

    def map(self, fn: Callable[..., T], tasks: Sequence[Any], *, common: Sequence[Any] = (),
            progress: Callable[[int, int], None] | None = None) -> list[T]:
        """Return ``[fn(*common, task) for task in tasks]`` in task order."""
        ...


class _Serial:
    def map(self, fn: Callable[..., T], tasks: Sequence[Any], *, common: Sequence[Any] = (),
            progress: Callable[[int, int], None] | None = None) -> list[T]:
        out: list[T] = []
        for task in tasks:
            out.append(fn(*common, task))
            if progress is not None:
                progress(len(out), len(tasks))
        return out


# --------------------------------------------------------------------------- targets


def _role_needs(catalogue: Catalogue, role_id: str) -> dict[str, int]:
    """Essential needs of a role: competency → highest level asked (as the route problem reads them)."""
    needs: dict[str, int] = {}
    for need in catalogue.role(role_id).needs:
        if need.essential:
            needs[need.competency] = max(needs.get(need.competency, 0), need.level)
    return needs


def _provider_teaches_role(catalogue: Catalogue, role_id: str, provider: str) -> bool:
    needs = _role_needs(catalogue, role_id)
    for cred in catalogue.credentials:
        if cred.provider == provider and any(t.level >= needs.get(t.competency, math.inf) for t in cred.teaches):
            return True
    return False


def list_targets(catalogue: Catalogue, options: ReachOptions) -> list[Target]:
    """Every role and award within the filters (kind, sector, provider), roles first, in catalogue order."""
    sector = options.sector.lower() if options.sector else None
    out: list[Target] = []
    if options.kind in (None, "role"):
        for role in catalogue.roles:
            if sector is not None and (role.sector or "").lower() != sector:
                continue
            if options.provider is not None and not _provider_teaches_role(catalogue, role.id, options.provider):
                continue
            out.append(Target(kind="role", id=role.id))
    if options.kind in (None, "award"):
        for award in catalogue.awards:
            if sector is not None and (award.sector or "").lower() != sector:
                continue
            if options.provider is not None and award.provider != options.provider:
                continue
            out.append(Target(kind="award", id=award.id))
    return out


def closeness(share: float, unmet: int, target: str) -> tuple[int, float, int, str]:
    """Order of candidates before any search: most already met, then fewest unmet, then id.

    Roles: the share of essential needs known and the count still unmet; awards: the share
    of the credentials their rules name that are held, and the count not held.
    """
    return (0, -round(share, 9), unmet, target)


def same_sector(size: int, target: str) -> tuple[int, float, int, str]:
    """Order of the targets that only share a sector with the learner: after every overlap, smallest first.

    ``size``: a role's essential competencies, an award's named credentials.
    """
    return (1, 0.0, size, target)


def _sector(catalogue: Catalogue, target: Target) -> str:
    item = catalogue.role(target.id or "") if target.kind == "role" else catalogue.credential(target.id or "")
    return (item.sector or "").lower()


@dataclass(frozen=True)
class Candidates:
    """The targets to search, best candidates first, and how they were chosen."""

    targets: tuple[Target, ...]
    within_filters: int
    exhaustive: bool  # every target within the filters is here


def candidate_targets(catalogue: Catalogue, profile: LearnerProfile, options: ReachOptions) -> Candidates:
    """The targets :func:`reach` searches (see the module docstring, "At scale").

    Parameters
    ----------
    catalogue, profile, options
        The catalogue, the learner and the question.

    Returns
    -------
    Candidates
        Every target within the filters when they are at most ``options.exhaustive_limit``;
        else the candidates sharing something with the learner, closest first, the first
        ``options.searches`` of them.
    """
    within = list_targets(catalogue, options)
    if len(within) <= options.exhaustive_limit:
        return Candidates(tuple(within), len(within), True)
    today = plan_start(profile, options.today)
    held = valid_holdings(catalogue, profile, today)
    known = {k: v for k, v in known_levels(catalogue, profile, held).items() if v > 0}
    agreed = {a.award for a in catalogue.recognitions if a.credential in held}
    scored: list[tuple[tuple[float, int, str], Target]] = []
    for target in within:
        if target.kind == "role":
            role = catalogue.role(target.id or "")
            if not any(n.competency in known for n in role.needs):
                continue
            needs = _role_needs(catalogue, role.id)
            met = sum(1 for c, lv in needs.items() if known.get(c, 0) >= lv)
            key = closeness(met / len(needs) if needs else 1.0, len(needs) - met, str(target))
        else:
            named = set(rule_credentials(catalogue.credential(target.id or "").award.rule))  # type: ignore[union-attr]
            if not (named & held.keys()) and target.id not in agreed:
                continue
            have = len(named & held.keys())
            key = closeness(have / len(named) if named else 0.0, len(named) - have, str(target))
        scored.append((key, target))
    if len(scored) < options.searches:  # too few share a competency or a holding: add the learner's sectors
        sectors = {(catalogue.credential(c).sector or "").lower() for c in held} - {""} or {
            _sector(catalogue, t) for _, t in scored} - {""}
        taken = {str(t) for _, t in scored}
        for target in within:
            if str(target) not in taken and _sector(catalogue, target) in sectors:
                size = len(_role_needs(catalogue, target.id or "")) if target.kind == "role" else len(
                    set(rule_credentials(catalogue.credential(target.id or "").award.rule)))  # type: ignore[union-attr]
                scored.append((same_sector(size, str(target)), target))
    scored.sort(key=lambda item: item[0])
    return Candidates(tuple(t for _, t in scored[: options.searches]), len(within), False)


# --------------------------------------------------------------------------- one target


def _tree_share(tree: AwardTree) -> float:
    """Share of an award's rule tree met by counted holdings: leaves 0/1, pools by credit, n-of by its best n."""
    share = [0.0] * len(tree.nodes)
    for k in range(len(tree.nodes) - 1, -1, -1):  # children come after their parent
        node = tree.nodes[k]
        if node.kind == "credential":
            share[k] = 1.0 if node.met else 0.0
        elif node.kind == "credits":
            share[k] = min(1.0, node.held_credit / node.credits) if node.credits > 0 else 1.0
        else:
            parts = sorted((share[ch] for ch in node.children), reverse=True)
            n = node.n if node.kind == "n_of" else len(parts)
            share[k] = sum(parts[:n]) / n if n else 1.0
    return share[0] if tree.nodes else 0.0


def _progress(catalogue: Catalogue, target: Target, held: Mapping[str, dt.date], known: Mapping[str, int],
              today: dt.date) -> tuple[float, str]:
    """How much of the target is already met, as a share and in words."""
    if target.kind == "role":
        needs = _role_needs(catalogue, target.id or "")
        met = sum(1 for c, lv in needs.items() if known.get(c, 0) >= lv)
        return (met / len(needs) if needs else 1.0), f"{met} of {len(needs)} essential needs"
    award = catalogue.credential(target.id or "")
    if award.id in held:
        return 1.0, "held"
    tree = resolve_award(catalogue, award, counted=counted_for_award(award, held, today),
                         agreements=agreements_in_force(catalogue, award.id, today), candidates=())
    share = _tree_share(tree)
    return share, f"{share:.0%} of its rules"


def _first_steps(catalogue: Catalogue, route: Route, held: Mapping[str, dt.date],
                 known: Mapping[str, int]) -> tuple[FirstStep, ...]:
    """Route credentials (not awards) whose every prerequisite group is met now, with their figures."""
    out = []
    for step in route.steps:
        cred = catalogue.credential(step.credential_id)
        if cred.award is None and all(group_met_at_start(g, held, known) for g in cred.requires):
            work = effort(cred)
            out.append(FirstStep(cred.id, step.title, step.provider_id, step.cost, work.weeks, work.hours))
    return tuple(out)


def _one_line(diagnoses: Sequence[Diagnosis]) -> str:
    if not diagnoses:
        return "No route reaches this target."
    first = " ".join(diagnoses[0].message.split())
    more = len(diagnoses) - 1
    return first + (f" (and {more} more reason{'s' * (more != 1)})" if more else "")


def evaluate(catalogue: Catalogue, profile: LearnerProfile, target: Target, options: ReachOptions) -> ReachEntry:
    """One target's entry: ``recommend`` with one route, its best route's figures unchanged.

    Raises
    ------
    planner.engine.problem.ProblemError
        When the target or a profile id is unknown to the catalogue.
    """
    start = plan_start(profile, options.today)
    rec = recommend(catalogue, profile, target, objective=options.objective, alternatives=1, today=start,
                    time_limit=options.time_limit)
    held = valid_holdings(catalogue, profile, start)
    known = known_levels(catalogue, profile, held)
    share, met_text = _progress(catalogue, target, held, known, start)
    if target.kind == "role":
        role = catalogue.role(target.id or "")
        facts: dict[str, Any] = {"title": role.title, "sector": role.sector, "provider": None,
                                 "outlook": role.outlook}
    else:
        award = catalogue.credential(target.id or "")
        facts = {"title": award.title, "sector": award.sector, "provider": award.provider, "outlook": None}
    base = ReachEntry(target=str(target), kind=target.kind, id=target.id or "", status="unreachable",
                      met_share=round(share, 4), met_text=met_text, currency=catalogue.meta.base_currency,
                      diagnoses=rec.diagnoses, **facts)
    route = rec.best
    if rec.diagnoses and rec.diagnoses[0].code == "already_met":  # a route may still add optional needs
        return replace(base, status="met", cost=0.0, weeks=0, hours=0.0, ects=0.0, steps=0, proved=True,
                       met_share=1.0 if target.kind == "role" else base.met_share)
    if route is not None:
        return replace(
            base, status="reachable", cost=route.total_cost, weeks=route.weeks, hours=route.total_hours,
            ects=route.total_ects, steps=len(route.credential_ids), credential_ids=route.credential_ids,
            finish=route.finish, proved=route.proved_optimal, finish_proved=route.schedule_proved_optimal,
            lower_bound=bool(route.lower_bounds), first_steps=_first_steps(catalogue, route, held, known),
            route=route)
    status: Status = "unreachable" if rec.complete else "unknown"
    return replace(base, status=status, diagnosis=_one_line(rec.diagnoses))


def _evaluate_task(catalogue: Catalogue, options: ReachOptions, task: tuple[Target, LearnerProfile]) -> ReachEntry:
    target, profile = task
    return evaluate(catalogue, profile, target, options)


# --------------------------------------------------------------------------- ranking and next step


def rank_key(entry: ReachEntry, objective: Objective | str) -> tuple[Any, ...]:
    """Reachable targets rank by the objective's measure, then cost, weeks, hours, steps and target."""
    return (round(entry.measure(objective), 6), round(entry.cost or 0.0, 6), entry.weeks or 0,
            round(entry.hours or 0.0, 6), entry.steps or 0, entry.target)


def _within_limits(entry: ReachEntry, options: ReachOptions) -> bool:
    return ((options.max_cost is None or (entry.cost or 0.0) <= options.max_cost + 1e-9)
            and (options.max_weeks is None or (entry.weeks or 0) <= options.max_weeks))


def pick_next_step(closest: Sequence[ReachEntry],
                   objective: Objective | str) -> tuple[FirstStep, tuple[str, ...]] | None:
    """The first step on the best routes of the most of ``closest``, and those targets (in order).

    Ties go to the step with the smaller own measure (its cost, weeks or hours:
    :meth:`FirstStep.measure`), then the smaller id. None when no best route has a step
    that can start now.
    """
    serves: dict[str, list[str]] = {}
    facts: dict[str, FirstStep] = {}
    for entry in closest:
        for step in entry.first_steps:
            serves.setdefault(step.credential_id, []).append(entry.target)
            facts.setdefault(step.credential_id, step)
    if not serves:
        return None
    best = min(serves, key=lambda c: (-len(serves[c]), round(facts[c].measure(objective), 6), c))
    return facts[best], tuple(serves[best])


def _kind_word(entries: Sequence[ReachEntry]) -> str:
    kinds = {e.kind for e in entries}
    return "roles" if kinds == {"role"} else "awards" if kinds == {"award"} else "targets"


def _with_holding(profile: LearnerProfile, credential_id: str, day: dt.date) -> LearnerProfile:
    holdings = [*profile.holdings, Holding(credential=credential_id, earned=day)]
    return profile.model_copy(update={"holdings": holdings})


# --------------------------------------------------------------------------- the driver


#: ``evaluate_many(tasks, phase)`` → one entry per ``(target, profile)`` task, in task order.
EvaluateMany = Callable[[Sequence[tuple[Target, LearnerProfile]], str], list[ReachEntry]]


def drive(profile: LearnerProfile, options: ReachOptions, candidates: Candidates, evaluate_many: EvaluateMany,
          *, currency: str, note: str = "") -> Reach:
    """Search the candidates, rank them, choose and weigh the next best step.

    The in-memory :func:`reach` and the compiled catalogue's
    :func:`planner.store.catalogue.reach.reach_store` differ only in ``evaluate_many``
    (where a target's catalogue comes from, and how searches are spread).

    Parameters
    ----------
    profile, options
        The learner and the question.
    candidates : Candidates
        The targets to search.
    evaluate_many : callable
        ``evaluate_many(tasks, phase)`` → the :func:`evaluate` entry of each
        ``(target, profile)`` task, in order.
    currency : str
        The catalogue's base currency.
    note : str
        Said of the answer as a whole (how candidates were chosen).

    Returns
    -------
    Reach
    """
    clock = time.perf_counter()
    start = plan_start(profile, options.today)
    entries = evaluate_many([(t, profile) for t in candidates.targets], "ranking")
    reachable = sorted((e for e in entries if e.status == "reachable"), key=lambda e: rank_key(e, options.objective))
    shown = [e for e in reachable if _within_limits(e, options)]
    listed = shown[: options.top] if options.top else shown
    ranked = tuple(replace(e, rank=i + 1) for i, e in enumerate(listed))
    closest = shown[: options.next_over]
    step, step_note = _next_step(profile, options, closest, evaluate_many, start)
    return Reach(
        objective=Objective(options.objective), start=start, currency=currency, ranked=ranked,
        met=tuple(sorted((e for e in entries if e.status == "met"), key=lambda e: e.target)),
        unreachable=tuple(sorted((e for e in entries if e.status in ("unreachable", "unknown")),
                                 key=lambda e: e.target)),
        hidden=len(reachable) - len(shown), beyond_top=len(shown) - len(listed), next_step=step,
        next_step_note=step_note, searched=len(entries), within_filters=candidates.within_filters,
        complete=candidates.exhaustive, note=note, seconds=round(time.perf_counter() - clock, 3), options=options,
    )


def _next_step(profile: LearnerProfile, options: ReachOptions, closest: Sequence[ReachEntry],
               evaluate_many: EvaluateMany, start: dt.date) -> tuple[NextStep | None, str]:
    """Choose the next best step over ``closest`` and re-search each of them with it held."""
    if not closest:
        return None, "No target is reachable within your filters, so there is no next step to weigh."
    choice = pick_next_step(closest, options.objective)
    if choice is None:
        return None, "None of the best routes has a step you can start now."
    first, serves = choice
    cid = first.credential_id
    after = evaluate_many([(e.as_target(), _with_holding(profile, cid, start)) for e in closest], "next step")
    effects = []
    for before, now in zip(closest, after, strict=True):
        value = now.measure(options.objective) if now.status in ("reachable", "met") else None
        if now.status == "met":
            value = 0.0
        effects.append(NextStepEffect(
            target=before.target, title=before.title, on_route=before.target in serves,
            before=before.measure(options.objective), after=value,
            proved=before.proved and (now.proved or now.status == "met"), after_status=now.status))
    return NextStep(
        credential_id=cid, title=first.title, provider=first.provider, cost=first.cost,
        currency=closest[0].currency, weeks=first.weeks, hours=first.hours, serves=serves, considered=len(closest),
        kind_word=_kind_word(closest), measure=options.measure,
        before_total=round(sum(e.before for e in effects), 6),
        after_total=round(sum(e.before if e.after is None else e.after for e in effects), 6),
        effects=tuple(effects), proved=all(e.proved for e in effects),
    ), ""


def reach(catalogue: Catalogue, profile: LearnerProfile, options: ReachOptions | None = None, *,
          candidates: Candidates | None = None, mapper: Mapper | None = None,
          progress: Progress | None = None) -> Reach:
    """Where can the learner get from here: every role and award ranked by its best route.

    Parameters
    ----------
    catalogue : Catalogue
        A validated catalogue.
    profile : LearnerProfile
        Holdings, competencies and constraints (as for ``recommend``).
    options : ReachOptions, optional
        Objective, filters, limits and time budget (defaults: cost, everything).
    candidates : Candidates, optional
        The targets to search (default: :func:`candidate_targets`).
    mapper : object with ``map``, optional
        Runs the searches (default: serially here); e.g. a
        :func:`planner.analysis.parallel.runner` for Dask.
    progress : callable, optional
        ``progress(phase, done, total)`` after each search.

    Returns
    -------
    Reach

    Raises
    ------
    planner.engine.problem.ProblemError
        When the profile names ids the catalogue lacks, or a currency has no rate.
    """
    options = options or ReachOptions()
    check_profile(catalogue, profile)  # once, rather than as many errors as targets
    candidates = candidates or candidate_targets(catalogue, profile, options)
    runner = mapper or _Serial()

    def evaluate_many(tasks: Sequence[tuple[Target, LearnerProfile]], phase: str) -> list[ReachEntry]:
        report = (lambda done, total: progress(phase, done, total)) if progress is not None else None
        return runner.map(_evaluate_task, list(tasks), common=(catalogue, options), progress=report)

    return drive(profile, options, candidates, evaluate_many, currency=catalogue.meta.base_currency,
                 note=scope_note(candidates, options))


def scope_note(candidates: Candidates, options: ReachOptions) -> str:
    """What was searched, in words (empty when every target within the filters was)."""
    if candidates.exhaustive:
        return ""
    if not candidates.targets:
        return (f"None of the {candidates.within_filters:,} targets within your filters needs a competency you "
                "have or counts a credential you hold; add what you know or hold, or narrow with a sector or "
                "provider filter.")
    return (f"{candidates.within_filters:,} targets are within your filters: the {len(candidates.targets):,} "
            "that share the most with what you know and hold were searched exactly; others were not.")

