"""Cross-cutting HTTP behaviour: request metrics, and errors that are JSON and never a bare 500.

A database that cannot serve (unreachable, read-only, full, locked past the wait) is not a bug
in the request: it is answered 503 in one place, here, so a client retries and a person sees
"try again in a moment" (`UNAVAILABLE_PAGE`, which the staff pages set), while real bugs stay
500 `internal` with their traceback logged.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Middleware

from application.wording.languages import DEFAULT_LANGUAGE
from application.wording.refusals import describe
from kernel.database import Outage, outage_of
from kernel.http.errors import UNAVAILABLE_PAGE, HandlerFn, error_body
from kernel.metrics import Metrics
from orders.errors import (
    ActionNotAllowed,
    AwaitingPayment,
    InvalidInput,
    NotFound,
    OrderError,
    OrderIncomplete,
    OutOfStock,
    RiskyBuyer,
    StaleVersion,
)

log = logging.getLogger(__name__)

RETRY_AFTER_S: Final = "5"
# The language domain refusals are said in (`CHOTDON_LANGUAGE`), set by the app factory.
LANGUAGE = web.AppKey("refusal_language", str)

STATUS_OF: dict[type[OrderError], int] = {
    NotFound: 404,
    InvalidInput: 422,
    StaleVersion: 409,
    ActionNotAllowed: 409,
    OrderIncomplete: 409,
    OutOfStock: 409,
    RiskyBuyer: 409,
    AwaitingPayment: 409,
}


def _route_name(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


def metrics_middleware(metrics: Metrics) -> Middleware:
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
    """Domain refusals become JSON: the class's `error` code, the fine `reason`, the `params`
    the refusal carries and a `message` in the shop's language; JSON routes never answer
    HTML."""
    json_route = request.path.startswith("/api/")
    try:
        return await handler(request)
    except OrderError as error:
        status = next((code for kind, code in STATUS_OF.items() if isinstance(error, kind)), 400)
        language = request.config_dict.get(LANGUAGE, DEFAULT_LANGUAGE)
        return error_body(
            error.code,
            describe(error, language),
            status,
            reason=error.reason.value,
            params=_jsonable(error.params),
        )
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
    except Exception as error:
        outage = outage_of(error)
        if outage is not None:
            return _unavailable(request, outage, error)
        # The route's pattern, not the path: a path may carry a secret (`/login/{token}`).
        log.exception("unhandled error on %s %s", request.method, _route_name(request))
        if not json_route:
            raise
        return error_body("internal", "Something went wrong on our side; it was logged.", 500)


def _unavailable(request: web.Request, outage: Outage, error: Exception) -> web.Response:
    """One WARNING line (no traceback: nothing here is a bug to read), then 503."""
    cause = getattr(error, "orig", None) or error
    detail = (str(cause).strip() or type(cause).__name__).splitlines()[0]
    route = _route_name(request)  # not the path: a login link's token is in its path
    log.warning("%s %s answered 503: %s (%s)", request.method, route, outage.message, detail)
    page = request.app.get(UNAVAILABLE_PAGE)
    response = page(request, outage) if page is not None else None
    if response is None:
        message = f"{outage.message} Try again in a moment."
        response = error_body("unavailable", message, 503)
    response.headers["Retry-After"] = RETRY_AFTER_S
    return response


def _jsonable(details: Mapping[str, object]) -> Mapping[str, object]:
    try:
        json.dumps(details)
    except TypeError:
        return {}
    return details
