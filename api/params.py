"""Path and query parameters: text from the URL, checked before it can reach SQL.

Ids and cursors are bounded to the integer columns they are compared with; PostgreSQL refuses
an out-of-range number with an error, where the client deserves a 404 or a 422.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, BeforeValidator, ConfigDict

from api.errors import ApiError, invalid
from api.requests import Name, ShortText, Sku, TelegramId, validate
from orders.queries import OrderFilter

MAX_INT32 = 2**31 - 1
_WHOLE = re.compile(r"[0-9]{1,10}")


def _row_id(text: str) -> int | None:
    if not _WHOLE.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_INT32 else None


def path_id(request: web.Request, name: str, noun: str) -> int:
    """The row id in the path's `{name}`: a 404 naming the `noun` for anything that is not one."""
    text = request.match_info[name]
    number = _row_id(text)
    if number is None:
        message = f"There is no {noun} {text!r}: {noun} ids are whole numbers."
        raise ApiError(404, "not_found", message)
    return number


def order_id(request: web.Request) -> int:
    return path_id(request, "order_id", "order")


YES = ("1", "true", "yes")
NO = ("", "0", "false", "no")


def query_flag(request: web.Request, name: str) -> bool:
    """A yes-or-no query parameter (`?unmatched=1`): absent is no; anything but 1/0, true/false
    or yes/no is a 422 naming it."""
    flag = request.query.get(name, "").strip().lower()
    if flag not in YES + NO:
        raise invalid(f"{name} must be 1 or 0.", field=name)
    return flag in YES


def encode_cursor(last_id: int | None) -> str | None:
    """Clients pass it back as it is; what it holds is ours to change."""
    return None if last_id is None else str(last_id)


def _decode_cursor(text: object) -> int:
    number = _row_id(text) if isinstance(text, str) else None
    if number is None:
        raise ValueError("is not a cursor this API handed out; start again without one")
    return number


class OrderQuery(BaseModel):
    """Lax where the URL only has text (limit=20 is a number), strict about everything else."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    status: Sku | None = None
    staff: TelegramId | None = None
    video_id: Sku | None = None
    q: Name | None = None
    limit: int = 50
    cursor: Annotated[int, BeforeValidator(_decode_cursor)] | None = None
    buyer_confirmation: ShortText | None = None
    empty_drafts: ShortText | None = None  # include (the default), hide or only
    payment: ShortText | None = None  # awaiting_transfer or overpaid

    def to_filter(self) -> OrderFilter:
        return OrderFilter(
            status=self.status,
            staff=self.staff,
            video_id=self.video_id,
            q=self.q,
            limit=self.limit,
            cursor=self.cursor,
            buyer_confirmation=self.buyer_confirmation,
            empty_drafts=self.empty_drafts or "include",
            payment=self.payment,
        )


def order_query(request: web.Request) -> OrderQuery:
    """An empty parameter (`?status=`) means no filter, as the contract's URL shows."""
    given: dict[str, Any] = {key: value for key, value in request.query.items() if value != ""}
    return validate(OrderQuery, given)
