"""Stacking coverage per award: which award rules can be met by stacking, and how much credit.

For each award (a credential with award rules) the rule tree is checked against the
credentials anyone can obtain (see :mod:`planner.analysis._common`) plus the recognition
agreements in force. The most credit reachable by stacking is:

* the ECTS of every distinct obtainable credential listed in the rule tree, plus
* the credits of recognition agreements whose credential is obtainable (and not already
  listed), capped by the award's RPL cap,
* capped by the award's own ECTS (no award accepts more credit than it is worth), and,
  when the award has a credit validity window of ``V`` years, by ``60 × V`` ECTS: credit
  older than ``V`` years expires, and a full-time learner earns at most 60 ECTS a year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from planner.analysis._common import (
    ECTS_PER_YEAR,
    Obtainability,
    agreements_by_award,
    check_award,
    describe_rule,
    obtainability,
    resolve_as_of,
)
from planner.analysis.parallel import Scheduler, runner
from planner.catalogue.graph import walk_rules
from planner.catalogue.models import (
    Catalogue,
    Credential,
    RecognitionAgreement,
    RuleAllOf,
    RuleCredential,
    RuleCredits,
    RuleNOf,
)

#: Awards checked per task on a cluster.
AWARDS_PER_TASK = 64

__all__ = ["AwardCoverage", "CoverageResult", "ProviderCredit", "RuleCoverage", "stacking_coverage"]


@dataclass(frozen=True)
class RuleCoverage:
    """One node of an award's rule tree and whether stacking can meet it."""

    path: str  # dotted child indices from the root "0"
    depth: int
    kind: str  # all_of, n_of, credits, credential
    description: str
    stackable: bool
    needed: float  # ECTS for a credit pool, requirements for all-of / n-of, 1 for a component
    reachable: float  # ECTS reachable, or requirements that can be met
    via: tuple[str, ...]  # obtainable credentials that serve it
    via_recognition: tuple[str, ...]  # recognition agreements that serve it
    blocked: tuple[str, ...]  # listed credentials nobody can obtain


@dataclass(frozen=True)
class ProviderCredit:
    """Credit towards an award reachable through one provider's credentials (before caps)."""

    provider_id: str
    credits: float
    credentials: int
    recognised: bool  # True when it comes from recognition agreements


@dataclass(frozen=True)
class AwardCoverage:
    """Stacking coverage of one award."""

    award_id: str
    title: str
    provider_id: str
    award_ects: float | None
    stackable: bool  # the whole rule tree can be met by stacking
    rules: tuple[RuleCoverage, ...]
    max_stackable_credits: float
    listed_credits: float  # obtainable credentials named by the rules
    recognised_credits: float  # from recognition agreements, before the RPL cap
    recognised_credits_counted: float  # after the RPL cap
    rpl_cap: float | None
    credit_validity_years: float | None
    by_provider: tuple[ProviderCredit, ...]
    no_route: tuple[str, ...]  # paths of component / pool rules that stacking cannot meet
    notes: tuple[str, ...] = ()

    @property
    def share_stackable(self) -> float:
        """Share of the rule tree's leaves (components and pools) that stacking can meet."""
        leaves = [r for r in self.rules if r.kind in ("credential", "credits")]
        return sum(r.stackable for r in leaves) / len(leaves) if leaves else 0.0


@dataclass(frozen=True)
class CoverageResult:
    """Stacking coverage of the awards in scope."""

    as_of: dt.date
    awards: tuple[AwardCoverage, ...]


def _kind(rule: object) -> str:
    if isinstance(rule, RuleAllOf):
        return "all_of"
    if isinstance(rule, RuleNOf):
        return "n_of"
    if isinstance(rule, RuleCredits):
        return "credits"
    assert isinstance(rule, RuleCredential)
    return "credential"


def _award_batch(catalogue: Catalogue, obtain: Obtainability, day: dt.date,
                 award_ids: tuple[str, ...]) -> list[AwardCoverage]:
    """Coverage of a batch of awards (one task; a pure function of its arguments)."""
    agreements = agreements_by_award(catalogue, day)
    ects = {c.id: c.ects or 0.0 for c in catalogue.credentials}
    provider_of = {c.id: c.provider for c in catalogue.credentials}
    return [_award(catalogue.credential(aid), catalogue, obtain, agreements, ects, provider_of)
            for aid in award_ids]


