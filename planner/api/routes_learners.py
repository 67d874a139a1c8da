"""Learners, plans, versions, progress and re-plan: the learner store over HTTP.

Every endpoint needs a bearer token, whatever ``PLANNER_API_OPEN`` says, and calls the
store as the token's user: the store's access rules (:mod:`planner.store.access`) decide,
nothing here does. A record that does not exist and one the caller may not see are
refused alike (403, the store's words), so ids cannot be probed. A save based on a version
someone else has replaced since gets 409 with who changed it and when; nothing is lost
(an overwrite is a new version too).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from planner.api.body import LimitedRoute
from planner.api.problems import BODY, ApiError, problem_responses
from planner.api.state import ActingUser, Context
from planner.catalogue.models import ID_PATTERN, MAX_ALTERNATIVES, LearnerProfile, PlanDate
from planner.engine.scenario import Scenario
from planner.store.records import PLAN_STATUSES, STEP_STATUSES, SavedPlan

__all__ = ["router"]

router = APIRouter(route_class=LimitedRoute, tags=["learners"], responses=problem_responses(401, 403, 404, 503))

#: Largest id a path may name (the store's integer columns).
MAX_ID = 2**31 - 1
_FIRST = {"first": {"summary": "the first one saved", "value": 1}}
LearnerId = Annotated[int, Path(ge=1, le=MAX_ID, description="the learner record's id", openapi_examples=_FIRST)]
PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="the plan's id", openapi_examples=_FIRST)]
#: Seconds one route search may take when a plan is saved or re-planned (at most the server's limit).
SAVE_SECONDS = 10.0


# ---------------------------------------------------------------------------- shapes


class UserOut(BaseModel):
    """The signed-in user as the store knows them."""

    id: int
    role: str = Field(description="learner, advisor or admin (kept by the store, never taken from the token)")
    name: str
    issuer: str
    subject: str
    own_learner_id: int | None = Field(description="the learner record linked to this user, if any")


class LearnerOut(BaseModel):
    """A learner's record."""

    id: int
    name: str
    user_id: int | None
    profile: LearnerProfile
    created_at: dt.datetime
    last_contact: dt.datetime | None


class DriftOut(BaseModel):
    """One way the catalogue no longer matches what a plan relied on."""

    code: str
    credential_id: str | None
    message: str


class CaseloadOut(BaseModel):
    """A learner the caller may see, with their current plan."""

    learner_id: int
    name: str
    last_contact: dt.datetime | None
    plan_id: int | None
    version: int | None
    target: str | None
    status: str | None
    steps: int
    completed: int
    saved_at: dt.datetime | None
    drift: list[DriftOut]


class PlanOut(BaseModel):
    """One version of a saved plan."""

    plan_id: int
    learner_id: int
    version: int
    target: str
    scenario: Scenario
    route: dict[str, Any] | None = Field(description="the chosen route as a plan file (null: saved without one)")
    chosen: list[str] = Field(description="the chosen route's credential ids, in schedule order")
    catalogue_digest: str
    whatifs: list[Scenario]
    notes: str
    status: str
    saved_by: str
    saved_at: dt.datetime
    based_on: int | None


class StepOut(BaseModel):
    """Where the learner is with one step of a plan's route."""

    credential_id: str
    status: str
    completed_on: dt.date | None
    updated_at: dt.datetime | None


class AuditOut(BaseModel):
    """One audit-log entry: who read or changed the learner's data."""

    at: dt.datetime
    actor: str
    learner_id: int | None
    action: str
    detail: str


class NewLearner(BaseModel):
    """A learner record to create (an advisor's new learner joins their caseload)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300)
    profile: LearnerProfile = Field(default_factory=LearnerProfile)


class ProfileChange(BaseModel):
    """A learner's new profile (replaces the old one)."""

    model_config = ConfigDict(extra="forbid")

    profile: LearnerProfile
    name: str | None = Field(default=None, min_length=1, max_length=300)


