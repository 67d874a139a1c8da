"""Re-plan from today, and re-check saved plans against a changed catalogue.

:func:`replan` runs the route engine from the learner's current state (completed steps
are holdings now) and says what changed against the saved plan before anything is saved;
:func:`accept_replan` saves the new route as the plan's next version. :func:`check_plans`
re-checks every saved plan the acting user may see against a catalogue: what changed
(price, intake, retired or renamed credential, award rule, recognition) and, for a plan
whose basis changed, whether any route still reaches its target.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner.catalogue.models import Catalogue, CompetencyLevel, Holding, LearnerProfile
from planner.engine.problem import ProblemError
from planner.engine.results import Recommendation
from planner.engine.routing import recommend
from planner.engine.scenario import Scenario
from planner.store.access import User
from planner.store.basis import Drift, drift_reasons
from planner.store.records import SavedPlan, Store

__all__ = ["PlanCheck", "Replan", "accept_replan", "check_plans", "replan", "scenario_now"]

#: Seconds one route search may take while re-planning or re-checking a plan.
SEARCH_SECONDS = 5.0


@dataclass(frozen=True)
class Replan:
    """A proposed new version of a plan and how it differs from the saved one."""

    plan: SavedPlan  # the version it was computed from (save with based_on=plan.version)
    scenario: Scenario  # the question as of today
    recommendation: Recommendation
    completed: tuple[str, ...]  # steps of the saved route now held
    kept: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]  # steps of the saved route no longer planned (not completed)
    cost_before: float | None  # what the saved route's remaining steps cost
    cost_after: float | None
    finish_before: dt.date | None
    finish_after: dt.date | None

    @property
    def changed(self) -> bool:
        """Whether the new route differs from what is left of the saved one."""
        return bool(self.added or self.removed)


@dataclass(frozen=True)
class PlanCheck:
    """The result of re-checking one saved plan against a catalogue."""

    plan_id: int
    learner_id: int
    version: int
    target: str
    reasons: tuple[Drift, ...]

    @property
    def holds(self) -> bool:
        """True when nothing the plan relied on changed."""
        return not self.reasons


def scenario_now(plan: SavedPlan, profile: LearnerProfile, today: dt.date) -> Scenario:
    """The plan's question as of ``today``: the learner's current holdings and competencies, start today."""
    held = {h.credential: h for h in plan.scenario.holdings}
    held.update({h.credential: h for h in profile.holdings})
    known = {c.competency: c for c in plan.scenario.competencies}
    for c in profile.competencies:
        if c.competency not in known or known[c.competency].level < c.level:
            known[c.competency] = c
    deadline = plan.scenario.deadline if plan.scenario.deadline and plan.scenario.deadline > today else None
    return plan.scenario.model_copy(update={
        "holdings": [Holding(credential=h.credential, earned=h.earned) for h in held.values()],
        "competencies": [CompetencyLevel(competency=c.competency, level=c.level) for c in known.values()],
        "start": today, "deadline": deadline,
    })


def replan(store: Store, actor: User, plan_id: int, catalogue: Catalogue, *,
           today: dt.date | None = None) -> Replan:
    """Run the engine from the learner's current state and compare with the saved plan.

    Parameters
    ----------
    store : Store
        The learner store.
    actor : User
        Who re-plans (must be allowed to read the learner's records).
    plan_id : int
        The plan to re-plan.
    catalogue : Catalogue
        The catalogue to plan on (usually the current one).
    today : datetime.date, optional
        The day the new plan starts (default: today).

    Returns
    -------
    Replan
        The new recommendation and the differences; nothing is saved yet.
    """
    today = today or dt.date.today()
    plan = store.plan(actor, plan_id)
    learner = store.learner(actor, plan.learner_id)
    scenario = scenario_now(plan, learner.profile, today)
    rec = recommend(catalogue, scenario.to_profile(), scenario.to_target(), objective=scenario.objective,
                    alternatives=scenario.alternatives, today=today, time_limit=SEARCH_SECONDS)
    held = {h.credential for h in scenario.holdings}
    before = [c for c in plan.chosen if c not in held]
    completed = tuple(c for c in plan.chosen if c in held)
    after = list(rec.best.credential_ids) if rec.best else []
    steps = {s.credential_id: s for s in plan.route.summary.steps} if plan.route and plan.route.summary else {}
    cost_before = round(sum(steps[c].cost for c in before if c in steps), 2) if plan.route else None
    return Replan(
        plan=plan, scenario=scenario, recommendation=rec, completed=completed,
        kept=tuple(c for c in after if c in before), added=tuple(c for c in after if c not in before),
        removed=tuple(c for c in before if c not in after), cost_before=cost_before,
        cost_after=rec.best.total_cost if rec.best else None,
        finish_before=plan.route.summary.finish if plan.route and plan.route.summary else None,
        finish_after=rec.best.finish if rec.best else None,
    )


def accept_replan(store: Store, actor: User, proposal: Replan, catalogue: Catalogue, *,
                  overwrite: bool = False) -> SavedPlan:
    """Save a re-plan as the plan's next version (notes and what-ifs carried over)."""
    plan = proposal.plan
    return store.save_plan(
        actor, plan.learner_id, scenario=proposal.scenario, catalogue=catalogue,
        recommendation=proposal.recommendation if proposal.recommendation.feasible else None,
        whatifs=plan.whatifs, notes=plan.notes, status=plan.status, plan_id=plan.plan_id,
        based_on=plan.version, overwrite=overwrite,
    )


def check_plans(store: Store, catalogue: Catalogue, actor: User, learner: int | None = None, *,
                today: dt.date | None = None, feasibility: bool = True) -> list[PlanCheck]:
    """Re-check every saved plan ``actor`` may see (or one learner's) against ``catalogue``.

    Parameters
    ----------
    store : Store
        The learner store.
    catalogue : Catalogue
        The (changed) catalogue.
    actor : User
        Who checks; only plans they may read are checked.
    learner : int, optional
        Check only this learner's plans.
    today : datetime.date, optional
        The day of the check (expired recognition, re-planning start).
    feasibility : bool
        For plans whose basis changed, also run the engine to see whether any route still
        reaches the target (a plan whose basis is unchanged is as feasible as when saved).

    Returns
    -------
    list of PlanCheck
        One per plan (newest version), by learner then plan id.
    """
    today = today or dt.date.today()
    learners = [learner] if learner is not None else store.learner_ids(actor)
    out = []
    searched: dict[str, bool] = {}  # scenario JSON -> whether a route exists (many plans share one)
    for lid in learners:
        profile = store.learner(actor, lid).profile if feasibility else LearnerProfile()
        for plan in sorted(store.plans(actor, lid), key=lambda p: p.plan_id):
            reasons = drift_reasons(plan.basis, catalogue, today=today)
            if feasibility and reasons and not any(r.code == "target_missing" for r in reasons):
                reasons.extend(_feasibility(catalogue, plan, profile, today, searched))
            out.append(PlanCheck(plan.plan_id, lid, plan.version, plan.target, tuple(reasons)))
    return out


def _feasibility(catalogue: Catalogue, plan: SavedPlan, profile: LearnerProfile, today: dt.date,
                 searched: dict[str, bool]) -> list[Drift]:
    scenario = scenario_now(plan, profile, today)
    key = scenario.model_dump_json()
    if key not in searched:
        try:
            rec = recommend(catalogue, scenario.to_profile(), scenario.to_target(), objective=scenario.objective,
                            alternatives=1, today=today, time_limit=SEARCH_SECONDS, diagnose_infeasible=False)
            searched[key] = rec.feasible
        except ProblemError as exc:
            return [Drift("profile_unknown", None, f"the plan names what the catalogue no longer has: {exc}")]
    if searched[key]:
        return []
    return [Drift("infeasible", None, f"no route reaches {plan.target} any more with the learner's constraints")]
