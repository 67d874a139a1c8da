"""The brute-force oracle: every subset of the candidate credentials, each scheduled exactly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from planner.catalogue.models import Catalogue, Credential, LearnerProfile, Objective, RequirementGroup, Target

from .awards import EPS, AwardRules
from .effort import Effort, effort_of
from .timing import AwardTask, Result, Scheduler, Task, award_times, intake_weeks

MAX_CANDIDATES = 14
DAYS_PER_YEAR = 365.25


def still_valid(earned: dt.date, years: float | None, today: dt.date) -> bool:
    """``earned + timedelta(days=years * 365.25) > today`` (no limit: always)."""
    return years is None or earned + dt.timedelta(days=years * DAYS_PER_YEAR) > today


@dataclass(frozen=True)
class Outcome:
    """What the oracle knows about one credential set."""

    chosen: frozenset[str]
    feasible: bool
    reason: str
    cost: float = 0.0
    hours: float = 0.0
    credit: float = 0.0
    optional: int = 0
    finish_week: int | None = None
    finish_date: dt.date | None = None
    schedule: Result | None = None
    #: credentials whose duration or weekly load is unknown: the time figures are lower bounds
    unknown: frozenset[str] = frozenset()

    def key(self, objective: Objective | str) -> tuple[Any, ...]:
        """The ranking key of the semantics (smaller first)."""
        objective = Objective(objective)
        tail = (round(self.cost, 6), -self.optional, len(self.chosen))
        if objective == Objective.COST:
            return tail
        if objective == Objective.WORKLOAD:
            return (round(self.hours, 6), *tail)
        if objective == Objective.CREDIT:
            return (-round(self.credit, 6), *tail)
        return (self.finish_week, *tail)


class Oracle:
    """Independent reference for one (catalogue, profile, target) on ``today``.

    Parameters
    ----------
    catalogue, profile, target
        Parsed models; only their fields are read.
    today
        The plan's day zero (else the profile's start, else the real date).
    credit_award
        The award whose credit the ``credit`` objective maximises (default: the target
        award when the target is an award).
    """

    def __init__(self, catalogue: Catalogue, profile: LearnerProfile, target: Target, *,
                 today: dt.date | None = None, credit_award: str | None = None) -> None:
        self.cat = catalogue
        self.profile = profile
        self.target = target
        self.today = today or profile.constraints.start or dt.date.today()
        self.creds: dict[str, Credential] = {c.id: c for c in catalogue.credentials}
        self.providers = {p.id: p for p in catalogue.providers}
        self.ects = {c.id: float(c.ects or 0.0) for c in catalogue.credentials}
        self.effort: dict[str, Effort] = {c.id: effort_of(c) for c in catalogue.credentials}
        self.credit_award = credit_award or (target.id if target.kind == "award" else None)
        self._holdings()
        self._levels()
        self.rules = {c.id: AwardRules(c, catalogue.recognitions, self.ects, self.today)
                      for c in catalogue.credentials if c.award is not None}
        self.excluded: dict[str, str] = {}
        for c in catalogue.credentials:
            why = self._exclusion(c)
            if why:
                self.excluded[c.id] = why
        self.candidates = sorted(c for c in self.creds if c not in self.excluded)
        if len(self.candidates) > MAX_CANDIDATES:
            raise ValueError(f"{len(self.candidates)} candidates: too many to enumerate")
        self._cache: dict[frozenset[str], Outcome] = {}
        self._all: list[Outcome] | None = None

    # ------------------------------------------------------------------ the learner's position

    def _holdings(self) -> None:
        latest: dict[str, dt.date] = {}
        for h in self.profile.holdings:
            if h.credential not in latest or h.earned > latest[h.credential]:
                latest[h.credential] = h.earned
        self.held: dict[str, dt.date] = {
            c: e for c, e in latest.items()
            if c in self.creds and still_valid(e, self.creds[c].credit_validity_years, self.today)
        }

    def held_for(self, award_id: str) -> frozenset[str]:
        """Valid holdings earned within the award's window."""
        spec = self.creds[award_id].award
        window = spec.credit_validity_years if spec is not None else None
        return frozenset(c for c, e in self.held.items() if still_valid(e, window, self.today))

    def _levels(self) -> None:
        known: dict[str, int] = {}
        for k in self.profile.competencies:
            known[k.competency] = max(known.get(k.competency, 0), k.level)
        for c in self.held:
            for t in self.creds[c].teaches:
                known[t.competency] = max(known.get(t.competency, 0), t.level)
        self.known = known

    def _rate(self, currency: str) -> float | None:
        if currency == self.cat.meta.base_currency:
            return 1.0
        return self.cat.meta.exchange_rates.get(currency)

    def cost_of(self, cid: str) -> float | None:
        """Cost in the base currency (missing: 0; a compared price without a rate: ``None``).

        ``docs/semantics.md``, "Cost of a credential": one price, or the least of the prices
        for the learner's audiences and for anyone (when the learner names audiences and one
        fits), else the least of all prices; never a sum.
        """
        cred = self.creds[cid]
        prices = [(None, cred.cost)] if cred.cost is not None else [(o.audience, o.price) for o in cred.costs]
        if not prices:
            return 0.0
        mine = set(self.profile.constraints.audiences)
        fitting = [(a, m) for a, m in prices if a is None or a in mine]
        compared = fitting if mine and fitting else prices
        least = None
        for _audience, money in compared:
            rate = self._rate(money.currency)
            if rate is None:
                return None
            value = money.amount * rate
            least = value if least is None else min(least, value)
        return least

    @property
    def budget(self) -> float | None:
        money = self.profile.constraints.budget
        if money is None:
            return None
        rate = self._rate(money.currency)
        if rate is None:
            raise ValueError(f"budget currency {money.currency} has no rate")
        return money.amount * rate

    def _exclusion(self, c: Credential) -> str:
        k = self.profile.constraints
        if c.id in self.held:
            return "held"
        if c.id in k.avoid_credentials or c.provider in k.avoid_providers:
            return "avoided"
        if c.participation and k.modes and not set(c.participation) & set(k.modes):
            return "mode"
        if c.languages and k.languages and not set(c.languages) & set(k.languages):
            return "language"
        provider = self.providers.get(c.provider)
        if k.countries and (provider is None or provider.country not in k.countries):
            return "country"
        cost = self.cost_of(c.id)
        if cost is None:
            return "no rate"
        if self.budget is not None and cost > self.budget + EPS:
            return "budget"
        load = self.effort[c.id].load
        if load is not None and k.hours_per_week is not None and load > k.hours_per_week + EPS:
            return "weekly load"
        return ""

    # ------------------------------------------------------------------ one set

    def _teaches(self, cid: str, competency: str, level: int) -> bool:
        return any(t.competency == competency and t.level >= level for t in self.creds[cid].teaches)

    def _group_met_at_start(self, group: RequirementGroup) -> bool:
        for alt in group.any_of:
            if alt.credential is not None and alt.credential in self.held:
                return True
            if alt.competency is not None and self.known.get(alt.competency, 0) >= (alt.level or 0):
                return True
        return False

    def _supporters(self, cid: str, group: RequirementGroup, chosen: Iterable[str]) -> tuple[str, ...]:
        out = []
        for other in sorted(chosen):
            if other == cid:
                continue
            for alt in group.any_of:
                if (alt.credential == other) or (
                        alt.competency is not None and self._teaches(other, alt.competency, alt.level or 0)):
                    out.append(other)
                    break
        return tuple(out)

    def unmet_groups(self, cid: str, chosen: Iterable[str]) -> tuple[tuple[str, ...], ...]:
        """Prerequisite groups of ``cid`` not met at week 0, as the set members that could meet each."""
        chosen = list(chosen)
        return tuple(self._supporters(cid, g, chosen) for g in self.creds[cid].requires
                     if not self._group_met_at_start(g))

    def _needs(self) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        t = self.target
        if t.kind == "role":
            role = next(r for r in self.cat.roles if r.id == t.id)
            essential = [(n.competency, n.level) for n in role.needs if n.essential]
            optional = [(n.competency, n.level) for n in role.needs if not n.essential]
        elif t.kind == "competencies":
            essential, optional = [(k.competency, k.level) for k in t.competencies], []
        else:
            essential, optional = [], []
        missing = [(k, lv) for k, lv in essential if self.known.get(k, 0) < lv]
        missing_opt = [(k, lv) for k, lv in optional if self.known.get(k, 0) < lv]
        return missing, missing_opt

    def meets_target(self, chosen: frozenset[str]) -> bool:
        if self.target.kind == "award":
            return self.target.id in chosen or self.target.id in self.held
        missing, _ = self._needs()
        return all(any(self._teaches(c, k, lv) for c in chosen) for k, lv in missing)

    def _award_task(self, aid: str, chosen: frozenset[str]) -> AwardTask:
        rules, held = self.rules[aid], self.held_for(aid)

        def met(finished: frozenset[str]) -> bool:
            new = finished - {aid}
            return rules.met(held | new, new, held)

        return AwardTask(aid, self.unmet_groups(aid, chosen), met)

    def _tasks(self, chosen: frozenset[str]) -> tuple[list[Task], list[AwardTask]]:
        tasks, awards = [], []
        for cid in sorted(chosen):
            c = self.creds[cid]
            if c.award is not None:
                awards.append(self._award_task(cid, chosen))
                continue
            e = self.effort[cid]
            allowed = intake_weeks(c.runs.intakes, self.today) if c.runs is not None and c.runs.intakes else None
            tasks.append(Task(cid, e.sched_weeks, e.sched_load, allowed, self.unmet_groups(cid, chosen)))
        return tasks, awards

    def deadline_weeks(self) -> tuple[int | None, int | None]:
        """Latest finish week of a ≥ 1-week step and latest week of a zero-week step or award."""
        deadline = self.profile.constraints.deadline
        if deadline is None:
            return None, None
        days = (deadline - self.today).days
        return (days + 1) // 7, days // 7

    def schedule(self, chosen: Iterable[str], *, deadline: bool = True, first_only: bool = False) -> Result | None:
        """The exact earliest-finish schedule of ``chosen`` (``None``: cannot be scheduled)."""
        chosen = frozenset(chosen)
        tasks, awards = self._tasks(chosen)
        if any(not g for t in [*tasks, *awards] for g in t.groups):
            return None
        last_finish, last_instant = self.deadline_weeks() if deadline else (None, None)
        return Scheduler(tasks, awards, self.profile.constraints.hours_per_week, last_finish,
                         last_instant).solve(first_only=first_only)

    def finish_date(self, result: Result) -> dt.date:
        days = [7 * e - 1 if e > result.starts[t] else 7 * e for t, e in result.finishes.items()]
        days += [7 * w for w in result.award_weeks.values()]
        return self.today + dt.timedelta(days=max(days, default=0))

    def evaluate(self, chosen: Iterable[str]) -> Outcome:
        """Feasibility and every measure of one set (cached)."""
        chosen = frozenset(chosen)
        if chosen in self._cache:
            return self._cache[chosen]
        out = self._evaluate(chosen)
        self._cache[chosen] = out
        return out

    def _evaluate(self, chosen: frozenset[str]) -> Outcome:
        bad = sorted(c for c in chosen if c not in self.creds or c in self.excluded)
        if bad:
            return Outcome(chosen, False, f"excluded or unknown: {', '.join(bad)}")
        costs = [self.cost_of(c) or 0.0 for c in chosen]
        cost = sum(costs)
        if self.budget is not None and cost > self.budget + 1e-6:
            return Outcome(chosen, False, "over budget", cost=cost)
        if not self.meets_target(chosen):
            return Outcome(chosen, False, "target not met", cost=cost)
        result = self.schedule(chosen)
        if result is None:
            return Outcome(chosen, False, "cannot be scheduled (by the deadline)", cost=cost)
        hours = sum(self.effort[c].counted_hours for c in chosen)
        credit = 0.0
        if self.credit_award is not None and self.credit_award in self.rules:
            credit = self.rules[self.credit_award].credit(self.held_for(self.credit_award) | chosen)
        _, optional = self._needs()
        covered = sum(1 for k, lv in optional if any(self._teaches(c, k, lv) for c in chosen))
        unknown = frozenset(c for c in chosen if self.effort[c].weeks is None or self.effort[c].load is None)
        return Outcome(chosen, True, "", cost=cost, hours=hours, credit=credit, optional=covered,
                       finish_week=result.makespan, finish_date=self.finish_date(result), schedule=result,
                       unknown=unknown)

    # ------------------------------------------------------------------ every set

    def outcomes(self) -> list[Outcome]:
        """Every feasible set (the empty set included when the target is already met)."""
        if self._all is None:
            found = []
            for size in range(len(self.candidates) + 1):
                for combo in combinations(self.candidates, size):
                    out = self.evaluate(combo)
                    if out.feasible:
                        found.append(out)
            self._all = found
        return self._all

    @property
    def feasible(self) -> bool:
        return bool(self.outcomes())

    @property
    def already_met(self) -> bool:
        return self.evaluate(()).feasible

    def best_key(self, objective: Objective | str) -> tuple[Any, ...] | None:
        return min((o.key(objective) for o in self.outcomes()), default=None)

    def best_keys(self, objective: Objective | str, k: int) -> list[tuple[Any, ...]]:
        """Keys of routes 1..k by the Alternatives rule, ties broken by sorted ids."""
        routes: list[frozenset[str]] = []
        keys = []
        for _ in range(k):
            pool = [o for o in self.outcomes() if not any(o.chosen >= r for r in routes)]
            if not pool:
                break
            best = min(pool, key=lambda o: (o.key(objective), sorted(o.chosen)))
            routes.append(best.chosen)
            keys.append(best.key(objective))
        return keys

    def alternative_keys(self, objective: Objective | str,
                         routes: Sequence[Iterable[str]]) -> list[tuple[Any, ...] | None]:
        """For each position ``i`` (0 … len(routes)), the least key among feasible sets that
        are neither equal to nor a superset of ``routes[:i]`` (``None``: nothing qualifies)."""
        sets = [frozenset(r) for r in routes]
        out = []
        for i in range(len(sets) + 1):
            keys = [o.key(objective) for o in self.outcomes() if not any(o.chosen >= r for r in sets[:i])]
            out.append(min(keys, default=None))
        return out

    # ------------------------------------------------------------------ a returned route

    def check_schedule(self, route: Any) -> list[str]:
        """Every way ``route`` (a ``planner.engine.results.Route``) breaks the time rules; empty when valid."""
        errors: list[str] = []
        steps = list(route.schedule)
        ids = [s.credential_id for s in steps]
        chosen = frozenset(ids)
        if len(ids) != len(chosen) or chosen != frozenset(route.credential_ids):
            errors.append(f"schedule {sorted(ids)} does not match the route {sorted(route.credential_ids)}")
        if route.start != self.today:
            errors.append(f"route starts {route.start}, not on day zero {self.today}")
        by_id = {s.credential_id: s for s in steps}
        finish: dict[str, int] = {}
        day = dt.timedelta(days=1)
        for s in steps:
            c = self.creds.get(s.credential_id)
            if c is None:
                errors.append(f"{s.credential_id}: not in the catalogue")
                continue
            if s.start != self.today + 7 * day * s.start_week:
                errors.append(f"{c.id}: start date {s.start} is not week {s.start_week}")
            if c.award is not None:
                continue
            e = self.effort[c.id]
            if s.end_week != s.start_week + e.sched_weeks:
                errors.append(f"{c.id}: runs weeks {s.start_week}..{s.end_week} but lasts {e.sched_weeks}")
            last = self.today + day * (7 * s.end_week - 1 if s.end_week > s.start_week else 7 * s.start_week)
            if s.end != last:
                errors.append(f"{c.id}: end date {s.end}, expected {last}")
            if e.sched_weeks and abs(s.hours_per_week - e.sched_load) > 1e-6:  # a 0-week step's load is moot
                errors.append(f"{c.id}: {s.hours_per_week} h/week, expected {e.sched_load}")
            if c.runs is not None and c.runs.intakes and s.start_week not in intake_weeks(c.runs.intakes, self.today):
                errors.append(f"{c.id}: starts in week {s.start_week}, which has no intake")
            finish[c.id] = s.end_week
        awards = [self._award_task(a, chosen) for a in sorted(chosen) if a in self.rules]
        done = award_times(finish, awards)
        for a in awards:
            s = by_id[a.id]
            if a.id not in done:
                errors.append(f"{a.id}: award rules never met by the scheduled steps")
            elif s.start_week != done[a.id] or s.end_week != done[a.id]:
                errors.append(f"{a.id}: award placed in weeks {s.start_week}..{s.end_week}, "
                              f"its rules are first met in week {done[a.id]}")
            if s.end != s.start:
                errors.append(f"{a.id}: award spans {s.start}..{s.end}")
            finish[a.id] = s.end_week
        for s in steps:
            if s.credential_id not in self.creds:
                continue
            for group in self.unmet_groups(s.credential_id, chosen):
                if not any(finish.get(o, 10**9) <= s.start_week for o in group):
                    errors.append(f"{s.credential_id}: starts week {s.start_week} before a prerequisite "
                                  f"group ({', '.join(group) or 'nothing in the route'}) is met")
        capacity = self.profile.constraints.hours_per_week
        if capacity is not None:
            weeks: dict[int, float] = {}
            for s in steps:
                if s.credential_id in self.creds and s.credential_id not in self.rules:
                    for w in range(s.start_week, s.end_week):
                        weeks[w] = weeks.get(w, 0.0) + self.effort[s.credential_id].sched_load
            over = sorted(w for w, load in weeks.items() if load > capacity + 1e-6)
            if over:
                errors.append(f"weekly hours above {capacity:g} in weeks {over[:5]}")
        last_day = max((s.end for s in steps), default=self.today)
        if route.finish != last_day:
            errors.append(f"route finishes {route.finish}, its last step ends {last_day}")
        if route.weeks != max((s.end_week for s in steps), default=0):
            errors.append(f"route says {route.weeks} weeks, its last step ends week "
                          f"{max((s.end_week for s in steps), default=0)}")
        deadline = self.profile.constraints.deadline
        if deadline is not None and last_day > deadline:
            errors.append(f"finishes {last_day}, after the deadline {deadline}")
        return errors
