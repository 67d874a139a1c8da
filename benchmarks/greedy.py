"""A greedy route finder: the baseline a naive tool would offer.

It is what the exact optimiser is measured against (cost ratio optimiser/greedy ≤ 1):

* **Role / competency targets**: repeatedly take the credential whose *bundle* (the
  credential plus the prerequisites it still needs, chosen greedily) covers the most
  still-missing target competencies per unit of cost, until every essential competency is
  met or nothing helps any more.
* **Award targets**: walk the rule tree; for ``n_of`` take the cheapest children, for a
  credit pool repeatedly take the component with the most credit per unit of cost, for a
  leaf take the credential (or a credential recognised as its equivalent).

Prerequisites (AND of OR groups) are met by the cheapest alternative found greedily, and
every bundle lists prerequisites before what needs them, so the returned order is a valid
order of study. Costs are in the catalogue's base currency. Learner constraints that
filter the catalogue (modes, languages, countries, avoided providers and credentials, a
credential needing more hours a week than the learner has) are respected; the budget is
not (the route's cost is reported instead), and neither are the schedule (intakes, the
weekly-hours total across parallel credentials) and the deadline. An award's RPL cap is
applied per credit pool (the generator makes at most one pool per award).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner.catalogue.models import (
    Catalogue,
    Credential,
    LearnerProfile,
    RecognitionAgreement,
    RequirementAlternative,
    RuleAllOf,
    RuleCredential,
    RuleCredits,
    RuleNOf,
    Target,
)

__all__ = ["Greedy", "GreedyRoute", "greedy_route"]

#: Cheapest teachers tried for a competency prerequisite (keeps the search small).
_TEACHERS_TRIED = 3
_EPS = 1e-9


@dataclass(frozen=True)
class GreedyRoute:
    """What the greedy baseline found."""

    credential_ids: tuple[str, ...]  # in the order taken: prerequisites before dependants
    cost: float  # total, in the catalogue's base currency
    met: bool  # whether the target is reached
    reason: str = ""  # why not, when it is not


class _State:
    """Credentials held or taken, and competency levels known; cheap to copy."""

    __slots__ = ("added", "cost", "have", "known", "prior")

    def __init__(self) -> None:
        self.have: set[str] = set()
        self.prior: set[str] = set()  # held before the plan (counts as prior learning)
        self.known: dict[str, int] = {}
        self.added: list[str] = []
        self.cost = 0.0

    def copy(self) -> _State:
        other = _State()
        other.have = set(self.have)
        other.prior = self.prior  # never changes after set-up
        other.known = dict(self.known)
        other.added = list(self.added)
        other.cost = self.cost
        return other

    def adopt(self, other: _State) -> None:
        self.have, self.known, self.added, self.cost = other.have, other.known, other.added, other.cost


class Greedy:
    """Greedy baseline over one catalogue; build once, then call :meth:`route` per query.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue to plan in.
    """

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.by_id: dict[str, Credential] = {c.id: c for c in catalogue.credentials}
        self.teachers: dict[str, list[tuple[int, str]]] = {}
        for cred in catalogue.credentials:
            for t in cred.teaches:
                self.teachers.setdefault(t.competency, []).append((t.level, cred.id))
        self.base_cost: dict[str, float] = {}
        for cred in catalogue.credentials:
            try:
                self.base_cost[cred.id] = catalogue.to_base(cred.cost) if cred.cost else 0.0
            except KeyError:
                self.base_cost[cred.id] = float("inf")  # unknown currency: never comparable
        self.recognitions: dict[str, list[RecognitionAgreement]] = {}
        for rec in catalogue.recognitions:
            self.recognitions.setdefault(rec.award, []).append(rec)
        self.provider_country = {p.id: p.country for p in catalogue.providers}

    # ------------------------------------------------------------------ set-up

    def _allowed(self, cred: Credential, profile: LearnerProfile) -> bool:
        cons = profile.constraints
        if cred.id in cons.avoid_credentials or cred.provider in cons.avoid_providers:
            return False
        if cons.modes and cred.participation is not None and cred.participation not in cons.modes:
            return False
        if cons.languages and cred.languages and not set(cred.languages) & set(cons.languages):
            return False
        if cons.hours_per_week and cred.hours_per_week and cred.hours_per_week > cons.hours_per_week + _EPS:
            return False  # needs more weekly hours than the learner has: can never be scheduled
        country = self.provider_country.get(cred.provider)
        if cons.countries and country is not None and country not in cons.countries:
            return False
        return self.base_cost[cred.id] != float("inf")

    def _initial_state(self, profile: LearnerProfile, today: dt.date) -> _State:
        state = _State()
        for comp in profile.competencies:
            state.known[comp.competency] = max(state.known.get(comp.competency, 0), comp.level)
        for holding in profile.holdings:
            cred = self.by_id.get(holding.credential)
            if cred is None or not _still_valid(holding.earned, cred.credit_validity_years, today):
                continue  # expired credit does not count
            state.have.add(cred.id)
            for t in cred.teaches:
                state.known[t.competency] = max(state.known.get(t.competency, 0), t.level)
        state.prior = set(state.have)
        return state

    # ------------------------------------------------------------------ prerequisites

    def _take(self, cid: str, st: _State, ctx: _Context, visiting: frozenset[str]) -> bool:
        """Add ``cid`` and (greedily) what it needs to ``st``; False (``st`` spoiled) if impossible."""
        if cid in st.have:
            return True
        cred = self.by_id.get(cid)
        if cred is None or cid in visiting or cid in ctx.excluded or not ctx.allowed(cred):
            return False
        visiting = visiting | {cid}
        if cred.award is not None and not self._satisfy_award(cred, st, ctx, visiting):
            return False
        for group in cred.requires:
            if any(_alt_met(alt, st) for alt in group.any_of):
                continue
            best: _State | None = None
            for alt in group.any_of:
                options = [alt.credential] if alt.credential is not None else self._cheapest_teachers(
                    alt.competency or "", alt.level or 0, ctx)
                for option in options:
                    trial = st.copy()
                    if self._take(option, trial, ctx, visiting) and _cheaper(trial, best):
                        best = trial
            if best is None:
                return False
            st.adopt(best)
        st.have.add(cid)
        st.added.append(cid)
        st.cost += self.base_cost[cid]
        for t in cred.teaches:
            st.known[t.competency] = max(st.known.get(t.competency, 0), t.level)
        return True

    def _cheapest_teachers(self, competency: str, level: int, ctx: _Context) -> list[str]:
        found = [cid for lv, cid in self.teachers.get(competency, ()) if lv >= level
                 and cid not in ctx.excluded and ctx.allowed(self.by_id[cid])]
        found.sort(key=lambda cid: (self.base_cost[cid], cid))
        return found[:_TEACHERS_TRIED]

    def _bundle(self, cid: str, st: _State, ctx: _Context) -> _State | None:
        trial = st.copy()
        return trial if self._take(cid, trial, ctx, frozenset()) else None

    # ------------------------------------------------------------------ awards

    def _rule_met(self, rule: object, award: Credential, st: _State, ctx: _Context) -> bool:
        if isinstance(rule, RuleCredential):
            return rule.credential in st.have or any(
                rec.equivalent_to == rule.credential and rec.credential in st.have
                for rec in ctx.recognised(award.id))
        if isinstance(rule, RuleAllOf):
            return all(self._rule_met(child, award, st, ctx) for child in rule.all_of)
        if isinstance(rule, RuleNOf):
            return sum(self._rule_met(child, award, st, ctx) for child in rule.of) >= rule.n_of
        if isinstance(rule, RuleCredits):
            return self._credits(rule, award, st, ctx) >= rule.credits - _EPS
        raise TypeError(f"unknown award rule {rule!r}")

    def _credits(self, rule: RuleCredits, award: Credential, st: _State, ctx: _Context) -> float:
        """Credit counted in a pool: new study in full, prior learning + recognition up to the cap."""
        own = 0.0
        capped = 0.0
        listed = set(rule.from_)
        for cid in listed & st.have:
            ects = (self.by_id[cid].ects or 0.0) if cid in self.by_id else 0.0
            if cid in st.prior:
                if ctx.award_valid(award, cid):
                    capped += ects
            else:
                own += ects
        first_pool = _first_pool(award)
        for rec in ctx.recognised(award.id):
            in_pool = rec.pool == rule.id if rec.pool else (rec.equivalent_to is None and first_pool is rule)
            if in_pool and rec.credential in st.have and rec.credential not in listed:
                capped += rec.credits
        cap = award.award.rpl_cap if award.award and award.award.rpl_cap is not None else float("inf")
        return own + min(capped, cap)

    def _satisfy(self, rule: object, award: Credential, st: _State, ctx: _Context,
                 visiting: frozenset[str]) -> bool:
        if self._rule_met(rule, award, st, ctx):
            return True
        if isinstance(rule, RuleCredential):
            stand_ins = sorted(rec.credential for rec in ctx.recognised(award.id)
                               if rec.equivalent_to == rule.credential)
            options = [rule.credential, *stand_ins]
            best: _State | None = None
            for option in options:
                trial = st.copy()
                if self._take(option, trial, ctx, visiting) and _cheaper(trial, best):
                    best = trial
            if best is None:
                return False
            st.adopt(best)
            return True
        if isinstance(rule, RuleAllOf):
            return all(self._satisfy(child, award, st, ctx, visiting) for child in rule.all_of)
        if isinstance(rule, RuleNOf):
            priced: list[tuple[float, int]] = []
            for pos, child in enumerate(rule.of):
                trial = st.copy()
                if self._satisfy(child, award, trial, ctx, visiting):
                    priced.append((trial.cost - st.cost, pos))
            if len(priced) < rule.n_of:
                return False
            for _, pos in sorted(priced)[: rule.n_of]:
                if not self._satisfy(rule.of[pos], award, st, ctx, visiting):
                    return False
            return self._rule_met(rule, award, st, ctx)
        if isinstance(rule, RuleCredits):
            return self._fill_pool(rule, award, st, ctx, visiting)
        raise TypeError(f"unknown award rule {rule!r}")

    def _fill_pool(self, rule: RuleCredits, award: Credential, st: _State, ctx: _Context,
                   visiting: frozenset[str]) -> bool:
        candidates = set(rule.from_)
        first_pool = _first_pool(award)
        for rec in ctx.recognised(award.id):
            if (rec.pool == rule.id if rec.pool else (rec.equivalent_to is None and first_pool is rule)):
                candidates.add(rec.credential)
        while True:
            have = self._credits(rule, award, st, ctx)
            if have >= rule.credits - _EPS:
                return True
            best: tuple[float, float, str] | None = None
            best_state: _State | None = None
            for cid in sorted(candidates - st.have):
                trial = st.copy()
                if not self._take(cid, trial, ctx, visiting):
                    continue
                gain = self._credits(rule, award, trial, ctx) - have
                if gain <= _EPS:
                    continue
                key = (-(gain / max(trial.cost - st.cost, _EPS)), trial.cost - st.cost, cid)
                if best is None or key < best:
                    best, best_state = key, trial
            if best_state is None:
                return False
            st.adopt(best_state)

    def _satisfy_award(self, award: Credential, st: _State, ctx: _Context, visiting: frozenset[str]) -> bool:
        assert award.award is not None
        return self._satisfy(award.award.rule, award, st, ctx, visiting)

    # ------------------------------------------------------------------ public

    def route(self, profile: LearnerProfile, target: Target, *, today: dt.date | None = None) -> GreedyRoute:
        """Find a route greedily.

        Parameters
        ----------
        profile : LearnerProfile
            Holdings, known competencies and constraints (budget, hours and dates ignored).
        target : Target
            A role, an award or a list of competencies.
        today : datetime.date or None, optional
            Date against which credit validity and recognition agreements are checked;
            default the profile's start date, else today.

        Returns
        -------
        GreedyRoute
            The credentials taken in a valid study order and their total cost; ``met`` is
            False (with a reason) when the greedy search got stuck.
        """
        today = today or profile.constraints.start or dt.date.today()
        ctx = _Context(self, profile, today)
        st = self._initial_state(profile, today)
        if target.kind == "award":
            award = self.by_id.get(target.id or "")
            if award is None or award.award is None:
                return GreedyRoute((), 0.0, False, f"{target.id!r} is not an award in the catalogue")
            if award.id in st.have:
                return GreedyRoute((), 0.0, True, "already held")
            ok = self._take(award.id, st, ctx, frozenset())
            if not ok:
                return GreedyRoute((), 0.0, False, "stuck: an award rule cannot be met greedily")
            return GreedyRoute(tuple(st.added), st.cost, True)
        if target.kind == "role":
            if not self.catalogue.has("role", target.id or ""):
                return GreedyRoute((), 0.0, False, f"{target.id!r} is not a role in the catalogue")
            needs = {n.competency: n.level for n in self.catalogue.role(target.id or "").needs if n.essential}
        else:
            needs = {}
            for comp in target.competencies:
                needs[comp.competency] = max(needs.get(comp.competency, 0), comp.level)
        return self._cover(needs, st, ctx)

    def _cover(self, needs: dict[str, int], st: _State, ctx: _Context) -> GreedyRoute:
        while True:
            missing = {c: lv for c, lv in needs.items() if st.known.get(c, 0) < lv}
            if not missing:
                return GreedyRoute(tuple(st.added), st.cost, True)
            candidates = sorted({cid for comp, lv in missing.items()
                                 for tl, cid in self.teachers.get(comp, ()) if tl >= lv} - st.have)
            best: tuple[float, float, str] | None = None
            best_state: _State | None = None
            for cid in candidates:
                trial = self._bundle(cid, st, ctx)
                if trial is None:
                    continue
                covered = sum(1 for c, lv in missing.items() if trial.known.get(c, 0) >= lv)
                spent = trial.cost - st.cost
                key = (-(covered / max(spent, _EPS)), spent, cid)
                if best is None or key < best:
                    best, best_state = key, trial
            if best_state is None:
                blocked = ", ".join(f"{c} at level {lv}" for c, lv in sorted(missing.items()))
                return GreedyRoute(tuple(st.added), st.cost, False,
                                   f"stuck: nothing reachable teaches {blocked}")
            st.adopt(best_state)


class _Context:
    """Per-query facts: the learner's filters and the date."""

    def __init__(self, greedy: Greedy, profile: LearnerProfile, today: dt.date) -> None:
        self.greedy = greedy
        self.profile = profile
        self.today = today
        # valid holdings are never taken again; expired ones count for nothing and may be re-taken
        self.excluded: set[str] = set()
        for h in profile.holdings:
            cred = greedy.by_id.get(h.credential)
            if cred is not None and _still_valid(h.earned, cred.credit_validity_years, today):
                self.excluded.add(h.credential)
        self._allowed: dict[str, bool] = {}
        self.holding_dates = {h.credential: h.earned for h in profile.holdings}

    def allowed(self, cred: Credential) -> bool:
        ok = self._allowed.get(cred.id)
        if ok is None:
            ok = self._allowed[cred.id] = self.greedy._allowed(cred, self.profile)
        return ok

    def recognised(self, award_id: str) -> list[RecognitionAgreement]:
        return [r for r in self.greedy.recognitions.get(award_id, ()) if r.is_valid_on(self.today)]

    def award_valid(self, award: Credential, cid: str) -> bool:
        """Whether held credit for ``cid`` is still inside the award's validity window."""
        years = award.award.credit_validity_years if award.award else None
        earned = self.holding_dates.get(cid)
        return earned is None or _still_valid(earned, years, self.today)


