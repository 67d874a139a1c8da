"""The institution analyses as background jobs: the coverage report and the recognition what-if.

Both run :func:`planner.outputs.report.build_report` (as ``planner coverage`` does) on the
served catalogue, or on a provider's analysis scope of a compiled store, with the route
searches on Dask through :func:`planner.analysis.parallel.runner`; the result is the
report's JSON (:func:`planner.outputs.report.to_json`), and the what-if's is that report's
``whatif`` part. ``PLANNER_API_SCHEDULER`` says where the searches run: ``auto`` (a local
cluster from :data:`planner.cli.coverage_cmd.AUTO_CLUSTER_CREDENTIALS` credentials, as the
CLI), ``none``, ``local`` or a running scheduler's address.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from planner.catalogue.models import ID_PATTERN, PlanDate

if TYPE_CHECKING:
    from planner.api.catalogue import CatalogueService
    from planner.api.jobs import Job

__all__ = ["CoverageRequest", "WhatIfRequest", "run_job"]


class WhatIfRequest(BaseModel):
    """Which recognition agreements to measure (``planner coverage``'s what-if part)."""

    model_config = ConfigDict(extra="forbid")

    provider: str | None = Field(default=None, pattern=ID_PATTERN, max_length=200,
                                 description="only agreements towards this provider's awards; needed on a large "
                                             "compiled store")
    award: str | None = Field(default=None, pattern=ID_PATTERN, max_length=200, description="only this award")
    as_of: PlanDate | None = Field(default=None, description="agreement validity and plan start (default today)")


class CoverageRequest(WhatIfRequest):
    """The scope of a coverage report (``planner coverage``'s options)."""

    routes: bool = Field(default=True, description="run the route-engine analyses (role reachability and what-ifs); "
                                                   "false is 'planner coverage --no-routes'")
    fastest: bool = Field(default=False, description="also search each role's fastest route on large catalogues")


def _scheduler(setting: str, credentials: int) -> str | None:
    from planner.cli.coverage_cmd import AUTO_CLUSTER_CREDENTIALS

    if setting == "auto":
        return "local" if credentials >= AUTO_CLUSTER_CREDENTIALS else None
    return None if setting == "none" else setting


def run_job(catalogue: CatalogueService, scheduler: str, job: Job, progress: Callable[[str, int, int], None]) -> Any:
    """Run one queued analysis job; return its JSON-ready result.

    Parameters
    ----------
    catalogue : CatalogueService
        The served catalogue.
    scheduler : str
        ``PLANNER_API_SCHEDULER``: auto, none, local or a scheduler address.
    job : Job
        The job claimed.
    progress : callable
        ``progress(phase, done, total)``.

    Raises
    ------
    planner._errors.PlannerError, KeyError, ValueError
        For a scope the catalogue does not have (the job fails with the message).
    """
    from planner._errors import PlannerError
    from planner.analysis.parallel import runner
    from planner.outputs.report import build_report, to_json

    request = (CoverageRequest if job.kind == "coverage" else WhatIfRequest).model_validate(job.params)
    try:
        analysed, scope = catalogue.analysis_scope(request.provider)
    except KeyError:
        raise PlannerError(f"provider: unknown provider {request.provider!r}") from None
    routes = getattr(request, "routes", True)
    coverage = job.kind == "coverage"
    progress("starting", 0, 0)
    with runner(_scheduler(scheduler, len(analysed.credentials))) as run:
        report = build_report(
            analysed, provider=request.provider, award=request.award, as_of=request.as_of,
            reachability=coverage and routes, whatif=routes, fastest=True if getattr(request, "fastest", False)
            else None, scheduler=run, progress=progress, **scope)
    data = json.loads(to_json(report))
    if coverage:
        return data
    return {"as_of": data["as_of"], "provider": data["provider"], "award": data["award"], "whatif": data["whatif"]}

