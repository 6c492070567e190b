"""The bearer-token gate in front of every /api path.

A middleware rather than a decorator, so that routes other modules add under /api later are
protected without anyone having to remember it.
"""

from __future__ import annotations

import hmac

from aiohttp import web

from api.deps import API
from api.errors import ApiError
from kernel.http.errors import HandlerFn, error_body

PREFIX = "/api"


def is_api_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def refusal(header: str | None, token: str | None) -> str | None:
    """Why a request with this Authorization header is refused, or None when it may pass.

    Compared in constant time so the token cannot be guessed byte by byte from timings.
    """
    if not token:
        return "The JSON API is switched off: set CHOTDON_API_TOKEN to turn it on."
    scheme, _, given = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return "Send the header 'Authorization: Bearer <CHOTDON_API_TOKEN>'."
    expected = token.encode("utf-8")
    if not hmac.compare_digest(given.strip().encode("utf-8", "surrogatepass"), expected):
        return "The bearer token is not the one this service expects."
    return None


@web.middleware
async def api_guard(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
    if not is_api_path(request.path):
        return await handler(request)
    problem = refusal(request.headers.get("Authorization"), request.app[API].api_token)
    if problem is not None:
        response = error_body("unauthorized", problem, 401)
        response.headers["WWW-Authenticate"] = 'Bearer realm="chotdon"'
        return response
    try:
        return await handler(request)
    except ApiError as error:
        return error_body(error.code, error.message, error.status, **error.details)
