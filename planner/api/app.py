"""The FastAPI application: routers, the error boundary, the body limit, metrics, start and stop.

``uvicorn --factory planner.api.app:create_app`` (what ``planner serve`` runs) builds one per
worker process from the environment (:class:`planner.api.settings.Settings`). The OpenAPI
3.1 document is at ``/openapi.json``, the interactive documentation at ``/docs``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from planner.api import (
    routes_catalogue,
    routes_jobs,
    routes_learners,
    routes_ops,
    routes_people,
    routes_questions,
)
from planner.api.body import BodyLimit
from planner.api.metrics import Metrics
from planner.api.problems import install, problem_responses
from planner.api.settings import Settings
from planner.api.state import Served

__all__ = ["create_app"]

DESCRIPTION = """\
Plan stackable micro-credential routes from portals, LMSs and registries: the catalogue,
routes (`planner recommend`), verification of learners' Open Badges, the learner store
(learners, plans, versions, progress, re-plan) and the institution analyses as jobs.

Send `Authorization: Bearer <JWT>` from the configured OpenID Connect provider. Learner data
always needs it; catalogue, route, verification and analysis endpoints may be open (see
`/health`). Errors are RFC 9457 problem documents with the CLI's located messages.
"""


def create_app(settings: Settings | None = None, *, run_jobs: bool = True) -> FastAPI:
    """Build the application.

    Parameters
    ----------
    settings : Settings, optional
        Default: read from the environment.
    run_jobs : bool
        Start this process's job worker (tests may leave jobs queued).

    Returns
    -------
    FastAPI
    """
    from planner import __version__

    settings = settings or Settings.from_env()
    served = Served(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        served.open(run_jobs=run_jobs)
        try:
            yield
        finally:
            served.close()

    app = FastAPI(title="Stackable pathway planner API", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, openapi_url="/openapi.json", docs_url="/docs", redoc_url=None,
                  responses=problem_responses(400, 413, 422, 500))
    app.state.served = served
    for module in (routes_ops, routes_catalogue, routes_questions, routes_jobs, routes_learners, routes_people):
        app.include_router(module.router)
    install(app)  # handlers and the catch-all boundary (inside Starlette's outermost error middleware)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(Metrics)
    _secure_openapi(app, settings)
    return app


def _secure_openapi(app: FastAPI, settings: Settings) -> None:
    """Declare the bearer scheme (what ``/docs`` offers to fill in) and problems as problem+json only."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = original()
        schema.setdefault("components", {})["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                       "description": "an OpenID Connect token of " + (", ".join(settings.issuers) or
                                                                       "the configured issuer")}}
        problem = {"$ref": "#/components/schemas/Problem"}
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    if "application/problem+json" in content and content.get("application/json", {}).get(
                            "schema") == problem:
                        del content["application/json"]  # problems are only ever sent as problem+json
                if path in ("/health", "/metrics"):
                    continue
                tags = operation.get("tags", [])
                open_ = settings.open_catalogue and "learners" not in tags and "institution" not in tags
                operation["security"] = [{"bearer": []}, {}] if open_ else [{"bearer": []}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
