"""``POST /routes``, ``POST /reach``, ``POST /credentials/verify``: the questions recommend, reach and verify answer.

``POST /routes`` takes the recommend question as JSON (the learner as a profile document,
the options as the CLI's flags name them) and answers with exactly the JSON ``planner
recommend --format json`` prints (:func:`planner.cli.recommend_cmd.answer_to_json`).
``POST /reach`` is ``planner reach --format json`` for a learner and its options
(:func:`planner.store.catalogue.reach.reach_request`, the reading the CLI shares).
``POST /credentials/verify`` verifies uploaded Open Badges 3.0 / CLR 2.0 files offline, with
the served catalogue's trust list, and matches them to the catalogue by the one counting
rule (:mod:`planner.verify.review`): the rows are ``recommend --have-file``'s
``credential_files``, and ``holdings`` what counts.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from functools import partial
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner.api.body import LimitedRoute
from planner.api.problems import BODY, ApiError, problem_responses
from planner.api.state import Caller, Context, Served
from planner.catalogue.models import (
    ID_PATTERN,
    MAX_ALTERNATIVES,
    MAX_TERM_WEEKS,
    MAX_TERMS,
    Holding,
    LearnerProfile,
    Objective,
    PlanDate,
    Target,
)

__all__ = ["RouteQuestion", "router"]

router = APIRouter(route_class=LimitedRoute, tags=["questions"], responses=problem_responses(401, 503))


class RouteQuestion(BaseModel):
    """The ``planner recommend`` question: target, learner, and the options of its flags."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"target": "role:data-analyst", "alternatives": 2, "time_limit": 2,
         "profile": {"holdings": [{"credential": "osa-python-data", "earned": "2026-06-01"}],
                     "constraints": {"start": "2027-01-04", "budget": {"amount": 3000, "currency": "EUR"}}}}]})

    target: str = Field(max_length=4000, description="role:ID, award:ID or competencies:ID=LEVEL,ID=LEVEL",
                        examples=["role:data-analyst"])
    profile: LearnerProfile = Field(default_factory=LearnerProfile,
                                    description="the learner (as a --profile file holds it); holdings count as "
                                                "self-declared")
    objective: Objective = Field(default=Objective.COST, description="what the best route minimises (--objective)")
    weights: str | None = Field(default=None, max_length=200,
                                description="a weighted mix instead of one objective, e.g. cost=1,time=0.5 "
                                            "(--weights)")
    pareto: bool = Field(default=False, description="also list the cost × time trade-off (--pareto)")
    credit_award: str | None = Field(default=None, pattern=ID_PATTERN, max_length=200,
                                     description="award whose credit is measured (--credit-award)")
    alternatives: int = Field(default=3, ge=1, le=MAX_ALTERNATIVES, description="distinct routes (--alternatives)")
    terms: int | None = Field(default=None, ge=1, le=MAX_TERMS,
                              description="also spread route 1 over this many terms (--terms)")
    term_weeks: int = Field(default=13, ge=1, le=MAX_TERM_WEEKS, description="weeks per term (--term-weeks)")
    time_limit: float = Field(default=10.0, ge=0.1, le=3600, allow_inf_nan=False,
                              description="seconds for the whole search (--time-limit); at most the server's "
                                          "PLANNER_API_MAX_SECONDS")


class RouteAnswer(BaseModel):
    """``planner recommend --format json``: see that command's documentation for every key."""

    model_config = ConfigDict(extra="allow")

    version: int
    target: str
    objective: str
    feasible: bool
    candidates: int
    complete: bool
    holdings: list[dict[str, Any]]
    note: str | None
    routes: list[dict[str, Any]]
    diagnoses: list[dict[str, Any]]
    balanced_plan: dict[str, Any] | None = None
    pareto: list[dict[str, Any]] | None = None


def _target(text: str) -> Target:
    try:
        return Target.parse(text)
    except ValidationError as exc:
        raise ApiError(422, f"{BODY}: target: {exc.errors()[0]['msg']}", kind="invalid-input") from None
    except ValueError as exc:
        raise ApiError(422, f"{BODY}: target: {exc}", kind="invalid-input") from None


@router.post("/routes", response_model=RouteAnswer, summary="The best stackable routes to a target (planner recommend)")
async def routes(question: RouteQuestion, ctx: Context, _who: Caller) -> JSONResponse:
    """Proved-optimal routes with alternatives, schedule and explanations: ``planner recommend --format json``."""
    return await ctx.answer(partial(_routes, question, ctx))


