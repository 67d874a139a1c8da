"""``POST /jobs/coverage``, ``POST /jobs/whatif``, ``GET /jobs/{id}``: analyses that take minutes.

A job is queued in the database and run by whichever replica's worker claims it first
(:mod:`planner.api.jobs`); its id (a random UUID) is all a client needs to follow it from
any replica.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from planner.api.analyses import CoverageRequest, WhatIfRequest
from planner.api.body import LimitedRoute
from planner.api.jobs import QueueFull
from planner.api.problems import ApiError, problem_responses
from planner.api.state import Caller, Context

__all__ = ["router"]

router = APIRouter(route_class=LimitedRoute, tags=["analyses"], responses=problem_responses(401, 503))

JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                            description="the job's id, as POST answered")]


class Progress(BaseModel):
    """How far a job is."""

    phase: str = Field(description="the analysis running (reachability, whatif …), empty before it starts")
    done: int = Field(ge=0)
    total: int = Field(ge=0)


class JobOut(BaseModel):
    """A job and, once done, its result."""

    id: str
    kind: str = Field(description="coverage or whatif")
    params: dict[str, Any]
    status: str = Field(description="queued, running, done or failed")
    progress: Progress
    result: dict[str, Any] | None = Field(description="the report's JSON (planner coverage --format json), when done")
    error: str | None = Field(description="why it failed, located")
    created_at: str
    started_at: str | None
    finished_at: str | None


def _submit(ctx: Context, kind: str, params: dict[str, Any], who: Any) -> JSONResponse:
    assert ctx.jobs is not None
    try:
        job = ctx.jobs.submit(kind, params, who.issuer + "|" + who.subject if who is not None else None)
    except QueueFull as exc:
        raise ApiError(503, str(exc), kind="busy", headers={"Retry-After": "60"}) from None
    return JSONResponse(job.to_json(), status_code=202, headers={"Location": f"/jobs/{job.id}"})


@router.post("/jobs/coverage", response_model=JobOut, status_code=202,
             summary="Queue the institution coverage report (planner coverage)")
def coverage(request: CoverageRequest, ctx: Context, who: Caller) -> JSONResponse:
    """Stacking coverage, gaps, orphans, quality, role reachability and recognition what-ifs, on Dask."""
    return _submit(ctx, "coverage", request.model_dump(mode="json"), who)


@router.post("/jobs/whatif", response_model=JobOut, status_code=202,
             summary="Queue the recognition what-if (which new agreement opens most routes)")
def whatif(request: WhatIfRequest, ctx: Context, who: Caller) -> JSONResponse:
    """Every candidate recognition agreement measured by the route engine, on Dask."""
    return _submit(ctx, "whatif", request.model_dump(mode="json"), who)


@router.get("/jobs/{job_id}", response_model=JobOut, responses=problem_responses(404), summary="A job's progress")
def job(job_id: JobId, ctx: Context, _who: Caller) -> dict[str, Any]:
    """Status, progress, and the result or the error once it ends."""
    assert ctx.jobs is not None
    found = ctx.jobs.get(job_id)
    if found is None:
        raise ApiError(404, f"job {job_id}: no such job", kind="not-found")
    return found.to_json()