class PlanSave(BaseModel):
    """A plan to save: the question, which of its routes is chosen, notes, what-ifs."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"scenario": {"target": "role:data-analyst", "start": "2027-01-04", "budget": 3000}, "route": 1,
         "notes": "first meeting"}]})

    scenario: Scenario = Field(description="the question (target, holdings, constraints, objective)")
    route: int | None = Field(default=1, ge=1, le=10,
                              description="which of the scenario's routes (1: the best) is the plan; null: none")
    notes: str = Field(default="", max_length=20_000)
    status: str = Field(default="active", pattern="^(" + "|".join(PLAN_STATUSES) + ")$")
    whatifs: list[Scenario] = Field(default_factory=list, max_length=10)


class VersionSave(PlanSave):
    """A new version of a plan, and the version it was edited from."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"scenario": {"target": "role:data-analyst", "start": "2027-01-04", "budget": 3000}, "route": 1,
         "notes": "second meeting", "based_on": 1}]})

    based_on: int | None = Field(ge=1, le=MAX_ID, description="the version this edit started from (null: none "
                                                                "yet); a newer one saved meanwhile is a 409")
    overwrite: bool = Field(default=False, description="save even though someone saved after based_on (a new "
                                                       "version still; theirs stays)")


class PlanFileSave(BaseModel):
    """A plan file (the app's) or a ``POST /routes`` answer, to save for a learner."""

    model_config = ConfigDict(extra="forbid")

    file: dict[str, Any] = Field(description="a plan file, or the JSON of POST /routes (planner recommend)")
    route: int = Field(default=1, ge=1, le=MAX_ALTERNATIVES, description="which route of a recommend answer")
    plan_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="save as this plan's next version")
    based_on: int | None = Field(default=None, ge=1, le=MAX_ID,
                                 description="with plan_id: the version the file was made from (a newer one is a "
                                             "409); default: the newest")


class StepChange(BaseModel):
    """Where the learner is with one step."""

    model_config = ConfigDict(extra="forbid")

    status: str = Field(pattern="^(" + "|".join(STEP_STATUSES) + ")$")
    on: PlanDate | None = Field(default=None, description="the day a completed step was completed (default today)")


