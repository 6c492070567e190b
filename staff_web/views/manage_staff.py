"""The managers' staff screen (`GET/POST /manage/staff`, `POST /manage/staff/{telegram_id}/remove`):
who may act on orders, as `chotdon staff add/list/remove` and the chat's `/staff` say it, with
the chat's rule that the last manager is never removed nor demoted.

A form with a mistake comes back with what was typed and the error by its field; a change done
answers with a redirect to the list (so reloading it posts nothing again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from aiohttp import web

from application.staff import dismiss_member, save_member, staff_members
from orders.errors import NotFound
from orders.staff import Role
from orders.staff_rules import LastManager
from staff_web.security import require_manager
from staff_web.views.common import page, service, texts

MAX_TELEGRAM_ID: Final = 2**53  # Telegram's user ids fit 52 bits
NAME_LIMIT: Final = 255  # the staff table's column
ROLES: Final = tuple(role.value for role in Role)
DONE: Final = ("added", "updated", "removed")


@dataclass
class StaffForm:
    telegram_id: str = ""
    name: str = ""
    role: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def telegram_id_of(text: object) -> int | None:
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 16:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_TELEGRAM_ID else None


def text_field(posted: Mapping[str, object], name: str) -> str:
    """A text field of a posted form, "" if missing (or a file where text was expected)."""
    value = posted.get(name)
    return value if isinstance(value, str) else ""


async def show(
    request: web.Request,
    form: StaffForm | None = None,
    *,
    status: int = 200,
    error: str = "",
    notice: str = "",
) -> web.Response:
    me = require_manager(request)
    people = await staff_members(service(request))
    return page(
        request,
        "manage_staff.html",
        status=status,
        people=people,
        me=me,
        roles=ROLES,
        form=form or StaffForm(),
        error=error,
        notice=notice,
        section="staff",
    )


async def staff_page(request: web.Request) -> web.Response:
    require_manager(request)
    done = request.query.get("done", "")
    notice = texts(request)[f"manage.done.{done}"] if done in DONE else ""
    return await show(request, notice=notice)


async def save(request: web.Request) -> web.Response:
    me = require_manager(request)
    t = texts(request)
    posted = await request.post()
    form = StaffForm(
        telegram_id=text_field(posted, "telegram_id").strip()[:32],
        name=text_field(posted, "name").strip(),
        role=text_field(posted, "role").strip(),
    )
    telegram_id = telegram_id_of(form.telegram_id)
    if telegram_id is None:
        form.errors["telegram_id"] = t["manage.bad_telegram_id"].format(typed=form.telegram_id)
    if not form.name:
        form.errors["name"] = t["manage.need_name"]
    elif len(form.name) > NAME_LIMIT:
        form.errors["name"] = t["manage.too_long"].format(limit=NAME_LIMIT)
    if form.role not in ROLES:
        form.errors["role"] = t["manage.bad_role"]
    if form.errors or telegram_id is None:
        return await show(request, form, status=422, error=t["manage.fix_errors"])
    try:
        saved = await save_member(service(request), telegram_id, form.name, form.role)
    except LastManager as refused:
        form.errors["role"] = t["manage.last_manager"].format(name=refused.name)
        return await show(request, form, status=409, error=t["manage.fix_errors"])
    if telegram_id == me.telegram_id and form.role != Role.MANAGER.value:
        raise web.HTTPSeeOther("/")  # they stepped down: this page is no longer theirs
    raise web.HTTPSeeOther("/manage/staff?done=" + ("added" if saved.new else "updated"))


async def remove(request: web.Request) -> web.Response:
    require_manager(request)
    t = texts(request)
    raw = request.match_info["telegram_id"][:32]
    telegram_id = telegram_id_of(raw)
    if telegram_id is None:
        return await show(
            request, status=404, error=t["manage.unknown_staff"].format(telegram_id=raw)
        )
    try:
        await dismiss_member(service(request), telegram_id)
    except NotFound:
        error = t["manage.unknown_staff"].format(telegram_id=telegram_id)
        return await show(request, status=404, error=error)
    except LastManager as refused:
        error = t["manage.last_manager"].format(name=refused.name)
        return await show(request, status=409, error=error)
    raise web.HTTPSeeOther("/manage/staff?done=removed")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/manage/staff", staff_page)
    app.router.add_post("/manage/staff", save)
    app.router.add_post("/manage/staff/{telegram_id}/remove", remove)
