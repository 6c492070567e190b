"""The error answer every HTTP adapter gives, and the hook through which the staff pages say
"try again" during a database outage without the error middleware knowing of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from kernel.database import Outage

HandlerFn = Callable[[web.Request], Awaitable[web.StreamResponse]]

# The page a person sees while the database cannot serve, or None for a path that is not a
# page (it then gets the JSON answer); set by the pages (`staff_web`) so that this module
# knows nothing of them.
UNAVAILABLE_PAGE = web.AppKey[Callable[[web.Request, Outage], web.Response | None]](
    "unavailable_page"
)


def error_body(code: str, message: str, status: int, /, **extra: object) -> web.Response:
    return web.json_response({"error": code, "message": message, **extra}, status=status)
