"""Recognition what-if: which single new agreement would open the most routes.

A candidate agreement says "credential C counts towards award A for C's ECTS", made by
A's provider. Its effect is **measured**: the route engine is re-run on the catalogue with
the agreement added, for every target it could matter to, and the cheapest route costs are
compared with the baseline.

Candidates are limited so the search stays small and sensible:

* awards in scope: the given award, or the given provider's awards, or every award;
* C is another provider's credential (recognition crosses institutional silos) that
  anyone can earn, has ECTS, is not already part of or recognised towards A, and teaches
  at least one competency that A or A's components teach (so the agreement is credible);
* the ``max_candidates`` per award with the largest competency overlap (ties: cheaper,
  then id) are tried;
* the agreement goes to A's first credit pool; when A has no credit pool it makes C an
  equivalent of the component whose competencies C overlaps most, among components of no
  more ECTS than C (a 2-ECTS course is not a credible stand-in for a 5-ECTS module).

Targets measured per award: the award itself, awards that list it in their rules, and up
to ``max_roles`` roles needing competencies the award's components teach (most overlap
first). Costs are from an empty profile with the cost objective.

The search is exhaustive over these candidates: every candidate is measured on every one of
its targets (no search limit). With the planner's own engine the measurements of one target
share their work (:func:`planner.engine.variants.agreement_costs`: the pruned problem and one
model for all the candidates that can matter to the target, and no search at all for those
that cannot) and give what one search per candidate and target gives; another engine is
called once per candidate and target. The targets are independent tasks, run serially or on
a Dask cluster (``scheduler=``, see :mod:`planner.analysis.parallel`) with the same result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from planner.analysis._common import (
    Obtainability,
    award_components,
    first_pool_key,
    obtainability,
    resolve_as_of,
)
from planner.analysis.parallel import Progress, Runner, Scheduler, runner
from planner.analysis.reachability import Engine, load_engine
from planner.catalogue.models import (
    Catalogue,
    Constraints,
    Credential,
    LearnerProfile,
    Objective,
    RecognitionAgreement,
    Target,
)
from planner.engine.rules import credential_cost
from planner.engine.variants import agreement_costs

__all__ = ["CandidateAgreement", "TargetEffect", "WhatIfResult", "recognition_whatif"]


@dataclass(frozen=True)
class TargetEffect:
    """Cheapest-route cost to one target before and after an agreement (None: unreachable)."""

    target: str  # "award:ID" or "role:ID"
    before: float | None
    after: float | None

    @property
    def unlocked(self) -> bool:
        """The target was unreachable and becomes reachable."""
        return self.before is None and self.after is not None

    @property
    def saving(self) -> float:
        """Cost reduction when reachable both before and after (never negative)."""
        if self.before is None or self.after is None:
            return 0.0
        return max(0.0, round(self.before - self.after, 6))


@dataclass(frozen=True)
class CandidateAgreement:
    """One hypothetical recognition agreement and its measured effect."""

    credential_id: str
    award_id: str
    provider_id: str  # the recognising provider (the award's)
    credential_provider_id: str
    credits: float
    pool: str | None
    equivalent_to: str | None
    overlap: tuple[str, ...]  # competencies shared with the award's components
    effects: tuple[TargetEffect, ...]

    @property
    def unlocked(self) -> int:
        """How many targets become reachable."""
        return sum(e.unlocked for e in self.effects)

    @property
    def saving(self) -> float:
        """Total cost reduction over targets reachable before and after."""
        return round(sum(e.saving for e in self.effects), 6)

    @property
    def helps(self) -> bool:
        """Whether the agreement unlocks a target or makes one cheaper."""
        return self.unlocked > 0 or self.saving > 0


@dataclass(frozen=True)
class WhatIfResult:
    """Candidate agreements ranked by targets unlocked, then total saving."""

    provider: str | None
    award: str | None
    candidates: tuple[CandidateAgreement, ...]
    baseline: tuple[tuple[str, float | None], ...]  # target -> cheapest cost before
    currency: str
    engine_available: bool
    searches: int  # route searches run
    note: str = ""


def _teaches(cred: Credential) -> set[str]:
    return {t.competency for t in cred.teaches}


def _candidates(catalogue: Catalogue, award: Credential, obtain: Obtainability,
                max_candidates: int) -> list[tuple[RecognitionAgreement, tuple[str, ...], str]]:
    components = award_components(award)
    comp_creds = [catalogue.credential(c) for c in components if catalogue.has("credential", c)]
    comp_skills = _teaches(award).union(*(_teaches(c) for c in comp_creds)) if comp_creds else _teaches(award)
    already = {a.credential for a in catalogue.recognitions if a.award == award.id}
    pool = first_pool_key(award.award.rule) if award.award else None
    scored = []
    for cred in catalogue.credentials:
        if (cred.provider == award.provider or cred.id == award.id or cred.id in components
                or cred.id in already or not cred.ects or cred.id not in obtain.obtainable):
            continue
        overlap = tuple(sorted(_teaches(cred) & comp_skills))
        if not overlap:
            continue
        cost = credential_cost(catalogue, cred).base  # inf when it cannot be priced
        scored.append((-len(overlap), cost, cred.id, cred, overlap))
    scored.sort(key=lambda s: s[:3])
    out = []
    for *_, cred, overlap in scored:
        equivalent = None
        if pool is None:  # no credit pool: stand in for the most similar component
            best = sorted((-len(_teaches(c) & _teaches(cred)), c.id) for c in comp_creds
                          if _teaches(c) & _teaches(cred) and (cred.ects or 0) >= (c.ects or 0))
            if not best:
                continue
            equivalent = best[0][1]
        agreement = RecognitionAgreement(
            id=f"whatif-{cred.id}-{award.id}"[:120], provider=award.provider, credential=cred.id,
            award=award.id, credits=cred.ects or 0.0, equivalent_to=equivalent,
        )
        out.append((agreement, overlap, cred.provider))
        if len(out) >= max_candidates:
            break
    return out


def _targets(catalogue: Catalogue, award: Credential, max_roles: int) -> list[Target]:
    targets = [Target(kind="award", id=award.id)]
    for other in sorted(catalogue.awards, key=lambda c: c.id):
        if other.id != award.id and award.id in award_components(other):
            targets.append(Target(kind="award", id=other.id))
    skills = _teaches(award).union(*(_teaches(catalogue.credential(c)) for c in award_components(award)
                                      if catalogue.has("credential", c)))
    scored = sorted((-len({n.competency for n in r.needs} & skills), r.id) for r in catalogue.roles)
    targets += [Target(kind="role", id=rid) for overlap, rid in scored[:max_roles] if overlap < 0]
    return targets


def _profile(day: dt.date) -> LearnerProfile:
    return LearnerProfile(name="from zero", constraints=Constraints(start=day))


def _costs(catalogue: Catalogue, engine: Engine, day: dt.date,
           task: tuple[RecognitionAgreement | None, tuple[Target, ...]]) -> tuple[float | None, ...]:
    """Cheapest-route cost from zero to each target, with one extra agreement (one task, any engine)."""
    agreement, targets = task
    if agreement is not None:
        fields = {name: getattr(catalogue, name) for name in type(catalogue).model_fields}
        fields["recognitions"] = [*catalogue.recognitions, agreement]
        # model_construct skips re-validating the whole catalogue; the agreement itself is valid
        catalogue = type(catalogue).model_construct(**fields)
    profile = _profile(day)
    out: list[float | None] = []
    for target in targets:
        try:
            rec = engine(catalogue, profile, target, objective=Objective.COST, alternatives=1, today=day,
                         diagnose_infeasible=False)
        except Exception:  # an engine failure counts as "no route" for this measurement
            out.append(None)
            continue
        out.append(rec.best.total_cost if rec.best else None)
    return tuple(out)


def _target_costs(catalogue: Catalogue, engine: Engine, day: dt.date,
                  task: tuple[Target, tuple[RecognitionAgreement, ...]]) -> tuple[float | None, ...]:
    """One target's baseline cost, then its cost with each agreement alone (the planner's engine)."""
    target, agreements = task
    try:
        before, after = agreement_costs(catalogue, _profile(day), target, agreements, today=day)
    except Exception:  # measured one search at a time, each failure counting as "no route"
        return tuple(_costs(catalogue, engine, day, (a, (target,)))[0] for a in (None, *agreements))
    return (before, *after)


Measured = list[tuple[RecognitionAgreement, tuple[Target, ...]]]


def _measure(catalogue: Catalogue, engine: Engine, day: dt.date, run: Runner, progress: Progress | None,
             baseline_targets: dict[str, Target], measured: Measured,
             reuse: bool) -> tuple[dict[str, float | None], list[tuple[float | None, ...]]]:
    """Baseline cost per target, and each agreement's costs on its targets (in ``measured`` order)."""
    if not reuse:  # one search per task item, whatever the engine
        tasks: list[tuple[RecognitionAgreement | None, tuple[Target, ...]]] = [
            (None, (t,)) for t in baseline_targets.values()]
        tasks += measured
        costs = run.map(_costs, tasks, common=(catalogue, engine, day), progress=progress)
        baseline = {key: cost[0] for key, cost in zip(baseline_targets, costs, strict=False)}
        return baseline, costs[len(baseline_targets):]
    # one task per target: its baseline and every agreement measured on it, sharing the work
    per_target: dict[str, list[int]] = {key: [] for key in baseline_targets}
    for k, (_, targets) in enumerate(measured):
        for t in targets:
            per_target[str(t)].append(k)
    keys = list(baseline_targets)
    target_tasks = [(baseline_targets[key], tuple(measured[k][0] for k in per_target[key])) for key in keys]
    results = run.map(_target_costs, target_tasks, common=(catalogue, engine, day), progress=progress)
    baseline = {key: result[0] for key, result in zip(keys, results, strict=True)}
    cell: dict[tuple[int, str], float | None] = {}
    for key, result in zip(keys, results, strict=True):
        for k, cost in zip(per_target[key], result[1:], strict=True):
            cell[(k, key)] = cost
    return baseline, [tuple(cell[(k, str(t))] for t in targets) for k, (_, targets) in enumerate(measured)]