def _cheaper(trial: _State, best: _State | None) -> bool:
    return best is None or trial.cost < best.cost - _EPS


def _alt_met(alt: RequirementAlternative, st: _State) -> bool:
    if alt.credential is not None:
        return alt.credential in st.have
    return st.known.get(alt.competency or "", 0) >= (alt.level or 0)


def _still_valid(earned: dt.date, years: float | None, today: dt.date) -> bool:
    # the convention of planner.engine.problem: valid while earned + validity > today
    return years is None or earned + dt.timedelta(days=years * 365.25) > today


def _first_pool(award: Credential) -> RuleCredits | None:
    """The award's first credit pool (breadth first), where unassigned recognitions count."""
    if award.award is None:
        return None
    queue: list[object] = [award.award.rule]
    while queue:
        node = queue.pop(0)
        if isinstance(node, RuleCredits):
            return node
        if isinstance(node, RuleAllOf):
            queue.extend(node.all_of)
        elif isinstance(node, RuleNOf):
            queue.extend(node.of)
    return None


def greedy_route(catalogue: Catalogue, profile: LearnerProfile, target: Target, *,
                 today: dt.date | None = None) -> GreedyRoute:
    """Find a route greedily (convenience wrapper around :class:`Greedy`).

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue to plan in.
    profile : LearnerProfile
        The learner.
    target : Target
        A role, an award or a list of competencies.
    today : datetime.date or None, optional
        Reference date for credit validity and recognitions.

    Returns
    -------
    GreedyRoute
        See :meth:`Greedy.route`.
    """
    return Greedy(catalogue).route(profile, target, today=today)
