"""Reference route selection by plain enumeration, for cross-checking the MILP.

Works on the *raw* catalogue, profile and target (not on the pruned Problem), so it
checks the pruning too. Every subset of the credentials that are not held and not
excluded by the constraints is tried (keep catalogues at ≤ 12 such credentials).

Semantics (the same as ``planner.engine.problem`` documents):

* holdings valid when ``earned + validity > today``; valid holdings meet prerequisites,
  teach, and count in award rules (an award's own validity window also applies);
* a set is valid when its credentials can be placed one by one, each only once every one
  of its prerequisite groups is met by a holding, a declared/held competency level, or an
  already placed credential (never by itself), and, for an award, once its rules are met
  by holdings and already placed credentials;
* award rules: the minimum prior-learning credit needed to meet a node (pool: what its
  new credit lacks, if available from held credit and recognition agreements; all-of:
  sum; n-of: sum of the n smallest) must not exceed the RPL cap;
* weeks lower bound: longest prerequisite chain (a group's time is its fastest chosen
  supporter; groups met by holdings add nothing; an award finishes no earlier than the
  first time its rules are met by finished credentials) or hours / hours per week.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from planner.catalogue.models import (
    Catalogue,
    Credential,
    LearnerProfile,
    Objective,
    Rule,
    RuleAllOf,
    RuleCredential,
    RuleCredits,
    RuleNOf,
    Target,
)

INF = float("inf")
EPS = 1e-7


def _valid(earned: dt.date, years: float | None, today: dt.date) -> bool:
    return years is None or earned + dt.timedelta(days=years * 365.25) > today


@dataclass
class Outcome:
    """A feasible set with its measures."""

    chosen: frozenset[str]
    cost: float
    hours: float
    weeks: float
    credit: float
    #: optional role needs (missing at the start) that some chosen credential teaches at ≥ level
    covered: int = 0

    def value(self, objective: Objective) -> float:
        return {
            Objective.COST: self.cost,
            Objective.WORKLOAD: self.hours,
            Objective.TIME: self.weeks,
            Objective.CREDIT: self.credit,
        }[objective]

    def key(self, objective: Objective) -> tuple[float, float, int, int]:
        """Rank: primary objective, cost, most optional needs covered, fewest credentials."""
        primary = -self.credit if objective == Objective.CREDIT else self.value(objective)
        return (round(primary, 6), round(self.cost, 6), -self.covered, len(self.chosen))


class BruteForce:
    """Enumerate every subset; keep the feasible ones with their measures."""

    def __init__(
        self,
        catalogue: Catalogue,
        profile: LearnerProfile,
        target: Target,
        *,
        today: dt.date,
        credit_award: str | None = None,
    ) -> None:
        self.cat = catalogue
        self.target = target
        self.today = today
        self.credit_award = credit_award or (target.id if target.kind == "award" else None)
        creds = {c.id: c for c in catalogue.credentials}
        self.creds = creds
        earned: dict[str, dt.date] = {}
        for h in profile.holdings:
            if h.credential not in earned or h.earned > earned[h.credential]:
                earned[h.credential] = h.earned
        self.held = {
            c: d for c, d in earned.items()
            if _valid(d, creds[c].credit_validity_years if c in creds else None, today)
        }
        known: dict[str, int] = {}
        for cl in profile.competencies:
            known[cl.competency] = max(known.get(cl.competency, 0), cl.level)
        for c in self.held:
            if c in creds:
                for t in creds[c].teaches:
                    known[t.competency] = max(known.get(t.competency, 0), t.level)
        self.known = known
        cons = profile.constraints
        self.budget = catalogue.to_base(cons.budget) if cons.budget else None
        self.hpw = cons.hours_per_week
        self.available = sorted(c for c in creds if self._allowed(creds[c], profile))
        self.agreements = [a for a in catalogue.recognitions if a.is_valid_on(today)]

    # -- filters ----------------------------------------------------------------

    def _allowed(self, cred: Credential, profile: LearnerProfile) -> bool:
        cons = profile.constraints
        if cred.id in self.held or cred.id in cons.avoid_credentials or cred.provider in cons.avoid_providers:
            return False
        if cons.modes and cred.participation and not set(cred.participation) & set(cons.modes):
            return False
        if cons.languages and cred.languages and not set(cons.languages) & set(cred.languages):
            return False
        if cons.countries:
            provider = next((p for p in self.cat.providers if p.id == cred.provider), None)
            if provider is not None and provider.country not in cons.countries:
                return False
        if cred.cost is not None:
            if cred.cost.currency != self.cat.meta.base_currency and (
                cred.cost.currency not in self.cat.meta.exchange_rates
            ):
                return False
            if self.budget is not None and self._cost(cred) > self.budget + 1e-9:
                return False
        # a credential needing more study hours a week than the learner has cannot be taken
        if cons.hours_per_week is not None and cred.award is None:
            rate = self._rate(cred)
            if rate is not None and rate > cons.hours_per_week + 1e-9:
                return False
        return True

    def _cost(self, cred: Credential) -> float:
        return self.cat.to_base(cred.cost) if cred.cost is not None else 0.0

    # effort, as docs/semantics.md states it (unknown figures count as 0)
    def _hours_or_none(self, cred: Credential) -> float | None:
        if cred.hours is not None:
            return cred.hours
        if cred.ects is not None:
            return cred.ects * 25.0
        if cred.duration_weeks is not None and cred.hours_per_week is not None:
            return cred.duration_weeks * cred.hours_per_week
        return None

    def _hours(self, cred: Credential) -> float:
        if cred.award is not None:
            return 0.0
        return self._hours_or_none(cred) or 0.0

    def _weeks_or_none(self, cred: Credential) -> int | None:
        if cred.duration_weeks is not None:
            return cred.duration_weeks
        hours = self._hours_or_none(cred)
        if hours is None:
            return None
        return math.ceil(hours / (cred.hours_per_week or 10.0) - 1e-9) if hours > 0 else 0

    def _weeks(self, cred: Credential) -> int:
        if cred.award is not None:
            return 0
        return self._weeks_or_none(cred) or 0

    def _rate(self, cred: Credential) -> float | None:
        weeks = self._weeks_or_none(cred)
        if weeks == 0:
            return 0.0
        if cred.hours_per_week is not None:
            return cred.hours_per_week
        hours = self._hours_or_none(cred)
        return hours / weeks if hours is not None and weeks else None

    # -- checks -------------------------------------------------------------------

    def _alt_met(self, alt, placed: set[str], me: str) -> bool:
        if alt.credential is not None:
            return alt.credential in self.held or (alt.credential in placed and alt.credential != me)
        if self.known.get(alt.competency, 0) >= alt.level:
            return True
        return any(
            p != me and any(t.competency == alt.competency and t.level >= alt.level for t in self.creds[p].teaches)
            for p in placed
        )

    def _ordered(self, chosen: frozenset[str]) -> bool:
        placed: set[str] = set()
        left = set(chosen)
        progress = True
        while left and progress:
            progress = False
            for c in sorted(left):
                if all(any(self._alt_met(a, placed, c) for a in g.any_of) for g in self.creds[c].requires) and (
                    self.creds[c].award is None or self.award_met(c, frozenset(placed))
                ):
                    placed.add(c)
                    left.discard(c)
                    progress = True
        return not left

    def _group_met_by_prior(self, group) -> bool:
        return any(self._alt_met(a, set(), "") for a in group.any_of)

    def _supports(self, p: str, alt) -> bool:
        if alt.credential is not None:
            return alt.credential == p
        return any(t.competency == alt.competency and t.level >= alt.level for t in self.creds[p].teaches)

    def weeks(self, chosen: frozenset[str]) -> float:
        finish = {c: INF for c in chosen}
        for _ in range(len(chosen) + 1):
            for c in sorted(chosen):
                start = 0.0
                for g in self.creds[c].requires:
                    if self._group_met_by_prior(g):
                        continue
                    best = min(
                        (finish[p] for p in chosen if p != c and any(self._supports(p, a) for a in g.any_of)),
                        default=INF,
                    )
                    start = max(start, best)
                value = start + self._weeks(self.creds[c])
                if self.creds[c].award is not None:
                    # an award is complete once components meeting its rules are
                    times = sorted({0.0, *(f for p, f in finish.items() if p != c and f < INF)})
                    done = next((t for t in times if self.award_met(
                        c, frozenset(p for p, f in finish.items() if p != c and f <= t))), INF)
                    value = max(value, done)
                finish[c] = min(finish[c], value)
        chain = max(finish.values(), default=0.0)
        if self.hpw:
            chain = max(chain, sum(self._hours(self.creds[c]) for c in chosen) / self.hpw)
        return chain

    def _held_for(self, award: Credential) -> set[str]:
        window = award.award.credit_validity_years if award.award else None
        return {c for c, d in self.held.items() if _valid(d, window, self.today)}

    def award_met(self, award_id: str, chosen: frozenset[str]) -> bool:
        award = self.creds[award_id]
        assert award.award is not None
        have = self._held_for(award)
        agreements = [a for a in self.agreements if a.award == award_id]
        pools: list[RuleCredits] = []

        def collect(rule: Rule) -> None:
            if isinstance(rule, RuleCredits):
                pools.append(rule)
            for child in getattr(rule, "all_of", None) or getattr(rule, "of", None) or []:
                collect(child)

        collect(award.award.rule)

        def pool_targets(agreement) -> list[int]:
            if agreement.equivalent_to is not None:
                return [i for i, p in enumerate(pools) if agreement.equivalent_to in p.from_]
            if agreement.pool is not None:
                return [next(i for i, p in enumerate(pools) if p.id == agreement.pool)] if any(
                    p.id == agreement.pool for p in pools) else []
            return [0] if pools else []

        def need(rule: Rule) -> float:
            if isinstance(rule, RuleCredential):
                alts = [rule.credential] + [a.credential for a in agreements if a.equivalent_to == rule.credential]
                return 0.0 if any(a in chosen or a in have for a in alts) else INF
            if isinstance(rule, RuleCredits):
                index = next(i for i, p in enumerate(pools) if p is rule)
                new = sum((self.creds[c].ects or 0.0) for c in set(rule.from_) if c in chosen and c in self.creds)
                prior = sum((self.creds[c].ects or 0.0) for c in set(rule.from_) if c in have and c in self.creds)
                prior += sum(
                    a.credits for a in agreements
                    if (a.credential in chosen or a.credential in have) and index in pool_targets(a)
                )
                lack = max(0.0, rule.credits - new)
                return lack if lack <= prior + EPS else INF
            if isinstance(rule, RuleAllOf):
                return sum(need(ch) for ch in rule.all_of)
            assert isinstance(rule, RuleNOf)
            needs = sorted(need(ch) for ch in rule.of)
            if rule.n_of > len(needs):
                return INF
            return sum(needs[: rule.n_of])

        total = need(award.award.rule)
        cap = award.award.rpl_cap
        return total < INF and (cap is None or total <= cap + EPS)

    def credit(self, chosen: frozenset[str]) -> float:
        if self.credit_award is None:
            return 0.0
        award = self.creds[self.credit_award]
        assert award.award is not None
        have = self._held_for(award)
        named: set[str] = set()

        def collect(rule: Rule) -> None:
            if isinstance(rule, RuleCredential):
                named.add(rule.credential)
            elif isinstance(rule, RuleCredits):
                named.update(rule.from_)
            for child in getattr(rule, "all_of", None) or getattr(rule, "of", None) or []:
                collect(child)

        collect(award.award.rule)
        total = sum((self.creds[c].ects or 0.0) for c in named if c in self.creds and (c in chosen or c in have))
        total += sum(
            a.credits for a in self.agreements
            if a.award == self.credit_award and (a.credential in chosen or a.credential in have)
        )
        return total

    def optional_needs(self) -> list[tuple[str, int]]:
        """The role's optional needs (highest level per competency) not yet known."""
        if self.target.kind != "role":
            return []
        role = next(r for r in self.cat.roles if r.id == self.target.id)
        levels: dict[str, int] = {}
        for n in role.needs:
            if not n.essential:
                levels[n.competency] = max(levels.get(n.competency, 0), n.level)
        return sorted((c, lv) for c, lv in levels.items() if self.known.get(c, 0) < lv)

    def covered(self, chosen: frozenset[str]) -> int:
        """How many missing optional needs some chosen credential teaches at ≥ their level."""
        return sum(
            1 for comp, level in self.optional_needs()
            if any(t.competency == comp and t.level >= level for c in chosen for t in self.creds[c].teaches)
        )

    def target_met(self, chosen: frozenset[str]) -> bool:
        if self.target.kind == "award":
            return self.target.id in self.held or self.target.id in chosen
        if self.target.kind == "role":
            role = next(r for r in self.cat.roles if r.id == self.target.id)
            needs = [(n.competency, n.level) for n in role.needs if n.essential]
        else:
            needs = [(c.competency, c.level) for c in self.target.competencies]
        for comp, level in needs:
            if self.known.get(comp, 0) >= level:
                continue
            if not any(
                t.competency == comp and t.level >= level for c in chosen for t in self.creds[c].teaches
            ):
                return False
        return True

    def feasible(self, chosen: frozenset[str]) -> bool:
        if self.budget is not None and sum(self._cost(self.creds[c]) for c in chosen) > self.budget + 1e-9:
            return False
        if not self.target_met(chosen):
            return False
        for c in chosen:
            if self.creds[c].award is not None and not self.award_met(c, chosen):
                return False
        if self.target.kind == "award" and self.target.id not in self.held and not self.award_met(
            self.target.id or "", chosen
        ):
            return False
        return self._ordered(chosen)

    def outcomes(self) -> list[Outcome]:
        assert len(self.available) <= 14, "brute force is for small catalogues"
        found = []
        for size in range(len(self.available) + 1):
            for combo in combinations(self.available, size):
                chosen = frozenset(combo)
                if self.feasible(chosen):
                    found.append(Outcome(
                        chosen,
                        sum(self._cost(self.creds[c]) for c in chosen),
                        sum(self._hours(self.creds[c]) for c in chosen),
                        self.weeks(chosen),
                        self.credit(chosen),
                        self.covered(chosen),
                    ))
        return found


