"""`POST /api/orders/batch`: one action over many orders, answered when every order is done.

The body is checked whole before any order is touched (ids, versions, the action and its
fields); from then on each order is its own result, refusals included, in the order given
(`application.batch`).
"""

from __future__ import annotations

from typing import Annotated, Final

from aiohttp import web
from pydantic import Field, model_validator

from api.deps import API
from api.errors import ApiError, invalid
from api.orders import _ship_with
from api.replies import reply
from api.requests import ActionIn, ShortText, read_object, validate
from application import batch
from orders.actors import Actor
from orders.lifecycle import Action
from orders.transitions import parse_action

MAX_ID: Final = 2**31 - 1
OrderId = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=0, le=MAX_ID)]


class BatchIn(ActionIn):
    """`ids`, `action`, `versions` by id (keys are the ids as text, as JSON spells them), and
    the action's own fields as one order's action takes them (plus `service` for ship)."""

    ids: list[OrderId] = Field(min_length=1)
    action: ShortText
    versions: dict[str, Version] | None = None
    service: ShortText = ""

    @model_validator(mode="after")
    def _one_result_per_id(self) -> BatchIn:
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("ids must not repeat: each order gets one result")
        return self

    def version_of(self) -> dict[int, int]:
        """`versions` by order id; a key that names no order of `ids` is refused, since the
        caller expected it to matter."""
        versions: dict[int, int] = {}
        for key, value in (self.versions or {}).items():
            id_ = int(key) if key.isascii() and key.isdigit() and len(key) <= 10 else None
            if id_ is None or id_ not in self.ids:
                raise invalid(
                    f"versions: {key!r} is not one of the ids of this batch.", field="versions"
                )
            versions[id_] = value
        return versions


def _too_many(data: dict[str, object]) -> None:
    ids = data.get("ids")
    if isinstance(ids, list) and len(ids) > batch.MAX_IDS:
        raise ApiError(
            422,
            "too_many_ids",
            f"A batch takes at most {batch.MAX_IDS} orders; {len(ids)} were given. "
            "Send them in several batches.",
            field="ids",
            limit=batch.MAX_IDS,
            given=len(ids),
        )


def _ask(request: web.Request, body: BatchIn) -> batch.BatchAsk:
    action = parse_action(body.action)
    if "version" in body.model_fields_set:
        raise invalid(
            "A batch takes versions by id in 'versions', not one 'version'.", field="version"
        )
    body.check_fits(action)
    if body.service and action is not Action.SHIP:
        raise invalid(f"service only applies to ship, not to {action.value}.", field="service")
    ship: batch.Ship | None = None
    if action is Action.SHIP:
        picked = _ship_with(body, list(request.app[API].shipping))
        if picked is None:
            raise invalid("ship needs a carrier for the whole batch.", field="carrier")
        ship = batch.Ship(picked.kind, body.service.strip(), picked.name, picked.phone)
    return batch.BatchAsk(
        action=action.value,
        ids=tuple(body.ids),
        versions=body.version_of(),
        ship=ship,
        reason=body.reason,
        approve_risky=body.approve_risky,
        approve_unpaid=body.approve_unpaid,
    )


async def post_batch(request: web.Request) -> web.Response:
    data = await read_object(request)
    _too_many(data)
    body = validate(BatchIn, data)
    api = request.app[API]
    outcome = await batch.run_now(
        api.orders,
        _ask(request, body),
        Actor.api(),
        shipping=batch.Shipping(api.shipping, api.printing.shop),
        language=api.printing.shop.language,
    )
    return reply({"results": [result.as_json() for result in outcome.results]})