class ReplanRequest(BaseModel):
    """Re-plan from today; save the new route as the next version when ``accept``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"accept": False}]})

    accept: bool = False
    overwrite: bool = False


class ReplanOut(BaseModel):
    """A re-plan: the new routes and how they differ from what is left of the saved one."""

    based_on: int
    changed: bool
    completed: list[str]
    kept: list[str]
    added: list[str]
    removed: list[str]
    cost_before: float | None
    cost_after: float | None
    finish_before: dt.date | None
    finish_after: dt.date | None
    answer: dict[str, Any] = Field(description="the new routes, as POST /routes answers")
    saved: PlanOut | None = Field(description="the version saved (with accept), else null")


# ---------------------------------------------------------------------------- conversions


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def _plan(p: SavedPlan) -> dict[str, Any]:
    return {"plan_id": p.plan_id, "learner_id": p.learner_id, "version": p.version, "target": p.target,
            "scenario": p.scenario.model_dump(mode="json"),
            "route": p.route.model_dump(mode="json") if p.route is not None else None, "chosen": list(p.chosen),
            "catalogue_digest": p.catalogue_digest, "whatifs": [w.model_dump(mode="json") for w in p.whatifs],
            "notes": p.notes, "status": p.status, "saved_by": p.saved_by, "saved_at": p.saved_at.isoformat(),
            "based_on": p.based_on}


def _learner(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "user_id": row.user_id, "profile": row.profile.model_dump(mode="json"),
            "created_at": row.created_at.isoformat(), "last_contact": _iso(row.last_contact)}


def _store(ctx: Context) -> Any:
    assert ctx.store is not None
    return ctx.store


def _catalogue_for(ctx: Context, scenario: Scenario) -> Any:
    """The catalogue a scenario is planned on (a store's sub-catalogue; a refusal is the caller's input)."""
    from planner.store.catalogue.engine import StoreError

    assert ctx.catalogue is not None
    try:
        return ctx.catalogue.catalogue_for(scenario.to_profile(), scenario.to_target())
    except (StoreError, KeyError) as exc:
        raise ApiError(422, f"{BODY}: scenario: {str(exc).strip(chr(39) + chr(34))}", kind="invalid-input") from None


def _answer(ctx: Context, scenario: Scenario) -> tuple[Any, Any]:
    """The catalogue and recommendation for a scenario, as the app computes them before a save."""
    from planner.engine.problem import ProblemError
    from planner.engine.routing import recommend

    profile, target = scenario.to_profile(), scenario.to_target()
    catalogue = _catalogue_for(ctx, scenario)
    try:
        rec = recommend(catalogue, profile, target, objective=scenario.objective, alternatives=scenario.alternatives,
                        today=scenario.start, time_limit=min(SAVE_SECONDS, ctx.settings.max_seconds))
    except (ProblemError, ValueError, KeyError) as exc:
        raise ApiError(422, f"{BODY}: scenario: {str(exc).strip(chr(39) + chr(34))}", kind="invalid-input") from None
    return catalogue, rec


def _save(ctx: Context, user: Any, learner_id: int, body: PlanSave, **version: Any) -> dict[str, Any]:
    if body.route is None:  # the question alone: nothing to search
        catalogue, rec = _catalogue_for(ctx, body.scenario), None
    else:
        catalogue, rec = _answer(ctx, body.scenario)
    index = (body.route or 1) - 1
    if rec is not None and index >= len(rec.routes):
        raise ApiError(422, f"{BODY}: route: route {body.route} does not exist: the question has {len(rec.routes)} "
                       "route(s)", kind="invalid-input")
    saved = _store(ctx).save_plan(user, learner_id, scenario=body.scenario, catalogue=catalogue,
                                  recommendation=rec, route_index=index,
                                  whatifs=body.whatifs, notes=body.notes, status=body.status, **version)
    return _plan(saved)


# ---------------------------------------------------------------------------- endpoints


@router.get("/me", response_model=UserOut, summary="Who the token signs in as")
def me(ctx: Context, user: ActingUser) -> dict[str, Any]:
    """The signed-in user, their role in this planner and their own learner record."""
    own = _store(ctx).own_learner_id(user)
    return {"id": user.id, "role": user.role.value, "name": user.name, "issuer": user.issuer,
            "subject": user.subject, "own_learner_id": own}


@router.get("/learners", response_model=list[CaseloadOut], summary="The learners the caller may see")
def caseload(ctx: Context, user: ActingUser) -> list[dict[str, Any]]:
    """An advisor's caseload (and own record), or a learner's own record, each with their current plan."""
    assert ctx.catalogue is not None
    rows = _store(ctx).caseload(user, catalogue=ctx.catalogue.folder)
    return [{"learner_id": r.learner_id, "name": r.name, "last_contact": _iso(r.last_contact), "plan_id": r.plan_id,
             "version": r.version, "target": r.target, "status": r.status, "steps": r.steps,
             "completed": r.completed, "saved_at": _iso(r.saved_at),
             "drift": [{"code": d.code, "credential_id": d.credential_id, "message": d.message} for d in r.drift]}
            for r in rows]


@router.post("/learners", response_model=LearnerOut, status_code=201, summary="Create a learner record")
def create_learner(body: NewLearner, ctx: Context, user: ActingUser) -> dict[str, Any]:
    """A learner creates their own record; an advisor's new learner joins their caseload."""
    return _learner(_store(ctx).create_learner(user, body.name, body.profile))


@router.get("/learners/{learner_id}", response_model=LearnerOut, summary="A learner's record")
def learner(learner_id: LearnerId, ctx: Context, user: ActingUser) -> dict[str, Any]:
    """The record (audited as a read)."""
    return _learner(_store(ctx).learner(user, learner_id))


@router.put("/learners/{learner_id}/profile", response_model=LearnerOut, summary="Replace a learner's profile")
def update_profile(learner_id: LearnerId, body: ProfileChange, ctx: Context, user: ActingUser) -> dict[str, Any]:
    """Holdings, competencies and constraints, replaced as a whole."""
    return _learner(_store(ctx).update_profile(user, learner_id, body.profile, name=body.name))


