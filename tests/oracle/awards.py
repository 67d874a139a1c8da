"""Award rule trees, read from the raw rule models: met? and least prior credit needed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from planner.catalogue.models import (
    Credential,
    RecognitionAgreement,
    Rule,
    RuleAllOf,
    RuleCredential,
    RuleCredits,
    RuleNOf,
)

EPS = 1e-9


def in_force(agreement: RecognitionAgreement, today: dt.date) -> bool:
    """``valid_from <= today <= valid_until``; a missing bound is open."""
    return (agreement.valid_from is None or agreement.valid_from <= today) and (
        agreement.valid_until is None or today <= agreement.valid_until
    )


def children(rule: Rule) -> Sequence[Rule]:
    if isinstance(rule, RuleAllOf):
        return rule.all_of
    if isinstance(rule, RuleNOf):
        return rule.of
    return ()


def named(rule: Rule) -> Iterator[str]:
    """Every credential a tree names (leaves and pool members), depth-first, document order."""
    if isinstance(rule, RuleCredential):
        yield rule.credential
    elif isinstance(rule, RuleCredits):
        yield from rule.from_
    else:
        for child in children(rule):
            yield from named(child)


def pools(rule: Rule) -> Iterator[RuleCredits]:
    """The credit pools of a tree, depth-first, in document order."""
    if isinstance(rule, RuleCredits):
        yield rule
    else:
        for child in children(rule):
            yield from pools(child)


class AwardRules:
    """One award's rule tree with the agreements for it that are in force on ``today``.

    Parameters
    ----------
    award : Credential
        The award (a credential with ``award``).
    agreements : sequence of RecognitionAgreement
        Every agreement of the catalogue; those for other awards or not in force are dropped.
    ects : dict
        ECTS of every credential id (missing ECTS: 0).
    today : datetime.date
        The plan's day zero.
    """

    def __init__(self, award: Credential, agreements: Sequence[RecognitionAgreement], ects: dict[str, float],
                 today: dt.date) -> None:
        assert award.award is not None
        self.id = award.id
        self.spec = award.award
        self.ects = ects
        self.agreements = [a for a in agreements if a.award == award.id and in_force(a, today)]
        all_pools = list(pools(self.spec.rule))
        self.first_pool = all_pools[0] if all_pools else None

    def _targets(self, agreement: RecognitionAgreement, pool: RuleCredits) -> bool:
        if agreement.pool is not None:
            return pool.id == agreement.pool
        if agreement.equivalent_to is not None:
            return agreement.equivalent_to in pool.from_
        return pool is self.first_pool

    def need(self, rule: Rule, counted: frozenset[str], new: frozenset[str], held: frozenset[str]) -> float | None:
        """Least prior credit needed to meet ``rule`` (``None``: cannot be met).

        ``counted``: counted credentials (held within the window, or route credentials
        finished); ``new``: the route credentials among them; ``held``: the counted holdings.
        """
        if isinstance(rule, RuleCredential):
            c = rule.credential
            if c == self.id:
                return None  # an award never counts towards itself
            if c in counted:
                return 0.0
            if any(a.equivalent_to == c and a.credential in counted for a in self.agreements):
                return 0.0
            return None
        if isinstance(rule, RuleCredits):
            members = [c for c in dict.fromkeys(rule.from_) if c != self.id]
            fresh = sum(self.ects.get(c, 0.0) for c in members if c in new)
            prior = sum(self.ects.get(c, 0.0) for c in members if c in held)
            prior += sum(a.credits for a in self.agreements if a.credential in counted and self._targets(a, rule))
            lack = max(0.0, rule.credits - fresh)
            if lack > prior + EPS:
                return None
            return lack
        needs = [self.need(child, counted, new, held) for child in children(rule)]
        if isinstance(rule, RuleAllOf):
            return None if any(n is None for n in needs) else sum(needs)  # type: ignore[arg-type]
        assert isinstance(rule, RuleNOf)
        ok = sorted(n for n in needs if n is not None)
        return sum(ok[: rule.n_of]) if len(ok) >= rule.n_of else None

    def met(self, counted: frozenset[str], new: frozenset[str], held: frozenset[str]) -> bool:
        """Whether the tree is met within the RPL cap."""
        need = self.need(self.spec.rule, counted, new, held)
        if need is None:
            return False
        return self.spec.rpl_cap is None or need <= self.spec.rpl_cap + EPS

    def credit(self, present: frozenset[str]) -> float:
        """Credit towards this award from ``present`` (counted holdings and route credentials)."""
        names = [c for c in dict.fromkeys(named(self.spec.rule)) if c != self.id]
        total = sum(self.ects.get(c, 0.0) for c in names if c in present)
        return total + sum(a.credits for a in self.agreements if a.credential in present)