def _routes(question: RouteQuestion, ctx: Served) -> JSONResponse:
    from planner.cli.recommend_cmd import answer_to_json, parse_weights
    from planner.engine.problem import ProblemError
    from planner.engine.routing import pareto, recommend
    from planner.engine.termplan import balanced_plan
    from planner.store.catalogue.engine import StoreError

    target = _target(question.target)
    if question.time_limit > ctx.settings.max_seconds:
        raise ApiError(422, f"{BODY}: time_limit: at most {ctx.settings.max_seconds:g} seconds on this server",
                       kind="invalid-input")
    try:
        weights = parse_weights(question.weights) if question.weights else None
    except ValueError as exc:
        raise ApiError(422, f"{BODY}: weights: {exc}", kind="invalid-input") from None
    profile = question.profile
    assert ctx.catalogue is not None
    try:
        catalogue = ctx.catalogue.catalogue_for(profile, target, credit_award=question.credit_award)
    except StoreError as exc:  # as 'planner recommend' says it: the question cannot be asked of this store
        raise ApiError(422, str(exc), kind="invalid-input") from None
    start = profile.constraints.start
    try:
        rec = recommend(catalogue, profile, target, objective=question.objective, weights=weights,
                        alternatives=question.alternatives, credit_award=question.credit_award, today=start,
                        time_limit=question.time_limit)
        front = (pareto(catalogue, profile, target, today=start, time_limit=question.time_limit)
                 if question.pareto else None)
    except (ProblemError, ValueError, KeyError) as exc:
        raise ApiError(422, str(exc).strip("'\""), kind="invalid-input") from None
    balanced = None
    if question.terms is not None and rec.best is not None:
        balanced = balanced_plan(catalogue, rec.best.credential_ids, profile, terms=question.terms,
                                 term_weeks=question.term_weeks, start=rec.best.start)
    return JSONResponse(answer_to_json(rec, balanced=balanced, front=front))


class ReachOptionsIn(BaseModel):
    """The options of ``planner reach`` (read by :meth:`planner.engine.reach.ReachOptions.from_json`, as the CLI's)."""

    model_config = ConfigDict(extra="forbid")

    objective: Literal["cost", "time", "workload"] | None = Field(default=None,
                                                                  description="rank by the best route's measure")
    kind: Literal["role", "award"] | None = Field(default=None, description="only roles, or only awards")
    sector: str | None = Field(default=None, max_length=300, description="only targets of this sector")
    provider: str | None = Field(default=None, max_length=300,
                                 description="only awards of this provider, and roles its credentials serve")
    max_cost: float | None = Field(default=None, description="leave out targets whose best route costs more")
    max_weeks: int | None = Field(default=None, description="leave out targets whose best route takes longer")
    top: int | None = Field(default=None, description="list the closest N reachable targets")
    next_top: int | None = Field(default=None, description="targets the next best step is weighed over")
    today: PlanDate | None = Field(default=None, description="plan start (default: the profile's, else today)")
    time_limit: float | None = Field(default=None, allow_inf_nan=False,
                                     description="seconds for each target's search; at most the server's "
                                                 "PLANNER_API_MAX_SECONDS")


class ReachQuestion(BaseModel):
    """Where can this learner get from here: ``planner reach``'s question."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"profile": {"holdings": [{"credential": "osa-python-data", "earned": "2026-06-01"}],
                     "constraints": {"start": "2027-01-04"}}, "options": {"top": 5, "time_limit": 2}}]})

    profile: LearnerProfile = Field(default_factory=LearnerProfile, description="the learner")
    options: ReachOptionsIn = Field(default_factory=ReachOptionsIn)


class ReachAnswer(BaseModel):
    """``planner reach --format json`` (:func:`planner.engine.reach.reach_to_json`, with the holdings counted)."""

    model_config = ConfigDict(extra="allow")

    version: int
    objective: str
    measure: str
    start: str
    currency: str
    complete: bool
    searched: int
    ranked: list[dict[str, Any]]
    met: list[dict[str, Any]]
    unreachable: list[dict[str, Any]]
    next_step: dict[str, Any] | None
    holdings: list[dict[str, Any]]


@router.post("/reach", response_model=ReachAnswer,
             summary="Every role and award ranked by its best route, and the next best step (planner reach)")
async def reach(question: ReachQuestion, ctx: Context, _who: Caller) -> JSONResponse:
    """Where the learner can get from here: ``planner reach --format json``."""
    return await ctx.answer(partial(_reach, question, ctx))


def _reach(question: ReachQuestion, ctx: Served) -> JSONResponse:
    from planner.engine.problem import ProblemError
    from planner.store.catalogue.reach import reach_request

    limit = question.options.time_limit
    if limit is not None and limit > ctx.settings.max_seconds:
        raise ApiError(422, f"{BODY}: options.time_limit: at most {ctx.settings.max_seconds:g} seconds on this "
                       "server", kind="invalid-input")
    assert ctx.catalogue is not None
    source: Any = ctx.catalogue.folder if ctx.catalogue.folder is not None else ctx.catalogue.store
    # a request runs in this process; a Dask cluster is used only when the server names a running one
    scheduler = ctx.settings.scheduler if "://" in ctx.settings.scheduler else None
    try:
        answer = reach_request(source, question.model_dump(mode="json", exclude_none=True), scheduler=scheduler)
    except (ProblemError, KeyError) as exc:
        raise ApiError(422, str(exc).strip("'\""), kind="invalid-input") from None
    return JSONResponse(answer)


class CredentialFile(BaseModel):
    """An uploaded credential file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255, pattern=r"^[^/\\\x00-\x1f]+$",
                      description="the file's name (for messages)")
    content: str = Field(description="the file's bytes in base64: JSON, a baked PNG or SVG badge, or a VC-JWT")