def k_best(outcomes: Iterable[Outcome], objective: Objective, k: int) -> list[Outcome]:
    """What repeated solving with no-good cuts yields: best first, never a superset of a pick."""
    ranked = sorted(outcomes, key=lambda o: (o.key(objective), sorted(o.chosen)))
    picked: list[Outcome] = []
    for o in ranked:
        if len(picked) == k:
            break
        if any(p.chosen <= o.chosen for p in picked):
            continue
        picked.append(o)
    return picked


def catalogue(
    credentials: list[dict],
    *,
    roles: list[dict] | None = None,
    recognitions: list[dict] | None = None,
    rates: dict[str, float] | None = None,
) -> Catalogue:
    """A small catalogue from terse credential dicts (provider ``p`` / ``q`` added)."""
    creds = []
    for spec in credentials:
        full = {"provider": "p", "type": "course", "title": spec["id"], **spec}
        if "award" in full and full["type"] == "course":
            full["type"] = "certificate"
        creds.append(full)
    return Catalogue.model_validate({
        "meta": {"base_currency": "EUR", "exchange_rates": rates or {"USD": 0.5}},
        "providers": [
            {"id": "p", "name": "P", "country": "DE", "kind": "university"},
            {"id": "q", "name": "Q", "country": "FR", "kind": "online_platform"},
        ],
        "credentials": creds,
        "roles": roles or [],
        "recognitions": recognitions or [],
    })