def _award(cred: Credential, catalogue: Catalogue, obtain: Obtainability,
           agreements: dict[str, list[RecognitionAgreement]], ects: dict[str, float],
           provider_of: dict[str, str]) -> AwardCoverage:
    spec = cred.award
    assert spec is not None
    checks = check_award(cred, obtain.obtainable, agreements.get(cred.id, []), ects)
    rules = []
    listed: set[str] = set()
    for path, node in walk_rules(spec.rule):
        check = checks[path]
        kind = _kind(node)
        if isinstance(node, RuleCredential):
            listed.add(node.credential)
        elif isinstance(node, RuleCredits):
            listed.update(node.from_)
        rules.append(RuleCoverage(
            path=path, depth=path.count("."), kind=kind, description=describe_rule(node, catalogue),
            stackable=check.met, needed=check.needed, reachable=check.reachable, via=check.via,
            via_recognition=check.via_recognition, blocked=check.blocked,
        ))
    own = sorted(c for c in listed if c in obtain.obtainable and c != cred.id)
    listed_credits = sum(ects.get(c, 0.0) for c in own)
    recog = [a for a in agreements.get(cred.id, [])
             if a.credential in obtain.obtainable and a.credential not in listed]
    # one agreement per recognised credential counts (the most generous)
    best_recog: dict[str, float] = {}
    for a in recog:
        best_recog[a.credential] = max(best_recog.get(a.credential, 0.0), a.credits)
    recognised = sum(best_recog.values())
    counted = min(recognised, spec.rpl_cap) if spec.rpl_cap is not None else recognised
    total = listed_credits + counted
    notes = []
    if spec.rpl_cap is not None and recognised > spec.rpl_cap:
        notes.append(f"recognised credit {recognised:g} ECTS is capped at the RPL cap "
                     f"of {spec.rpl_cap:g}")
    if cred.ects is not None and total > cred.ects:
        total = cred.ects
        notes.append(f"capped at the award's own {cred.ects:g} ECTS")
    if spec.credit_validity_years is not None:
        ceiling = ECTS_PER_YEAR * spec.credit_validity_years
        if total > ceiling:
            total = ceiling
            notes.append(f"credit expires after {spec.credit_validity_years:g} years: at most "
                         f"{ceiling:g} ECTS can be valid at once at a full-time pace")
    by_provider: dict[tuple[str, bool], list[float]] = defaultdict(list)
    for c in own:
        by_provider[(provider_of[c], False)].append(ects.get(c, 0.0))
    for c, credits in best_recog.items():
        by_provider[(provider_of.get(c, "?"), True)].append(credits)
    provider_rows = tuple(
        ProviderCredit(p, sum(v), len(v), r) for (p, r), v in sorted(by_provider.items())
    )
    no_route = tuple(r.path for r in rules if r.kind in ("credential", "credits") and not r.stackable)
    return AwardCoverage(
        award_id=cred.id, title=cred.title, provider_id=cred.provider, award_ects=cred.ects,
        stackable=checks["0"].met, rules=tuple(rules), max_stackable_credits=round(total, 6),
        listed_credits=listed_credits, recognised_credits=recognised, recognised_credits_counted=counted,
        rpl_cap=spec.rpl_cap, credit_validity_years=spec.credit_validity_years,
        by_provider=provider_rows, no_route=no_route, notes=tuple(notes),
    )


def stacking_coverage(
    catalogue: Catalogue,
    *,
    provider: str | None = None,
    award: str | None = None,
    as_of: dt.date | None = None,
    obtain: Obtainability | None = None,
    scheduler: Scheduler = None,
) -> CoverageResult:
    """Stacking coverage of every award, or of one provider's awards, or of one award.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue.
    provider : str, optional
        Only awards of this provider.
    award : str, optional
        Only this award.
    as_of : datetime.date, optional
        Date for recognition agreement validity (default: today).
    obtain : Obtainability, optional
        A precomputed :func:`planner.analysis._common.obtainability` (saves time when
        several analyses run together).
    scheduler : None, str, distributed.Client or Runner
        Where the per-award checks run (:func:`planner.analysis.parallel.runner`); serially
        by default.

    Returns
    -------
    CoverageResult
        One :class:`AwardCoverage` per award, sorted by award id.

    """
    day = resolve_as_of(as_of)
    obtain = obtain or obtainability(catalogue, day)
    ids = [c.id for c in sorted(catalogue.awards, key=lambda c: c.id)
           if not ((award and c.id != award) or (provider and c.provider != provider))]
    # batches, not one task per award: a rule check is far cheaper than sending a task
    batches = [tuple(ids[i:i + AWARDS_PER_TASK]) for i in range(0, len(ids), AWARDS_PER_TASK)]
    with runner(scheduler) as run:
        parts = run.map(_award_batch, batches, common=(catalogue, obtain, day))
    return CoverageResult(as_of=day, awards=tuple(a for part in parts for a in part))
