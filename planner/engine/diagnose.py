"""Why a target cannot be reached, and the smallest change that would reach it.

Diagnosis relaxes one constraint at a time and re-runs the route search, so every
suggested change is checked, not guessed: "the cheapest route costs 2,400 EUR, 900 EUR
above your budget" comes from a real route that costs 2,400 EUR. Before a fix is shown it
is applied to the profile (so it must pass the model's own limits) and the search is run
again with it; a fix that does not reach the target is never shown. Amounts are in the
learner's currency, rounded up; weekly hours are the least whole number that works, found
by bisection under the learner's other constraints (the deadline included). When no single
change works, pairs of changes (hours and deadline, budget and deadline, budget and
hours) are tried the same way; when nothing within the model's limits works, it says so.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from planner.catalogue.models import (
    MAX_COST,
    MAX_HOURS_PER_WEEK,
    Catalogue,
    Constraints,
    LearnerProfile,
    Money,
    Objective,
    Target,
)
from planner.engine.problem import Problem, build_problem
from planner.engine.results import Diagnosis, Route
from planner.engine.rules import effort
from planner.engine.search import Clock, build, make_route, search

__all__ = ["apply_relaxation", "diagnose"]


def apply_relaxation(profile: LearnerProfile, relaxation: dict[str, Any]) -> LearnerProfile:
    """Return ``profile`` with its constraints changed as a diagnosis suggests.

    Parameters
    ----------
    profile : LearnerProfile
        The learner as they are.
    relaxation : dict
        Constraint field → new value, as in :attr:`Diagnosis.relaxation`.

    Returns
    -------
    LearnerProfile
        A validated copy; the original is unchanged.

    """
    data = profile.constraints.model_dump(mode="json")
    data.update(relaxation)
    constraints = Constraints.model_validate(data)
    return profile.model_copy(update={"constraints": constraints})


def _label(catalogue: Catalogue, competency_id: str) -> str:
    return catalogue.competency(competency_id).label if catalogue.has("competency", competency_id) else competency_id


def _coverage_causes(catalogue: Catalogue, problem: Problem) -> list[Diagnosis]:
    out: list[Diagnosis] = []
    blocked: list[str] = []
    reasons: set[str] = set()
    for comp, level in problem.uncoverable:
        teachers = [c for c in catalogue.credentials
                    if any(t.competency == comp and t.level >= level for t in c.teaches)]
        if not teachers:
            best = max((t.level for c in catalogue.credentials for t in c.teaches if t.competency == comp),
                       default=0)
            where = f"; the highest level taught is {best}" if best else "; no credential teaches it at all"
            out.append(Diagnosis(
                "no_teacher",
                f"Nobody in the catalogue teaches {_label(catalogue, comp)} at level {level}{where}.",
            ))
            continue
        excluded = {c.id: problem.excluded[c.id] for c in teachers if c.id in problem.excluded}
        if excluded and all("budget" in why for why in excluded.values()):
            continue  # the budget diagnosis says it better, with the cheapest route's cost
        blocked.append(f"{_label(catalogue, comp)} (level {level})")
        # the reason without the credential-specific part, so that like reasons merge
        reasons.update(why for why in excluded.values() if "budget" not in why)
    if blocked:
        shown = ", ".join(blocked[:5]) + (f" and {len(blocked) - 5} more" if len(blocked) > 5 else "")
        why = "; ".join(sorted(reasons)[:3]) or "their prerequisites cannot be met"
        out.append(Diagnosis(
            "excluded",
            f"{len(blocked)} needed competenc{'y is' if len(blocked) == 1 else 'ies are'} taught only by "
            f"credentials your constraints exclude: {shown}. Reasons: {why}.",
        ))
    return out


#: Seconds one diagnostic re-solve may take (within the call's budget).
_PROBE_SECONDS = 3.0


def _cheapest(catalogue: Catalogue, profile: LearnerProfile, target: Target, start: dt.date,
              objective: Objective = Objective.COST, clock: Clock | None = None) -> Route | None:
    """The best route under ``profile`` (None: none, or none found within the budget)."""
    seconds = _PROBE_SECONDS if clock is None else min(_PROBE_SECONDS, clock.remaining())
    if seconds <= 0:
        return None
    problem = build(catalogue, profile, target, start=start, credit_award=None)
    result = search(catalogue, profile, problem, objective=objective, weights=None, alternatives=1,
                    credit_award=None, start=start, clock=Clock(seconds))
    if not result.found:
        return None
    return make_route(catalogue, profile, target, problem, result.found[0], rank=1, objective=objective,
                      credit_award=None, start=start)


def _works(catalogue: Catalogue, profile: LearnerProfile, target: Target, start: dt.date,
           relaxation: dict[str, Any], clock: Clock | None) -> Route | None:
    """The route a relaxation gives, or None when it fails validation or reaches nothing."""
    try:
        relaxed = apply_relaxation(profile, relaxation)
    except (ValidationError, ValueError):
        return None  # outside the model's limits: a fix the learner could not apply
    return _cheapest(catalogue, relaxed, target, start, clock=clock)


def _relaxed(profile: LearnerProfile, **changes: Any) -> LearnerProfile:
    return profile.model_copy(update={"constraints": profile.constraints.model_copy(update=changes)})


def _titles(catalogue: Catalogue, ids: Sequence[str]) -> str:
    return ", ".join(catalogue.credential(c).title for c in ids)


def _in_currency(catalogue: Catalogue, amount_base: float, currency: str) -> float:
    rate = 1.0 if currency == catalogue.meta.base_currency else catalogue.meta.exchange_rates[currency]
    return amount_base / rate


def _budget_fix(catalogue: Catalogue, profile: LearnerProfile, target: Target, start: dt.date,
                route: Route, clock: Clock | None, extra: dict[str, Any] | None = None,
                ) -> tuple[dict[str, Any], Route] | None:
    """The least whole budget (learner's currency) that a re-solve confirms, from ``route``'s cost."""
    budget = profile.constraints.budget
    currency = budget.currency if budget is not None else catalogue.meta.base_currency
    needed = math.ceil(_in_currency(catalogue, route.total_cost, currency) - 1e-9)
    for _ in range(4):  # rounding and conversion: step up a unit until the re-solve confirms
        if needed > MAX_COST:
            return None
        relaxation = {**(extra or {}), "budget": Money(amount=needed, currency=currency).model_dump(mode="json")}
        got = _works(catalogue, profile, target, start, relaxation, clock)
        if got is not None:
            return relaxation, got
        needed += 1
    return None


def _budget(catalogue: Catalogue, profile: LearnerProfile, target: Target, start: dt.date,
            clock: Clock | None = None) -> Diagnosis | None:
    budget = profile.constraints.budget
    if budget is None:
        return None
    route = _cheapest(catalogue, _relaxed(profile, budget=None), target, start, clock=clock)
    if route is None:
        return None
    fix = _budget_fix(catalogue, profile, target, start, route, clock)
    if fix is None:
        return None
    relaxation, _ = fix
    needed = relaxation["budget"]["amount"]
    gap = needed - budget.amount
    return Diagnosis(
        "budget",
        f"The cheapest route costs {needed:,.0f} {budget.currency}, {gap:,.0f} {budget.currency} above "
        f"your budget of {budget.amount:,.0f} {budget.currency}.",
        relaxation,
    )


def _deadline(catalogue: Catalogue, profile: LearnerProfile, target: Target, start: dt.date,
              clock: Clock | None = None) -> Diagnosis | None:
    deadline = profile.constraints.deadline
    if deadline is None:
        return None
    route = _cheapest(catalogue, _relaxed(profile, deadline=None), target, start, Objective.TIME, clock=clock)
    if route is None:
        return None
    relaxation = {"deadline": max(route.finish, start + dt.timedelta(days=1)).isoformat()}
    if _works(catalogue, profile, target, start, relaxation, clock) is None:
        return None
    return Diagnosis(
        "deadline",
        f"The earliest any route finishes is {route.finish.isoformat()} ({route.weeks} weeks), after your "
        f"deadline of {deadline.isoformat()}.",
        relaxation,
    )


def _least_hours(catalogue: Catalogue, profile: LearnerProfile, target: Target, start: dt.date,
                 clock: Clock | None, extra: dict[str, Any] | None = None) -> tuple[int, Route] | None:
    """Least whole weekly hours (above the current) with which a route exists, by bisection.

    More weekly hours never remove a route, so feasibility is monotone in the hours. Without
    a deadline the weekly hours decide only which credentials may be taken at all (a
    credential heavier than the cap is excluded; anything else can run one at a time), so
    the answer is one of the credentials' own weekly loads, rounded up, and the bisection
    runs over those few values; with a deadline it runs over every whole number.
    """
    current = profile.constraints.hours_per_week or 0.0
    top = int(MAX_HOURS_PER_WEEK)
    deadline = (extra or {}).get("deadline", profile.constraints.deadline)
    if deadline is None:
        free = _relaxed(profile, hours_per_week=None, min_hours_per_week=None)
        reachable = build(catalogue, free, target, start=start, credit_award=None).candidates
        loads = {math.ceil(effort(catalogue.credential(c)).rate - 1e-9) for c in reachable}
        values = sorted(v for v in loads if current < v <= top) or [top]
    else:
        values = list(range(math.floor(current) + 1, top + 1))

    def attempt(h: int) -> Route | None:
        return _works(catalogue, profile, target, start, {**(extra or {}), "hours_per_week": float(h)}, clock)

    best = attempt(values[-1])
    if best is None:
        return None
    lo, hi = -1, len(values) - 1  # values[lo] fails (or is below the range), values[hi] works
    while hi - lo > 1:
        if clock is not None and clock.expired():
            break
        mid = (lo + hi) // 2
        got = attempt(values[mid])
        if got is not None:
            hi, best = mid, got
        else:
            lo = mid
    return values[hi], best


def _hours(catalogue: Catalogue, profile: LearnerProfile, target: Target, start: dt.date,
           clock: Clock | None = None) -> Diagnosis | None:
    hours = profile.constraints.hours_per_week
    if hours is None:
        return None
    found = _least_hours(catalogue, profile, target, start, clock)
    if found is None:
        return None
    need, _ = found
    return Diagnosis(
        "hours",
        f"With {need:g} study hours a week a route fits your other constraints; you have {hours:g}.",
        {"hours_per_week": float(need)},
    )


def _pairs(catalogue: Catalogue, profile: LearnerProfile, target: Target, start: dt.date,
           clock: Clock | None) -> Diagnosis | None:
    """Two numeric changes together, when no single one works: each value verified by a re-solve."""
    c = profile.constraints
    if c.deadline is not None and c.hours_per_week is not None:
        fastest = _cheapest(catalogue, _relaxed(profile, deadline=None, hours_per_week=MAX_HOURS_PER_WEEK),
                            target, start, Objective.TIME, clock=clock)
        if fastest is not None:
            extra = {"deadline": max(fastest.finish, start + dt.timedelta(days=1)).isoformat()}
            found = _least_hours(catalogue, profile, target, start, clock, extra)
            if found is not None:
                need, route = found
                return Diagnosis(
                    "combined",
                    f"No single change is enough: with {need:g} study hours a week and a deadline of "
                    f"{extra['deadline']} a route exists (finishing {route.finish.isoformat()}).",
                    {**extra, "hours_per_week": float(need)},
                )
    if c.budget is not None and (c.deadline is not None or c.hours_per_week is not None):
        free = _relaxed(profile, budget=None, deadline=None,
                        hours_per_week=MAX_HOURS_PER_WEEK if c.hours_per_week is not None else None)
        route = _cheapest(catalogue, free, target, start, clock=clock)
        if route is not None:
            extra: dict[str, Any] = {}
            if c.deadline is not None and route.finish > c.deadline:
                extra["deadline"] = route.finish.isoformat()
            if c.hours_per_week is not None:
                peak = max((s.hours_per_week for s in route.schedule), default=c.hours_per_week)
                if peak > c.hours_per_week:
                    extra["hours_per_week"] = float(min(MAX_HOURS_PER_WEEK, math.ceil(peak)))
            fix = _budget_fix(catalogue, profile, target, start, route, clock, extra)
            if fix is not None:
                relaxation, got = fix
                money = relaxation["budget"]
                return Diagnosis(
                    "combined",
                    f"No single change is enough: with a budget of {money['amount']:,.0f} {money['currency']}"
                    + "".join(f", {k.replace('_', ' ')} {v}" for k, v in extra.items())
                    + f" a route exists (finishing {got.finish.isoformat()}).",
                    relaxation,
                )
    return None


def _list_relaxation(
    catalogue: Catalogue,
    profile: LearnerProfile,
    target: Target,
    start: dt.date,
    *,
    field: str,
    empty: Any,
    used: Callable[[Sequence[str]], set[str]],
    merge: Callable[[list[str], set[str]], list[str]],
    describe: str,
    name: Callable[[str], str] = str,
    clock: Clock | None = None,
) -> Diagnosis | None:
    current = list(getattr(profile.constraints, field))
    if not current:
        return None
    route = _cheapest(catalogue, _relaxed(profile, **{field: empty}), target, start, clock=clock)
    if route is None:
        return None
    extra = used(route.credential_ids)
    new_value = merge(current, extra)
    if _works(catalogue, profile, target, start, {field: sorted(str(v) for v in new_value)}, clock) is None:
        return None
    return Diagnosis(
        "excluded",
        f"Reachable only if you {describe} {', '.join(sorted(name(x) for x in extra))} (route: "
        f"{_titles(catalogue, route.credential_ids)}).",
        {field: sorted(str(v) for v in new_value)},
    )


def diagnose(
    catalogue: Catalogue,
    profile: LearnerProfile,
    target: Target,
    problem: Problem | None = None,
    *,
    start: dt.date,
    clock: Clock | None = None,
) -> tuple[Diagnosis, ...]:
    """Explain why no route reaches ``target`` and which single change would fix it.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue searched.
    profile : LearnerProfile
        The learner whose constraints made the target unreachable.
    target : Target
        The unreachable target.
    problem : Problem, optional
        The pruned problem of the failed search (rebuilt when not given).
    start : datetime.date
        Plan start.
    clock : Clock, optional
        The calling search's time budget; diagnosis stops (and says so) when it is spent.

    Returns
    -------
    tuple of Diagnosis
        Catalogue gaps first (nothing to relax), then each constraint that alone blocks the
        target with the smallest change that lifts it (``relaxation``), then, when no single
        change suffices, the combination that does.

    """
    problem = problem or build_problem(catalogue, profile, target, today=start)
    out = _coverage_causes(catalogue, problem)
    if any(d.code == "no_teacher" for d in out):
        return tuple(out)

    def cred_attr(attr: Callable[[Any], Sequence[str]]) -> Callable[[Sequence[str]], set[str]]:
        return lambda ids: {str(v) for c in ids for v in attr(catalogue.credential(c))}

    c = profile.constraints
    checks: list[Diagnosis | None] = [
        _budget(catalogue, profile, target, start, clock),
        _deadline(catalogue, profile, target, start, clock),
        _hours(catalogue, profile, target, start, clock),
        _list_relaxation(
            catalogue, profile, target, start, field="modes", empty=[],
            # a credential offered in several modes, none accepted: its first mode is the one suggested
            used=lambda ids: {str(catalogue.credential(i).participation[0]) for i in ids
                              if catalogue.credential(i).participation
                              and not set(catalogue.credential(i).participation) & set(c.modes)},
            merge=lambda cur, extra: [*cur, *extra], describe="also accept the participation mode", clock=clock,
        ),
        _list_relaxation(
            catalogue, profile, target, start, field="languages", empty=[],
            used=lambda ids: {lang for i in ids for lang in catalogue.credential(i).languages
                              if catalogue.credential(i).languages
                              and not set(catalogue.credential(i).languages) & set(c.languages)},
            merge=lambda cur, extra: [*cur, *extra], describe="also accept teaching in", clock=clock,
        ),
        _list_relaxation(
            catalogue, profile, target, start, field="countries", empty=[],
            used=lambda ids: {catalogue.provider(catalogue.credential(i).provider).country for i in ids
                              if catalogue.provider(catalogue.credential(i).provider).country not in c.countries},
            merge=lambda cur, extra: [*cur, *extra], describe="also accept providers in", clock=clock,
        ),
        _list_relaxation(
            catalogue, profile, target, start, field="avoid_providers", empty=[],
            used=lambda ids: {catalogue.credential(i).provider for i in ids} & set(c.avoid_providers),
            merge=lambda cur, extra: [p for p in cur if p not in extra], describe="stop avoiding the provider",
            name=lambda p: catalogue.provider(p).name if catalogue.has("provider", p) else p,
            clock=clock,
        ),
        _list_relaxation(
            catalogue, profile, target, start, field="avoid_credentials", empty=[],
            used=lambda ids: set(ids) & set(c.avoid_credentials),
            merge=lambda cur, extra: [p for p in cur if p not in extra], describe="stop avoiding",
            name=lambda c: catalogue.credential(c).title if catalogue.has("credential", c) else c,
            clock=clock,
        ),
    ]
    out.extend(d for d in checks if d is not None)
    if len(out) == len(_coverage_causes(catalogue, problem)):
        pair = _pairs(catalogue, profile, target, start, clock)
        if pair is not None:
            out.append(pair)
    if len(out) == len(_coverage_causes(catalogue, problem)):
        free = Constraints(start=c.start)
        relaxed = profile.model_copy(update={"constraints": free})
        route = _cheapest(catalogue, relaxed, target, start, clock=clock)
        lifted = {k: v for k, v in free.model_dump(mode="json").items()
                  if getattr(c, k) != getattr(free, k)}
        if route is not None:
            out.append(Diagnosis(
                "combined",
                "No change within one or two of your constraints is enough; with none of them the cheapest "
                f"route costs {route.total_cost:,.0f} {route.currency} and finishes {route.finish.isoformat()}.",
                lifted,
            ))
        elif clock is not None and clock.expired():
            out.append(Diagnosis(
                "time_limit",
                "The diagnosis stopped at the time limit before it found a change that reaches the target.",
            ))
        elif not out:
            out.append(Diagnosis(
                "award_rule" if target.kind == "award" else "prerequisite",
                "The catalogue cannot reach this target even without constraints: "
                + ("the award's rules cannot be met with the credentials on offer."
                   if target.kind == "award" else "some needed credential's prerequisites can never be met."),
            ))
    return tuple(out)
