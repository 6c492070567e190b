"""Who is signed in, as the pages see it: set on the request by `web.security`'s middleware."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from orders.staff import StaffMember

CSRF_FIELD: Final = "csrf"  # the hidden form field every POST carries


StaffView = StaffMember  # who is signed in, as the pages see them


STAFF_KEY: Final = web.RequestKey("chotdon_staff", StaffView)  # the signed-in staff member
CSRF_KEY: Final = web.RequestKey("chotdon_csrf", str)  # the session's CSRF token for forms


def current_staff(request: web.Request) -> StaffView:
    """The signed-in staff member; the middleware has already refused anyone else."""
    staff = request.get(STAFF_KEY)
    if not isinstance(staff, StaffView):
        raise web.HTTPFound("/login")
    return staff
