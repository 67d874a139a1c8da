"""``/health`` and ``/metrics``: for load balancers and monitoring (no token needed)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import text

from planner.api.body import LimitedRoute
from planner.api.problems import ApiError, problem_responses
from planner.api.state import Context

__all__ = ["router"]

router = APIRouter(route_class=LimitedRoute, tags=["operations"])


class Health(BaseModel):
    """Whether this process can answer: its catalogue and its database are reachable."""

    status: str = Field(description="ok")
    version: str
    catalogue: str = Field(description="folder or compiled")
    sign_in: bool = Field(description="bearer tokens are checked (an issuer and an audience are configured)")
    open: bool = Field(description="catalogue, route and analysis endpoints answer without a token")


@router.get("/health", response_model=Health, responses=problem_responses(503), summary="Is this process able to serve")
def health(ctx: Context) -> Health:
    """200 when the catalogue and the learner store answer a query, else 503 with the reason."""
    from planner import __version__

    assert ctx.catalogue is not None and ctx.store is not None
    for name, engine in (("catalogue", ctx.catalogue.store.engine), ("database", ctx.store.engine)):
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # any driver failure: unhealthy, said without the URL
            raise ApiError(503, f"the {name} does not answer ({type(exc).__name__})", kind="unavailable") from None
    return Health(status="ok", version=__version__, catalogue="folder" if ctx.catalogue.folder is not None
                  else "compiled", sign_in=ctx.settings.sign_in, open=ctx.settings.open_catalogue)


@router.get("/metrics", response_class=Response, summary="Prometheus metrics",
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "Prometheus text format 0.0.4"}})
def metrics(ctx: Context) -> Response:
    """Requests by route and status, their durations, and the analysis jobs by status."""
    from planner.api.metrics import CONTENT_TYPE_LATEST, exposition

    assert ctx.jobs is not None
    return Response(exposition(ctx.jobs.counts), media_type=CONTENT_TYPE_LATEST)