class VerifyRequest(BaseModel):
    """Credential files to verify and match to the catalogue."""

    model_config = ConfigDict(extra="forbid")

    credentials: list[CredentialFile] = Field(min_length=1, max_length=50)
    learner_ids: list[str] = Field(default_factory=list, max_length=20,
                                   description="the learner's e-mail, DID or URL as badges name them: a badge "
                                               "issued to someone else is said and never counted")
    declare: list[str] = Field(default_factory=list, max_length=200,
                               description="catalogue credential ids to count as self-declared although their "
                                           "credential did not verify")
    at: PlanDate | None = Field(default=None, description="judge validity at the start of this day, UTC "
                                                          "(default today)")


class CredentialRowOut(BaseModel):
    """One credential found in the files (``recommend --have-file``'s ``credential_files`` row)."""

    model_config = ConfigDict(extra="allow")

    file: str
    title: str
    catalogue_credential: str | None
    status: str
    reason: str | None
    issuer: str
    subject: str | None
    counts_as_verified: bool


class VerifyAnswer(BaseModel):
    """What the files hold, how each verified, and what counts."""

    credential_files: list[CredentialRowOut]
    holdings: list[Holding] = Field(description="what counts, under catalogue ids: verified, or declared as asked")
    problems: list[str] = Field(description="files or parts that could not be read, located")
    note: str | None = Field(default=None, description="what the server could not check")


@router.post("/credentials/verify", response_model=VerifyAnswer,
             summary="Verify Open Badges 3.0 / CLR 2.0 credentials and say what counts")
async def verify(request: VerifyRequest, ctx: Context, _who: Caller) -> JSONResponse:
    """Each credential verified offline (signature, issuer, dates, status), matched to the catalogue, counted."""
    return await ctx.answer(partial(_verify, request, ctx))


def _verify(request: VerifyRequest, ctx: Served) -> JSONResponse:
    from planner.catalogue.inputs import NamedBytes
    from planner.verify.holdings import holdings_from_files
    from planner.verify.loader import missing_contexts
    from planner.verify.review import review_credentials
    from planner.verify.trust import TrustList

    files = []
    for i, item in enumerate(request.credentials):
        try:
            files.append(NamedBytes(item.name, base64.b64decode(item.content, validate=True)))
        except (binascii.Error, ValueError):
            raise ApiError(422, f"{BODY}: credentials.{i}.content: not base64", kind="invalid-input") from None
    assert ctx.catalogue is not None
    trust = TrustList.from_providers(ctx.catalogue.providers_with_issuers())
    found = holdings_from_files(files, today=request.at or dt.date.today(), trust=trust)
    catalogue = ctx.catalogue.with_credentials(h.credential for h in found.imported)
    review = review_credentials(found, catalogue, tuple(request.learner_ids))
    missing = missing_contexts()
    note = (f"this server's JSON-LD context cache lacks {len(missing)} context(s); a credential that needs one "
            "cannot be verified here" if missing else None)
    return JSONResponse({
        "credential_files": [row.to_json() for row in review.rows],
        "holdings": [h.model_dump(mode="json") for h in review.holdings(set(request.declare))],
        "problems": [str(p) for p in review.problems], "note": note})
