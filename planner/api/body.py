"""Request bodies through the one input layer: size before parsing, then the JSON limits.

:class:`BodyLimit` refuses a body larger than the limit before a byte of it is parsed: at
once when ``Content-Length`` says so, and while reading when the client sends more than it
announced (or streams it chunked). :class:`LimitedRoute` makes every endpoint parse JSON
with :func:`planner.catalogue.inputs.parse_json` (nesting, integer digits, no ``NaN``),
so a body meets the limits every file the planner reads meets, and a refusal is located
(``request body:1:17: invalid JSON: …``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from planner.api.problems import BODY, ApiError, problem_response
from planner.catalogue.inputs import InputError, decode_text, parse_json

__all__ = ["BodyLimit", "LimitedRequest", "LimitedRoute"]


class _TooLarge(BaseException):  # not an Exception: no handler inside may turn it into another answer
    pass


class BodyLimit:
    """ASGI middleware: a request body above ``max_bytes`` gets ``413`` before it is parsed.

    Parameters
    ----------
    app : ASGI application
        What it wraps.
    max_bytes : int
        The largest body accepted.
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _refuse(self, scope: Any, size: str) -> Any:
        detail = (f"{BODY}: {size}; the limit is {self.max_bytes:,} bytes "
                  "(PLANNER_API_MAX_BODY_MB on the server)")
        return problem_response(Request(scope), 413, detail, kind="too-large")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is not None:
            try:
                announced = int(length)
            except ValueError:
                await problem_response(Request(scope), 400, "Content-Length: not a number")(scope, receive, send)
                return
            if announced > self.max_bytes:
                await self._refuse(scope, f"{announced:,} bytes announced")(scope, receive, send)
                return
        received = 0
        started = False

        async def counted() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def watch(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except _TooLarge:
            if not started:
                await self._refuse(scope, f"more than {self.max_bytes:,} bytes sent")(scope, receive, send)


class LimitedRequest(Request):
    """A request whose JSON body is parsed by the input layer (its limits, located errors)."""

    async def json(self) -> Any:
        """The body as JSON, or :class:`~planner.api.problems.ApiError` 400 with the located reason."""
        if not hasattr(self, "_json"):
            data = await self.body()
            try:
                self._json = parse_json(decode_text(data, BODY), BODY)
            except InputError as exc:
                raise ApiError(400, str(exc.problem), kind="malformed-input") from None
        return self._json


class LimitedRoute(APIRoute):
    """An endpoint whose request is a :class:`LimitedRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The endpoint's handler, given a :class:`LimitedRequest`."""
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            return await handler(LimitedRequest(request.scope, request.receive))

        return limited
