"""The API's error boundary: every failure becomes an RFC 9457 problem document.

Exceptions that input can cause get the CLI's located message
(:func:`planner.boundary.describe_input_error`) and a 4xx status; anything else is a bug:
its traceback is saved with :func:`planner.boundary.save_bug_report` on the server and
the client gets ``500`` with a reference to quote, never the traceback. Access refusals
keep the store's words, which are the same for a record that does not exist and for one
the caller may not see.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from planner.boundary import describe_input_error, save_bug_report

__all__ = ["PROBLEM_JSON", "ApiError", "Boundary", "Problem", "describe_failure", "exception_response", "install",
           "problem_response", "problem_responses"]

PROBLEM_JSON = "application/problem+json"
_TYPE = "urn:stackable-planner:problem:"
_log = logging.getLogger("planner.api")

#: The input named in located messages about a request's body.
BODY = "request body"


class Problem(BaseModel):
    """An RFC 9457 problem document (extension members as the problem needs them)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", description="what kind of problem (a URN of this API, or about:blank)")
    title: str = Field(description="the kind of problem, in words")
    status: int = Field(ge=400, le=599, description="the HTTP status")
    detail: str = Field(description="this occurrence, in one located line (the CLI's words)")
    instance: str | None = Field(default=None, description="the request path")
    errors: list[str] | None = Field(default=None, description="every located problem, when there are several")


