"""Staff accept a line the comment reading marked for checking (`90 read as a size`): one use
case for the pages and the bot, an edit of the lines through `OrderService.act`, so the order's
history shows who accepted it and when."""

from __future__ import annotations

from application.services import OrderService
from orders.actors import Actor
from orders.changes import OrderChanges
from orders.lifecycle import Action
from orders.review import ACCEPTED, accepted_lines
from orders.views import OrderView


async def accept_line(
    service: OrderService, order_id: int, line_id: int, *, actor: Actor, version: int | None
) -> OrderView | None:
    """The order with line `line_id` no longer marked, or None when the order has no such
    marked line with a known item. Raises what `act` raises: NotFound, StaleVersion when the
    order moved on since `version` was read, ActionNotAllowed when its status allows no
    edit."""
    order = await service.detail(order_id)
    lines = accepted_lines(order, line_id)
    if lines is None:
        return None
    changes = OrderChanges(lines=lines)
    return await service.act(
        order_id, Action.EDIT, actor=actor, version=version, changes=changes, reason=ACCEPTED
    )
