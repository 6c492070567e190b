"""Cross-cutting HTTP behaviour: request metrics, and errors that are JSON and never a bare 500."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from chotdon.metrics import Metrics
from orders.errors import (
    ActionNotAllowed,
    InvalidInput,
    NotFound,
    OrderError,
    OrderIncomplete,
    OutOfStock,
    StaleVersion,
)

log = logging.getLogger(__name__)

HandlerFn = Callable[[web.Request], Awaitable[web.StreamResponse]]

STATUS_OF: dict[type[OrderError], int] = {
    NotFound: 404,
    InvalidInput: 422,
    StaleVersion: 409,
    ActionNotAllowed: 409,
    OrderIncomplete: 409,
    OutOfStock: 409,
}


def error_body(code: str, message: str, status: int, /, **extra: object) -> web.Response:
    return web.json_response({"error": code, "message": message, **extra}, status=status)


def _route_name(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


def metrics_middleware(metrics: Metrics) -> Callable[[web.Request, HandlerFn], Awaitable]:
    @web.middleware
    async def middleware(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
        started = time.perf_counter()
        route = _route_name(request)
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        finally:
            metrics.requests.labels(request.method, route, str(status)).inc()
            metrics.request_seconds.labels(route).observe(time.perf_counter() - started)

    return middleware


@web.middleware
async def error_middleware(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
    """Domain errors become JSON with a code and a sentence; JSON routes never answer HTML."""
    json_route = request.path.startswith("/api/")
    try:
        return await handler(request)
    except OrderError as error:
        status = next((code for kind, code in STATUS_OF.items() if isinstance(error, kind)), 400)
        return error_body(error.code, error.message, status, **_jsonable(error.details))
    except web.HTTPException as error:
        if not json_route or error.status < 400:
            raise
        code = {
            401: "unauthorized",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
        }.get(error.status, "http_error")
        return error_body(code, error.reason or "Request refused.", error.status)
    except Exception:
        # The route's pattern, not the path: a path may carry a secret (`/login/{token}`).
        log.exception("unhandled error on %s %s", request.method, _route_name(request))
        if not json_route:
            raise
        return error_body("internal", "Something went wrong on our side; it was logged.", 500)


def _jsonable(details: dict[str, object]) -> dict[str, object]:
    try:
        json.dumps(details)
    except TypeError:
        return {}
    return details
