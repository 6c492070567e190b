"""What every screen shares: the service, who acts, labels and formats for templates, and
reading ids and cursors from the URL before they reach SQL."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from aiohttp import web

from application.services import OrderService
from application.wording.refusals import Described, describe
from application.wording.reviews import review_text
from orders.actors import Actor, Source
from orders.views import ShipperView
from render.formats import format_local_datetime, format_vnd
from render.strings import carrier_name
from staff_web.context import current_staff
from staff_web.deps import PAGES
from staff_web.render import render
from staff_web.strings import labels

MAX_INT32: Final = 2**31 - 1
_WHOLE: Final = re.compile(r"[0-9]{1,10}")


def service(request: web.Request) -> OrderService:
    return request.app[PAGES].orders


def actor(request: web.Request) -> Actor:
    """The signed-in staff member, as the order's events record them."""
    staff = current_staff(request)
    return Actor(Source.STAFF, staff.name, staff_id=staff.id)


def texts(request: web.Request) -> dict[str, str]:
    return labels(request.app[PAGES].language)


def refusal_text(request: web.Request, refused: Described) -> str:
    """A domain refusal in the shop's language."""
    return describe(refused, request.app[PAGES].language)


def whole(text: object) -> int | None:
    """A row id or cursor from the URL or a form, or None: PostgreSQL refuses numbers beyond
    its integer columns with an error, where staff deserve a plain 'not found'."""
    if not isinstance(text, str) or not _WHOLE.fullmatch(text.strip()):
        return None
    number = int(text.strip())
    return number if 1 <= number <= MAX_INT32 else None


def moment(value: object) -> str:
    """An ISO time from a snapshot, in Vietnam's time, as staff read it."""
    if isinstance(value, datetime):
        return format_local_datetime(value)
    if isinstance(value, str) and value:
        try:
            return format_local_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    return ""


def shipper_label(shipper: ShipperView | None, t: Mapping[str, str]) -> str:
    if not shipper or not shipper.kind:
        return ""
    if shipper.kind == "individual":
        who = [t["carrier.individual"], shipper.name or "", shipper.phone or ""]
        return " · ".join(part for part in who if part)
    return carrier_name(shipper.kind)


def safe_next(target: object, fallback: str) -> str:
    """Where a form goes back to: only a path of this site, never another host."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(char) < 0x20 for char in target):
        return fallback
    return target


def page(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    """`render` with what every template uses: labels, money and time formats, static URLs."""
    static = request.app.router["static"]
    return render(
        request,
        template,
        status=status,
        t=texts(request),
        vnd=format_vnd,
        when=moment,
        carrier=carrier_name,
        shipper_label=shipper_label,
        review=lambda line: review_text(
            line.review_reason, line.review_value, request.app[PAGES].language
        ),
        asset=lambda name: str(static.url_for(filename=name)),
        path=request.path_qs,
        **context,
    )


def not_found(request: web.Request, message_key: str = "page.not_found") -> web.Response:
    return page(request, "not_found.html", status=404, message=texts(request)[message_key])