@router.delete("/learners/{learner_id}", status_code=204, response_class=Response, summary="Erase a learner")
def erase(learner_id: LearnerId, ctx: Context, user: ActingUser) -> Response:
    """Record, plans, progress and caseload links; the audit log keeps who erased it, and when."""
    _store(ctx).erase_learner(user, learner_id)
    return Response(status_code=204)


@router.get("/learners/{learner_id}/export", response_model=dict[str, Any],
            summary="Everything held about a learner")
def export(learner_id: LearnerId, ctx: Context, user: ActingUser) -> dict[str, Any]:
    """Record, every plan version, progress and the audit log, as JSON (``planner learner export``)."""
    return _store(ctx).export_learner(user, learner_id)  # type: ignore[no-any-return]


@router.get("/learners/{learner_id}/audit", response_model=list[AuditOut], summary="Who read or changed a record")
def audit(learner_id: LearnerId, ctx: Context, user: ActingUser) -> list[dict[str, Any]]:
    """The learner's audit log, oldest first."""
    return [{"at": r.at.isoformat(), "actor": r.actor, "learner_id": r.learner_id, "action": r.action,
             "detail": r.detail} for r in _store(ctx).audit_log(user, learner_id)]


@router.get("/learners/{learner_id}/plans", response_model=list[PlanOut], summary="A learner's plans")
def plans(learner_id: LearnerId, ctx: Context, user: ActingUser) -> list[dict[str, Any]]:
    """The newest version of each plan, most recently saved first."""
    return [_plan(p) for p in _store(ctx).plans(user, learner_id)]


@router.post("/learners/{learner_id}/plans", response_model=PlanOut, status_code=201,
             summary="Save a new plan for a learner")
def new_plan(learner_id: LearnerId, body: PlanSave, ctx: Context, user: ActingUser) -> dict[str, Any]:
    """The scenario is searched on the served catalogue and the chosen route saved as version 1."""
    return _save(ctx, user, learner_id, body)


@router.post("/learners/{learner_id}/plan-files", response_model=PlanOut, status_code=201,
             responses=problem_responses(409), summary="Save a plan file or a POST /routes answer as a plan")
def save_file(learner_id: LearnerId, body: PlanFileSave, ctx: Context, user: ActingUser) -> dict[str, Any]:
    """The chosen route scheduled again on the served catalogue and saved, as ``planner plans save`` does.

    A plan file's own route, or route ``route`` of a ``POST /routes`` answer; a new plan, or the
    next version of ``plan_id``.
    """
    import json

    from planner.outputs.export import PlanFileError
    from planner.store.planfiles import read_plan_source, save_plan_source

    try:
        source = read_plan_source(json.dumps(body.file), route=body.route, name=BODY)
    except PlanFileError as exc:
        raise ApiError(422, f"{BODY}: file: {exc}", kind="invalid-input") from None
    catalogue = _catalogue_for(ctx, source.scenario)
    try:
        saved = save_plan_source(_store(ctx), user, learner_id, source, catalogue, plan_id=body.plan_id,
                                 based_on=body.based_on)
    except PlanFileError as exc:
        raise ApiError(422, f"{BODY}: file: {exc}", kind="invalid-input") from None
    return _plan(saved)


