"""Who is signed in, as the pages see it: set on the request by `web.security`'s middleware."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from aiohttp import web

CSRF_FIELD: Final = "csrf"  # the hidden form field every POST carries


@dataclass(frozen=True)
class StaffView:
    id: int  # the staff row's id (orders point at it)
    telegram_id: int
    name: str
    role: str  # manager, cashier, sales

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


STAFF_KEY: Final = web.RequestKey("chotdon_staff", StaffView)  # the signed-in staff member
CSRF_KEY: Final = web.RequestKey("chotdon_csrf", str)  # the session's CSRF token for forms


def current_staff(request: web.Request) -> StaffView:
    """The signed-in staff member; the middleware has already refused anyone else."""
    staff = request.get(STAFF_KEY)
    if not isinstance(staff, StaffView):
        raise web.HTTPFound("/login")
    return staff
