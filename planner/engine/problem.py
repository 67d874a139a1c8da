"""Build the pruned selection problem the route optimiser solves.

:func:`build_problem` walks back from a target (role, award or list of competencies) to
the credentials that can contribute to it and their prerequisite closure, drops what the
learner's constraints exclude (recording why, for diagnosis), and returns a frozen
:class:`Problem`: plain ids, numbers in the catalogue's base currency and prerequisite
groups already reduced to "which candidates could meet this group".

The rules it applies (validity, levels, effort, exclusions, award trees) are those of
``docs/semantics.md``, implemented once in :mod:`planner.engine.rules`. Pruning adds: a
prerequisite group with an alternative already met is dropped; a candidate with a group no
candidate can meet is removed (``excluded`` says why), to a fixpoint.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from planner._errors import PlannerError
from planner.catalogue.models import Catalogue, Credential, LearnerProfile, Target, rule_credentials
from planner.engine.rules import (
    DEFAULT_HOURS_PER_ECTS,
    DEFAULT_HOURS_PER_WEEK,
    AwardTree,
    RuleNode,
    counted_for_award,
    credential_cost,
    effort,
    group_met_at_start,
    holding_is_valid,
    known_levels,
    latest_earned,
    resolve_award,
    start_weeks,
    valid_holdings,
)

__all__ = [
    "DEFAULT_HOURS_PER_ECTS",
    "DEFAULT_STUDY_HOURS_PER_WEEK",
    "AwardTree",
    "Problem",
    "ProblemError",
    "RuleNode",
    "build_problem",
    "holding_is_valid",
]

DEFAULT_STUDY_HOURS_PER_WEEK = DEFAULT_HOURS_PER_WEEK


class ProblemError(PlannerError):
    """The target or profile cannot be turned into a problem (unknown id, unknown currency)."""


def _frozen(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    # a plain dict copy: read-only by convention; mappingproxy would make results unpicklable
    # (Streamlit caches and multiprocessing pickle them)
    return dict(mapping)


@dataclass(frozen=True)
class Problem:
    """Everything the optimiser needs, pruned, with ids sorted. Built by :func:`build_problem`."""

    candidates: tuple[str, ...]
    held: frozenset[str]
    known: Mapping[str, int]
    target: Target
    required: tuple[tuple[str, int], ...]
    optional: tuple[tuple[str, int], ...]
    award_id: str | None
    cost: Mapping[str, float]
    hours: Mapping[str, float]
    ects: Mapping[str, float]
    weeks: Mapping[str, int]
    excluded: Mapping[str, str]
    #: weekly-capacity use of each candidate over its run (load × weeks), for time bounds.
    load: Mapping[str, float]
    budget: float | None
    hours_per_week: float | None
    today: dt.date
    #: (competency, level) → sorted candidates teaching it at ≥ level, for required and optional needs.
    coverers: Mapping[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    #: candidate → its prerequisite groups not already met, each the sorted candidates that could meet it.
    prereqs: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    #: award credential id → its rule tree (every award candidate, the target and credit award).
    awards: Mapping[str, AwardTree] = field(default_factory=dict)
    #: required needs that no candidate teaches (the target is then infeasible).
    uncoverable: tuple[tuple[str, int], ...] = ()
    #: the target is already reached by holdings and declared competencies.
    already_met: bool = False
    #: total number of optional needs of a role (met or not), for the fit score.
    optional_total: int = 0
    base_currency: str = "EUR"
    #: candidate → the weeks (from ``today``) it can start in, for those with intakes.
    starts: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def award_candidates(self) -> frozenset[str]:
        """Candidates that carry award rules (choosing one needs its rules met)."""
        return frozenset(a for a in self.awards if a in self.cost)


# --------------------------------------------------------------------------- catalogue index


@dataclass(frozen=True)
class _Index:
    """Per-catalogue lookups: teachers by competency (level descending), agreements by award."""

    teachers: Mapping[str, tuple[tuple[int, ...], tuple[str, ...]]]
    recognitions: Mapping[str, tuple[Any, ...]]


_INDEX_CACHE: dict[int, tuple[Catalogue, _Index]] = {}
_INDEX_CACHE_SIZE = 4


def _index(catalogue: Catalogue) -> _Index:
    hit = _INDEX_CACHE.get(id(catalogue))
    if hit is not None and hit[0] is catalogue:
        return hit[1]
    # building ~10^5 small tuples triggers the cyclic GC, which re-walks the whole
    # catalogue's object graph each time (seconds at 100k credentials): pause it
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        index = _build_index(catalogue)
    finally:
        if was_enabled:
            gc.enable()
    if len(_INDEX_CACHE) >= _INDEX_CACHE_SIZE:
        _INDEX_CACHE.pop(next(iter(_INDEX_CACHE)))
    _INDEX_CACHE[id(catalogue)] = (catalogue, index)
    return index


def _build_index(catalogue: Catalogue) -> _Index:
    by_comp: dict[str, list[tuple[int, str]]] = {}
    for cred in catalogue.credentials:
        best: dict[str, int] = {}
        for t in cred.teaches:
            if t.level > best.get(t.competency, -1):
                best[t.competency] = t.level
        for comp, level in best.items():
            by_comp.setdefault(comp, []).append((-level, cred.id))
    teachers = {}
    for comp, items in by_comp.items():
        items.sort()
        teachers[comp] = (tuple(-lv for lv, _ in items), tuple(c for _, c in items))
    recs: dict[str, list[Any]] = {}
    for agreement in catalogue.recognitions:
        recs.setdefault(agreement.award, []).append(agreement)
    return _Index(teachers, {k: tuple(v) for k, v in recs.items()})


def _teachers(index: _Index, competency: str, level: int) -> tuple[str, ...]:
    """Credential ids teaching ``competency`` at ``level`` or above (levels are sorted descending)."""
    entry = index.teachers.get(competency)
    if entry is None:
        return ()
    levels, ids = entry
    # levels descending: count the prefix with level >= wanted (binary search)
    lo, hi = 0, len(levels)
    while lo < hi:
        mid = (lo + hi) // 2
        if levels[mid] >= level:
            lo = mid + 1
        else:
            hi = mid
    return ids[:lo]


# --------------------------------------------------------------------------- helpers


# --------------------------------------------------------------------------- builder


class _Builder:
    """One build: holds the catalogue lookups and the learner state."""

    def __init__(self, catalogue: Catalogue, profile: LearnerProfile, today: dt.date) -> None:
        self.cat = catalogue
        self.index = _index(catalogue)
        self.today = today
        self.cons = profile.constraints
        self.earned = latest_earned(profile)
        self.held: dict[str, dt.date] = valid_holdings(catalogue, profile, today)
        known = known_levels(catalogue, profile, self.held)
        self.known = known
        self.budget: float | None = None
        if self.cons.budget is not None:
            try:
                self.budget = catalogue.to_base(self.cons.budget)
            except KeyError:
                raise ProblemError(
                    f"budget currency {self.cons.budget.currency} is not in the catalogue's rate table "
                    f"(base currency {catalogue.meta.base_currency}); give the budget in a listed currency"
                ) from None
        self.modes = set(self.cons.modes)
        self.languages = set(self.cons.languages)
        self.countries = set(self.cons.countries)
        self.avoid_providers = set(self.cons.avoid_providers)
        self.avoid_credentials = set(self.cons.avoid_credentials)
        self.cost: dict[str, float] = {}
        self.excluded: dict[str, str] = {}

    # -- exclusion -------------------------------------------------------------

    def exclusion(self, cid: str) -> str | None:
        """Why ``cid`` cannot be chosen, or None. Also records its base-currency cost."""
        if not self.cat.has("credential", cid):
            return "not in the catalogue"
        cred = self.cat.credential(cid)
        if cid in self.held:
            return "already held (credit still valid)"
        if cid in self.avoid_credentials:
            return "on the learner's list of credentials to avoid"
        if cred.provider in self.avoid_providers:
            name = self.cat.provider(cred.provider).name if self.cat.has("provider", cred.provider) else cred.provider
            return f"provider {name} is on the learner's list of providers to avoid"
        if self.modes and cred.participation and not self.modes.intersection(cred.participation):
            offered = ", ".join(m.value for m in cred.participation)
            return f"participation mode {offered} is not among the accepted modes"
        if self.languages and cred.languages and not self.languages.intersection(cred.languages):
            return f"taught in {', '.join(cred.languages)}, not in an accepted language"
        if self.countries and self.cat.has("provider", cred.provider):
            country = self.cat.provider(cred.provider).country
            if country not in self.countries:
                return f"provider country {country} is not among the accepted countries"
        choice = credential_cost(self.cat, cred, self.cons.audiences)
        if choice.missing_rate is not None:
            return (f"priced in {choice.missing_rate}, which has no rate in the catalogue's "
                    f"rate table (costs are never summed across currencies)")
        cost = choice.base
        if self.budget is not None and cost > self.budget + 1e-9:
            return f"costs {cost:,.2f} {self.cat.meta.base_currency}, above the budget of {self.budget:,.2f}"
        capacity = self.cons.hours_per_week
        if capacity is not None:
            rate = effort(cred).rate
            if rate > capacity + 1e-9:
                return f"needs {rate:g} study hours a week, above the {capacity:g} available"
        self.cost[cid] = cost
        return None

    def group_met(self, group: Any) -> bool:
        return group_met_at_start(group, self.held, self.known)

    def group_supporters(self, group: Any) -> Iterable[str]:
        for alt in group.any_of:
            if alt.credential is not None:
                yield alt.credential
            else:
                yield from _teachers(self.index, alt.competency, alt.level)

    def held_for(self, award: Credential) -> set[str]:
        """Holdings whose credit counts towards ``award`` (its validity window applies)."""
        assert award.award is not None
        return counted_for_award(award, self.held, self.today)

    def agreements(self, award_id: str) -> list[Any]:
        return [a for a in self.index.recognitions.get(award_id, ()) if a.is_valid_on(self.today)]

    # -- walk ------------------------------------------------------------------

    def expansion(self, cid: str) -> Iterable[str]:
        """Credentials that may be needed once ``cid`` is a candidate."""
        cred = self.cat.credential(cid)
        for group in cred.requires:
            if not self.group_met(group):
                yield from self.group_supporters(group)
        if cred.award is not None:
            yield from rule_credentials(cred.award.rule)
            for agreement in self.agreements(cid):
                yield agreement.credential

    def walk(self, seeds: Iterable[str]) -> set[str]:
        candidates: set[str] = set()
        seen: set[str] = set()
        queue = deque(sorted(set(seeds)))
        seen.update(queue)
        while queue:
            cid = queue.popleft()
            reason = self.exclusion(cid)
            if reason is not None:
                self.excluded[cid] = reason
                continue
            candidates.add(cid)
            for nxt in self.expansion(cid):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return candidates

    def prune(self, candidates: set[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
        """Remove candidates with an unmeetable group, to a fixpoint; return the groups."""
        raw: dict[str, list[tuple[Any, set[str]]]] = {}
        dependants: dict[str, set[str]] = {}
        for cid in candidates:
            groups = []
            for group in self.cat.credential(cid).requires:
                if self.group_met(group):
                    continue
                support = {p for p in self.group_supporters(group) if p in candidates and p != cid}
                groups.append((group, support))
                for p in support:
                    dependants.setdefault(p, set()).add(cid)
            raw[cid] = groups
        queue = deque(sorted(candidates))
        alive = set(candidates)
        while queue:
            cid = queue.popleft()
            if cid not in alive:
                continue
            for group, support in raw[cid]:
                if not (support & alive):
                    alive.discard(cid)
                    self.excluded[cid] = "prerequisite cannot be met: " + _describe_group(group, self)
                    for dep in sorted(dependants.get(cid, ())):
                        if dep in alive:
                            queue.append(dep)
                    break
        candidates.intersection_update(alive)
        return {
            cid: tuple(tuple(sorted(support & alive)) for _, support in raw[cid]) for cid in sorted(alive)
        }

    # -- award trees -------------------------------------------------------------

    def award_tree(self, award_id: str, candidates: set[str]) -> AwardTree:
        cred = self.cat.credential(award_id)
        return resolve_award(self.cat, cred, counted=self.held_for(cred), agreements=self.agreements(award_id),
                             candidates=candidates)


def _describe_group(group: Any, builder: _Builder) -> str:
    parts = []
    for alt in group.any_of:
        if alt.credential is not None:
            why = builder.excluded.get(alt.credential, "not available")
            parts.append(f"credential {alt.credential} ({why})")
        else:
            parts.append(f"{alt.competency} at level {alt.level} (no available credential teaches it)")
    return " or ".join(parts)


def build_problem(
    catalogue: Catalogue,
    profile: LearnerProfile,
    target: Target,
    *,
    today: dt.date | None = None,
    graph: Any = None,
    credit_award: str | None = None,
) -> Problem:
    """Prune the catalogue to the selection problem for ``target``.

    Parameters
    ----------
    catalogue : Catalogue
        The validated catalogue.
    profile : LearnerProfile
        Holdings, declared competencies and constraints of the learner.
    target : Target
        A role, an award or a list of competencies with levels.
    today : datetime.date, optional
        The day credit validity and recognition agreements are judged on (default: today,
        or the profile's start date when set).
    graph : optional
        Accepted for interface symmetry with the graph queries; the builder uses its own
        per-catalogue index (competency → teachers sorted by level), which is cached.
    credit_award : str, optional
        An award whose credit the *credit* objective will measure; its rule tree is
        prepared even when it is not the target.

    Returns
    -------
    Problem
        The pruned problem: sorted candidates, costs in the base currency, reduced
        prerequisite groups, resolved award trees, and why each dropped credential was
        excluded.

    Raises
    ------
    ProblemError
        When the target names an unknown role or award, or the budget's currency has no
        rate in the catalogue.
    """
    del graph  # the cached index is enough and avoids an O(graph) walk
    if today is None:
        today = profile.constraints.start or dt.date.today()
    b = _Builder(catalogue, profile, today)
    required: list[tuple[str, int]] = []
    optional: list[tuple[str, int]] = []
    optional_total = 0
    award_id: str | None = None
    seeds: list[str] = []
    already_met = False

    if target.kind == "role":
        if not catalogue.has("role", target.id or ""):
            raise ProblemError(f"unknown role '{target.id}': no role with this id in the catalogue")
        needs: dict[tuple[str, bool], int] = {}
        for need in catalogue.role(target.id or "").needs:
            key = (need.competency, need.essential)
            needs[key] = max(needs.get(key, 0), need.level)
        for (comp, essential), level in sorted(needs.items()):
            if essential:
                if b.known.get(comp, 0) < level:
                    required.append((comp, level))
            else:
                optional_total += 1
                if b.known.get(comp, 0) < level:
                    optional.append((comp, level))
    elif target.kind == "competencies":
        wanted: dict[str, int] = {}
        for cl in target.competencies:
            wanted[cl.competency] = max(wanted.get(cl.competency, 0), cl.level)
        required = sorted((c, lv) for c, lv in wanted.items() if b.known.get(c, 0) < lv)
    else:
        award_id = target.id
        if not catalogue.has("credential", award_id or "") or catalogue.credential(award_id or "").award is None:
            raise ProblemError(f"unknown award '{award_id}': no credential with this id carries award rules")
        if award_id in b.held:
            already_met = True
        else:
            seeds.append(award_id or "")
    for comp, level in [*required, *optional]:
        seeds.extend(_teachers(b.index, comp, level))
    if credit_award is not None:
        if not catalogue.has("credential", credit_award) or catalogue.credential(credit_award).award is None:
            raise ProblemError(f"unknown award '{credit_award}': no credential with this id carries award rules")
        # credentials that would stack credit towards it may be worth choosing (credit objective)
        credit_spec = catalogue.credential(credit_award).award
        assert credit_spec is not None
        seeds.extend(rule_credentials(credit_spec.rule))
        seeds.extend(a.credential for a in b.agreements(credit_award))
    if target.kind != "award":
        already_met = not required

    cand_set = b.walk(seeds)
    prereqs = b.prune(cand_set)
    candidates = tuple(sorted(cand_set))

    coverers: dict[tuple[str, int], tuple[str, ...]] = {}
    for comp, level in [*required, *optional]:
        coverers[(comp, level)] = tuple(sorted(c for c in _teachers(b.index, comp, level) if c in cand_set))
    uncoverable = tuple(need for need in required if not coverers[need])

    award_ids = {c for c in candidates if catalogue.credential(c).award is not None}
    if award_id is not None:
        award_ids.add(award_id)
    if credit_award is not None:
        award_ids.add(credit_award)
    awards = {a: b.award_tree(a, cand_set) for a in sorted(award_ids)}

    hours, ects, weeks, load = {}, {}, {}, {}
    for cid in candidates:
        cred = catalogue.credential(cid)
        work = effort(cred)
        hours[cid] = work.hours
        load[cid] = work.rate * work.weeks
        ects[cid] = float(cred.ects or 0.0)
        weeks[cid] = work.weeks

    return Problem(
        candidates=candidates,
        held=frozenset(b.held),
        known=_frozen(dict(sorted(b.known.items()))),
        target=target,
        required=tuple(required),
        optional=tuple(optional),
        award_id=award_id,
        cost=_frozen({c: b.cost[c] for c in candidates}),
        hours=_frozen(hours),
        ects=_frozen(ects),
        weeks=_frozen(weeks),
        load=_frozen(load),
        excluded=_frozen(dict(sorted(b.excluded.items()))),
        budget=b.budget,
        hours_per_week=profile.constraints.hours_per_week,
        today=today,
        coverers=_frozen(coverers),
        prereqs=_frozen(prereqs),
        awards=_frozen(awards),
        uncoverable=uncoverable,
        already_met=already_met,
        optional_total=optional_total,
        base_currency=catalogue.meta.base_currency,
        starts=_frozen({c: w for c in candidates
                        if (w := start_weeks(catalogue.credential(c), today)) is not None}),
    )
