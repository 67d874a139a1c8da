"""Why a target cannot be reached, and the smallest change that would reach it.

Diagnosis relaxes one constraint at a time and re-runs the route search, so every
suggested change is checked, not guessed: "the cheapest route costs 2,400 EUR, 900 EUR
above your budget" comes from a real route that costs 2,400 EUR.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any

from planner.models import Catalogue, Constraints, LearnerProfile, Money, Objective, Target
from planner.problem import Problem, build_problem
from planner.results import Diagnosis

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


def _cheapest(catalogue: Catalogue, profile: LearnerProfile, target: Target, start: dt.date,
              objective: Objective = Objective.COST):
    from planner.routing import recommend

    rec = recommend(catalogue, profile, target, objective=objective, today=start, diagnose_infeasible=False,
                    time_limit=5.0)
    return rec.best


def _relaxed(profile: LearnerProfile, **changes: Any) -> LearnerProfile:
    return profile.model_copy(update={"constraints": profile.constraints.model_copy(update=changes)})


def _titles(catalogue: Catalogue, ids: Sequence[str]) -> str:
    return ", ".join(catalogue.credential(c).title for c in ids)


def _budget(catalogue: Catalogue, profile: LearnerProfile, target: Target, start: dt.date) -> Diagnosis | None:
    budget = profile.constraints.budget
    if budget is None:
        return None
    route = _cheapest(catalogue, _relaxed(profile, budget=None), target, start)
    if route is None:
        return None
    rate = 1.0 if budget.currency == catalogue.meta.base_currency else catalogue.meta.exchange_rates[budget.currency]
    needed = math.ceil(route.total_cost / rate)
    gap = needed - budget.amount
    return Diagnosis(
        "budget",
        f"The cheapest route costs {needed:,.0f} {budget.currency}, {gap:,.0f} {budget.currency} above "
        f"your budget of {budget.amount:,.0f} {budget.currency}.",
        {"budget": Money(amount=needed, currency=budget.currency).model_dump(mode="json")},
    )


def _deadline(catalogue: Catalogue, profile: LearnerProfile, target: Target, start: dt.date) -> Diagnosis | None:
    deadline = profile.constraints.deadline
    if deadline is None:
        return None
    route = _cheapest(catalogue, _relaxed(profile, deadline=None), target, start, Objective.TIME)
    if route is None:
        return None
    return Diagnosis(
        "deadline",
        f"The earliest any route finishes is {route.finish.isoformat()} ({route.weeks} weeks), after your "
        f"deadline of {deadline.isoformat()}.",
        {"deadline": route.finish.isoformat()},
    )


def _hours(catalogue: Catalogue, profile: LearnerProfile, target: Target, start: dt.date) -> Diagnosis | None:
    hours = profile.constraints.hours_per_week
    if hours is None:
        return None
    route = _cheapest(catalogue, _relaxed(profile, hours_per_week=None, min_hours_per_week=None), target, start)
    if route is None:
        return None
    need = max((s.hours_per_week for s in route.schedule), default=hours)
    need = max(need, hours + 1)
    return Diagnosis(
        "hours",
        f"The routes need up to {need:g} study hours a week at times; you have {hours:g}.",
        {"hours_per_week": float(math.ceil(need))},
    )


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
) -> Diagnosis | None:
    current = list(getattr(profile.constraints, field))
    if not current:
        return None
    route = _cheapest(catalogue, _relaxed(profile, **{field: empty}), target, start)
    if route is None:
        return None
    extra = used(route.credential_ids)
    new_value = merge(current, extra)
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
        _budget(catalogue, profile, target, start),
        _deadline(catalogue, profile, target, start),
        _hours(catalogue, profile, target, start),
        _list_relaxation(
            catalogue, profile, target, start, field="modes", empty=[],
            used=lambda ids: {str(catalogue.credential(i).participation) for i in ids
                              if catalogue.credential(i).participation is not None
                              and catalogue.credential(i).participation not in c.modes},
            merge=lambda cur, extra: [*cur, *extra], describe="also accept the participation mode",
        ),
        _list_relaxation(
            catalogue, profile, target, start, field="languages", empty=[],
            used=lambda ids: {lang for i in ids for lang in catalogue.credential(i).languages
                              if catalogue.credential(i).languages
                              and not set(catalogue.credential(i).languages) & set(c.languages)},
            merge=lambda cur, extra: [*cur, *extra], describe="also accept teaching in",
        ),
        _list_relaxation(
            catalogue, profile, target, start, field="countries", empty=[],
            used=lambda ids: {catalogue.provider(catalogue.credential(i).provider).country for i in ids
                              if catalogue.provider(catalogue.credential(i).provider).country not in c.countries},
            merge=lambda cur, extra: [*cur, *extra], describe="also accept providers in",
        ),
        _list_relaxation(
            catalogue, profile, target, start, field="avoid_providers", empty=[],
            used=lambda ids: {catalogue.credential(i).provider for i in ids} & set(c.avoid_providers),
            merge=lambda cur, extra: [p for p in cur if p not in extra], describe="stop avoiding the provider",
            name=lambda p: catalogue.provider(p).name if catalogue.has("provider", p) else p,
        ),
        _list_relaxation(
            catalogue, profile, target, start, field="avoid_credentials", empty=[],
            used=lambda ids: set(ids) & set(c.avoid_credentials),
            merge=lambda cur, extra: [p for p in cur if p not in extra], describe="stop avoiding",
            name=lambda c: catalogue.credential(c).title if catalogue.has("credential", c) else c,
        ),
    ]
    out.extend(d for d in checks if d is not None)
    if len(out) == len(_coverage_causes(catalogue, problem)):
        free = Constraints(start=c.start)
        relaxed = profile.model_copy(update={"constraints": free})
        route = _cheapest(catalogue, relaxed, target, start)
        lifted = {k: v for k, v in free.model_dump(mode="json").items()
                  if getattr(c, k) != getattr(free, k)}
        if route is not None:
            out.append(Diagnosis(
                "combined",
                "No single change is enough; with none of your constraints the cheapest route costs "
                f"{route.total_cost:,.0f} {route.currency} and finishes {route.finish.isoformat()}.",
                lifted,
            ))
        elif not out:
            out.append(Diagnosis(
                "award_rule" if target.kind == "award" else "prerequisite",
                "The catalogue cannot reach this target even without constraints: "
                + ("the award's rules cannot be met with the credentials on offer."
                   if target.kind == "award" else "some needed credential's prerequisites can never be met."),
            ))
    return tuple(out)