def recognition_whatif(
    catalogue: Catalogue,
    *,
    provider: str | None = None,
    award: str | None = None,
    engine: Engine | None = None,
    max_candidates: int = 5,
    max_roles: int = 3,
    as_of: dt.date | None = None,
    obtain: Obtainability | None = None,
    scheduler: Scheduler = None,
    progress: Progress | None = None,
    reuse: bool = True,
) -> WhatIfResult:
    """Rank single new recognition agreements by their measured effect on routes.

    Every candidate agreement is measured (see the module docstring for which are
    candidates); nothing is left out for time.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue.
    provider : str, optional
        Only agreements towards this provider's awards.
    award : str, optional
        Only agreements towards this award.
    engine : callable, optional
        The route engine (default :func:`planner.engine.routing.recommend`).
    max_candidates : int
        Candidate agreements per award (the most credible, see the module docstring).
    max_roles : int
        Roles measured per award (besides the award and awards built on it).
    as_of : datetime.date, optional
        Plan start and agreement validity date (default: today).
    obtain : Obtainability, optional
        Precomputed obtainability.
    scheduler : None, str, distributed.Client or Runner
        Where the route searches run (:func:`planner.analysis.parallel.runner`): serially by
        default, ``"local"`` for a local Dask cluster, or a scheduler address.
    progress : callable, optional
        ``progress(done, total)`` as measurement tasks finish (with the planner's engine a
        task is one target with every candidate measured on it; otherwise one baseline
        target, or one candidate on all its targets).
    reuse : bool
        Share the work between the measurements of one target when the engine is the
        planner's own (see the module docstring); False measures one search at a time, as
        any other engine is. The result is the same.

    Returns
    -------
    WhatIfResult
        Candidates ranked by targets unlocked, then total saving, then ids.

    """
    day = resolve_as_of(as_of)
    engine = engine or load_engine()
    base_currency = catalogue.meta.base_currency
    if engine is None:
        return WhatIfResult(provider, award, (), (), base_currency, False, 0,
                            "the route engine is not available, so no effect could be measured")
    obtain = obtain or obtainability(catalogue, day)
    awards = [a for a in sorted(catalogue.awards, key=lambda c: c.id)
              if (award is None or a.id == award) and (provider is None or a.provider == provider)]
    # plan every measurement first: the tasks are independent, so they can run anywhere
    plan = _plan(catalogue, awards, obtain, max_candidates, max_roles)
    baseline_targets = _first_of_each(t for _, targets, _ in plan for t in targets)
    measured = [(agreement, tuple(targets)) for _, targets, candidates in plan for agreement, _, _ in candidates]
    searches = len(baseline_targets) + sum(len(targets) for _, targets in measured)
    with runner(scheduler) as run:
        baseline, costs = _measure(catalogue, engine, day, run, progress, baseline_targets, measured,
                                   reuse and engine is load_engine())
    results = _ranked(plan, baseline, costs)
    return WhatIfResult(
        provider=provider, award=award, candidates=tuple(results), baseline=tuple(sorted(baseline.items())),
        currency=base_currency, engine_available=True, searches=searches,
        note="" if results else "no candidate agreement found for the awards in scope",
    )