@router.get("/plans/{plan_id}/file", response_model=dict[str, Any], summary="A plan version as a plan file")
def plan_file(plan_id: PlanId, ctx: Context, user: ActingUser,
              version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> dict[str, Any]:
    """The question, the chosen route, the notes and the what-ifs, as the app's plan files hold them."""
    from planner.store.planfiles import plan_file_of

    return plan_file_of(_store(ctx).plan(user, plan_id, version)).model_dump(mode="json")


@router.get("/plans/{plan_id}", response_model=PlanOut, summary="A plan's newest (or a numbered) version")
def plan(plan_id: PlanId, ctx: Context, user: ActingUser,
         version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> dict[str, Any]:
    """Older versions stay readable with ``?version=N``."""
    return _plan(_store(ctx).plan(user, plan_id, version))


@router.get("/plans/{plan_id}/versions", response_model=list[PlanOut], summary="Every version of a plan")
def versions(plan_id: PlanId, ctx: Context, user: ActingUser) -> list[dict[str, Any]]:
    """Oldest first."""
    return [_plan(p) for p in _store(ctx).plan_versions(user, plan_id)]


@router.post("/plans/{plan_id}/versions", response_model=PlanOut, status_code=201,
             responses=problem_responses(409), summary="Save a new version of a plan")
def new_version(plan_id: PlanId, body: VersionSave, ctx: Context, user: ActingUser) -> dict[str, Any]:
    """Refused with 409 (who changed it, when) when someone saved after ``based_on``, unless ``overwrite``."""
    current = _store(ctx).plan(user, plan_id)
    return _save(ctx, user, current.learner_id, body, plan_id=plan_id, based_on=body.based_on,
                 overwrite=body.overwrite)


@router.get("/plans/{plan_id}/progress", response_model=list[StepOut], summary="Progress on a plan's steps")
def progress(plan_id: PlanId, ctx: Context, user: ActingUser) -> list[dict[str, Any]]:
    """Each step of the chosen route (``planned`` when nothing was recorded)."""
    return [{"credential_id": s.credential_id, "status": s.status, "completed_on": _iso(s.completed_on),
             "updated_at": _iso(s.updated_at)} for s in _store(ctx).progress(user, plan_id).values()]


@router.put("/plans/{plan_id}/progress/{credential_id}", response_model=StepOut, summary="Record progress on a step")
def set_progress(plan_id: PlanId, credential_id: Annotated[str, Path(max_length=200, pattern=ID_PATTERN)],
                 body: StepChange, ctx: Context, user: ActingUser) -> dict[str, Any]:
    """A completed step becomes a holding of the learner's (dated ``on``)."""
    s = _store(ctx).set_progress(user, plan_id, credential_id, body.status, on=body.on)
    return {"credential_id": s.credential_id, "status": s.status, "completed_on": _iso(s.completed_on),
            "updated_at": _iso(s.updated_at)}


@router.post("/plans/{plan_id}/replan", response_model=ReplanOut, responses=problem_responses(409),
             summary="Re-plan from today (and save it with accept)")
def replan(plan_id: PlanId, body: ReplanRequest, ctx: Context, user: ActingUser) -> dict[str, Any]:
    """The engine runs from the learner's current state; completed steps are holdings now."""
    from planner.cli.recommend_cmd import answer_to_json
    from planner.store.replan import accept_replan, scenario_now
    from planner.store.replan import replan as propose

    store = _store(ctx)
    today = dt.date.today()
    saved = store.plan(user, plan_id)
    scenario = scenario_now(saved, store.learner(user, saved.learner_id).profile, today)
    catalogue = _catalogue_for(ctx, scenario)
    proposal = propose(store, user, plan_id, catalogue, today=today)
    kept = accept_replan(store, user, proposal, catalogue, overwrite=body.overwrite) if body.accept else None
    return {"based_on": proposal.plan.version, "changed": proposal.changed, "completed": list(proposal.completed),
            "kept": list(proposal.kept), "added": list(proposal.added), "removed": list(proposal.removed),
            "cost_before": proposal.cost_before, "cost_after": proposal.cost_after,
            "finish_before": _iso(proposal.finish_before), "finish_after": _iso(proposal.finish_after),
            "answer": answer_to_json(proposal.recommendation), "saved": _plan(kept) if kept is not None else None}


@router.get("/aggregate", response_model=dict[str, Any], tags=["institution"],
            summary="Anonymised figures (administrators)")
def aggregate(ctx: Context, user: ActingUser) -> dict[str, Any]:
    """Counts only; groups smaller than the store's minimum are merged into 'other'."""
    return _store(ctx).aggregate(user)  # type: ignore[no-any-return]
