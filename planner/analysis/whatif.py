"""Recognition what-if: which single new agreement would open the most routes.

A candidate agreement says "credential C counts towards award A for C's ECTS", made by
A's provider. Its effect is **measured**: the route engine is re-run on the catalogue with
the agreement added, for every target it could matter to, and the cheapest route costs are
compared with the baseline.

Candidates are limited so the search stays small and sensible:

* awards in scope: the given award, or the given provider's awards, or every award
  (awards nobody can earn yet first, then by id; the search stops at ``max_searches``);
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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner.analysis._common import (
    Obtainability,
    award_components,
    first_pool_key,
    obtainability,
    resolve_as_of,
)
from planner.analysis.reachability import Engine, load_engine
from planner.models import (
    Catalogue,
    Constraints,
    Credential,
    LearnerProfile,
    Objective,
    RecognitionAgreement,
    Target,
)

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
    truncated: bool  # stopped at max_searches
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
        try:
            cost = catalogue.to_base(cred.cost) if cred.cost else 0.0
        except KeyError:
            cost = float("inf")
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


def recognition_whatif(
    catalogue: Catalogue,
    *,
    provider: str | None = None,
    award: str | None = None,
    engine: Engine | None = None,
    max_candidates: int = 5,
    max_roles: int = 3,
    max_searches: int = 300,
    as_of: dt.date | None = None,
    obtain: Obtainability | None = None,
) -> WhatIfResult:
    """Rank single new recognition agreements by their measured effect on routes.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue.
    provider : str, optional
        Only agreements towards this provider's awards.
    award : str, optional
        Only agreements towards this award.
    engine : callable, optional
        The route engine (default :func:`planner.routing.recommend`).
    max_candidates : int
        Candidate agreements tried per award.
    max_roles : int
        Roles measured per award (besides the award and awards built on it).
    max_searches : int
        Stop after this many route searches (the result says so).
    as_of : datetime.date, optional
        Plan start and agreement validity date (default: today).
    obtain : Obtainability, optional
        Precomputed obtainability.

    Returns
    -------
    WhatIfResult
        Candidates ranked by targets unlocked, then total saving, then ids.

    """
    day = resolve_as_of(as_of)
    engine = engine or load_engine()
    base_currency = catalogue.meta.base_currency
    if engine is None:
        return WhatIfResult(provider, award, (), (), base_currency, False, 0, False,
                            "the route engine is not available, so no effect could be measured")
    obtain = obtain or obtainability(catalogue, day)
    profile = LearnerProfile(name="from zero", constraints=Constraints(start=day))
    searches = 0
    truncated = False
    baseline: dict[str, float | None] = {}

    def cheapest(cat: Catalogue, target: Target) -> float | None:
        nonlocal searches
        searches += 1
        try:
            rec = engine(cat, profile, target, objective=Objective.COST, alternatives=1, today=day,
                         diagnose_infeasible=False)
        except Exception:  # an engine failure counts as "no route" for this measurement
            return None
        return rec.best.total_cost if rec.best else None

    # awards nobody can earn yet come first: within the search limit, unlocking matters most
    awards = [a for a in sorted(catalogue.awards, key=lambda c: (c.id in obtain.obtainable, c.id))
              if (award is None or a.id == award) and (provider is None or a.provider == provider)]
    results: list[CandidateAgreement] = []
    for aw in awards:
        targets = _targets(catalogue, aw, max_roles)
        candidates = _candidates(catalogue, aw, obtain, max_candidates)
        if not candidates:
            continue
        for t in targets:
            if str(t) not in baseline:
                baseline[str(t)] = cheapest(catalogue, t)
        for agreement, overlap, cred_provider in candidates:
            if searches + len(targets) > max_searches:
                truncated = True
                break
            fields = {name: getattr(catalogue, name) for name in type(catalogue).model_fields}
            fields["recognitions"] = [*catalogue.recognitions, agreement]
            # model_construct skips re-validating the whole catalogue; the agreement itself is valid
            changed = type(catalogue).model_construct(**fields)
            effects = tuple(TargetEffect(str(t), baseline[str(t)], cheapest(changed, t)) for t in targets)
            results.append(CandidateAgreement(
                credential_id=agreement.credential, award_id=aw.id, provider_id=aw.provider,
                credential_provider_id=cred_provider, credits=agreement.credits,
                pool=None if agreement.equivalent_to else first_pool_key(aw.award.rule) if aw.award else None,
                equivalent_to=agreement.equivalent_to, overlap=overlap, effects=effects,
            ))
        if truncated:
            break
    results.sort(key=lambda c: (-c.unlocked, -c.saving, c.award_id, c.credential_id))
    return WhatIfResult(
        provider=provider, award=award, candidates=tuple(results), baseline=tuple(sorted(baseline.items())),
        currency=base_currency, engine_available=True, searches=searches, truncated=truncated,
        note="" if results else "no candidate agreement found for the awards in scope",
    )