_Plan = list[tuple[Credential, list[Target], list[tuple[RecognitionAgreement, tuple[str, ...], str]]]]


def _plan(catalogue: Catalogue, awards: list[Credential], obtain: Obtainability, max_candidates: int,
          max_roles: int) -> _Plan:
    """(award, its targets, its candidate agreements) for each award with a candidate."""
    plan: _Plan = []
    for aw in awards:
        candidates = _candidates(catalogue, aw, obtain, max_candidates)
        if not candidates:
            continue
        plan.append((aw, _targets(catalogue, aw, max_roles), candidates))
    return plan


def _first_of_each(targets: Iterable[Target]) -> dict[str, Target]:
    """Each target once by its text, in order of first appearance (the baseline searches)."""
    first: dict[str, Target] = {}
    for t in targets:
        first.setdefault(str(t), t)
    return first


def _ranked(plan: _Plan, baseline: Mapping[str, float | None],
            costs: Sequence[tuple[float | None, ...]]) -> list[CandidateAgreement]:
    """Each planned candidate with its measured effects (``costs`` in plan order), best first."""
    after_costs = iter(costs)
    results: list[CandidateAgreement] = []
    for aw, targets, candidates in plan:
        for agreement, overlap, cred_provider in candidates:
            after = next(after_costs)
            effects = tuple(TargetEffect(str(t), baseline[str(t)], cost)
                            for t, cost in zip(targets, after, strict=True))
            results.append(CandidateAgreement(
                credential_id=agreement.credential, award_id=aw.id, provider_id=aw.provider,
                credential_provider_id=cred_provider, credits=agreement.credits,
                pool=None if agreement.equivalent_to else first_pool_key(aw.award.rule) if aw.award else None,
                equivalent_to=agreement.equivalent_to, overlap=overlap, effects=effects,
            ))
    results.sort(key=lambda c: (-c.unlocked, -c.saving, c.award_id, c.credential_id))
    return results