class ApiError(HTTPException):
    """A refusal with a status, a located message and optional extension members."""

    def __init__(self, status: int, detail: str, *, kind: str | None = None, title: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.kind, self.title, self.extra = kind, title, extra


_TITLES = {400: "Malformed request", 401: "Not signed in", 403: "Forbidden", 404: "Not found",
           405: "Method not allowed", 406: "Not acceptable", 409: "Conflict", 413: "Request body too large",
           415: "Unsupported media type", 422: "Invalid input", 429: "Too many requests",
           500: "Internal error", 503: "Service unavailable"}


def problem_response(request: Request | None, status: int, detail: str, *, kind: str | None = None,
                     title: str | None = None, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """A ``application/problem+json`` response.

    Parameters
    ----------
    request : Request or None
        The request (its path becomes ``instance``).
    status : int
        The HTTP status.
    detail : str
        The located message.
    kind : str, optional
        The problem type's last part (``plan-conflict`` …); ``about:blank`` when None.
    title : str, optional
        Default: the status's words.
    headers : dict, optional
        Extra response headers (``WWW-Authenticate`` …).
    **extra
        Extension members.
    """
    body: dict[str, Any] = {
        "type": _TYPE + kind if kind else "about:blank",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path if request is not None else None,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return JSONResponse(jsonable_encoder(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _location(loc: tuple[Any, ...]) -> str:
    where, *rest = loc or ("request",)
    field = ".".join(str(p) for p in rest)
    if where == "body":
        return f"{BODY}: {field}" if field else BODY
    if where in ("query", "path", "header"):
        return f"{where} parameter {field}"
    return ".".join(str(p) for p in loc)


def validation_messages(errors: list[dict[str, Any]]) -> list[str]:
    """One located line per validation error, as the CLI words them (``request body: target: …``)."""
    out = []
    for error in errors[:50]:
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        out.append(f"{_location(tuple(error.get('loc', ())))}: {message}")
    return out


def _input_status(exc: BaseException) -> tuple[int, str]:
    """Status and problem kind of an exception caused by input (the message comes from the boundary)."""
    from planner.catalogue.inputs import InputError

    if isinstance(exc, InputError):
        return 400, "malformed-input"
    return 422, "invalid-input"


def _store_status(exc: BaseException) -> tuple[int, str, dict[str, Any]] | None:
    """Status, kind and extension members of the store's refusals (None for other exceptions)."""
    from planner.store.errors import AccessDenied, NotFound, PlanConflict, StoreError

    if isinstance(exc, PlanConflict):
        return 409, "plan-conflict", {"plan_id": exc.plan_id, "based_on": exc.based_on, "latest": exc.latest,
                                      "changed_by": exc.changed_by, "changed_at": exc.changed_at.isoformat()}
    if isinstance(exc, AccessDenied):
        return 403, "forbidden", {}
    if isinstance(exc, NotFound):
        return 404, "not-found", {}
    busy = _busy_error()
    if busy is not None and isinstance(exc, busy):
        return 503, "busy", {}
    if isinstance(exc, StoreError):
        return 422, "invalid-input", {}
    return None


def _busy_error() -> type | None:
    try:  # the store retries conflicting units of work and says when it gave up (newer stores)
        from planner.store.tx import StoreBusy  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return StoreBusy  # type: ignore[no-any-return,unused-ignore]


def exception_response(request: Request, exc: BaseException) -> JSONResponse:
    """The problem document for an exception that escaped an endpoint."""
    from planner.store.catalogue.engine import StoreError as CatalogueStoreError

    args = SimpleNamespace(path=BODY)
    store = _store_status(exc)
    if store is not None:
        status, kind, extra = store
        return problem_response(request, status, str(exc), kind=kind, **extra)
    if isinstance(exc, CatalogueStoreError):  # the server's compiled catalogue, not the caller's input
        _log.error("compiled catalogue: %s", exc)
        return problem_response(request, 503, str(exc), kind="catalogue-unavailable")
    message = describe_input_error(exc, args)
    if message is not None and not isinstance(exc, (MemoryError, OSError)):
        status, kind = _input_status(exc)
        errors = message.splitlines()
        return problem_response(request, status, errors[0] if errors else message, kind=kind,
                                errors=errors if len(errors) > 1 else None)
    saved = save_bug_report(exc, [request.method, request.url.path])
    reference = Path(saved).name if saved else None
    _log.error("internal error on %s %s (%s); report %s", request.method, request.url.path, type(exc).__name__,
               saved)
    return problem_response(request, 500, f"internal error, please report ({type(exc).__name__})",
                            kind="internal-error", reference=reference)


def describe_failure(exc: BaseException) -> str:
    """One line for an exception that ended a background job: located for input, a reference for a bug."""
    message = describe_input_error(exc, SimpleNamespace(path="job"))
    if message is not None and not isinstance(exc, (MemoryError, OSError)):
        return message
    saved = save_bug_report(exc, ["job"])
    reference = f"; reference {Path(saved).name}" if saved else ""
    return f"internal error, please report ({type(exc).__name__}){reference}"


def install(app: Any) -> None:
    """Register the handlers that turn every exception into a problem document."""

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        if isinstance(exc, ApiError):
            return problem_response(request, exc.status_code, str(exc.detail), kind=exc.kind, title=exc.title,
                                    headers=exc.headers, **exc.extra)
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
        return problem_response(request, exc.status_code, detail, headers=exc.headers)

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        lines = validation_messages(list(exc.errors()))
        return problem_response(request, 422, lines[0] if lines else "invalid request", kind="invalid-input",
                                errors=lines)

    app.add_exception_handler(HTTPException, api_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_middleware(Boundary)


class Boundary:
    """ASGI middleware: an exception no handler took becomes a problem document (never a traceback).

    It sits inside Starlette's outermost error middleware, so nothing reaches that one's
    plain-text 500 page; an exception after the response started is logged and the
    connection closed (there is no way to change a status already sent).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                _log.error("error after the response started on %s: %s", scope.get("path"), type(exc).__name__)
                return
            response = exception_response(Request(scope), exc)
            await response(scope, receive, send)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these statuses, each an ``application/problem+json`` :class:`Problem`."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {status: {"description": _TITLES.get(status, "Error"), "model": Problem,
                     "content": {PROBLEM_JSON: {"schema": schema}}} for status in statuses}
