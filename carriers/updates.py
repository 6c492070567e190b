"""Stored carrier webhooks applied to orders: parse, map, and hand each report to the domain.

The body was authenticated when it arrived; here it is only read. A body that says nothing we
can use fails its inbox row at once with the reason (`chotdon inbox list --failed`), where
staff see it; each report in it is then applied once, in the order the carrier made them,
by `orders.carrier_updates`, which keeps the seed's rules.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from carriers.base import Carrier, UnreadableWebhook
from orders.carrier_updates import Outcome, apply_carrier_status
from webhooks.processor import BodyHandler, InboxHandler, InboxItem, Unprocessable, each

log = logging.getLogger(__name__)

SOURCE_PREFIX = "carrier:"


def source_of(carrier: str) -> str:
    """The inbox source of a carrier's webhooks."""
    return f"{SOURCE_PREFIX}{carrier}"


def inbox_handlers(carriers: Mapping[str, Carrier]) -> dict[str, InboxHandler]:
    return {source_of(name): each(_applier(carrier)) for name, carrier in carriers.items()}


def _applier(carrier: Carrier) -> BodyHandler:
    async def apply(session: AsyncSession, item: InboxItem) -> None:
        try:
            events = carrier.parse_webhook(item.body, item.content_type)
        except UnreadableWebhook as error:
            raise Unprocessable(f"{carrier.name} webhook not understood: {error}") from error
        if not events:
            raise Unprocessable(f"{carrier.name} webhook holds no status report")
        for event in sorted(events, key=lambda e: e.at):
            outcome = await apply_carrier_status(session, event.report())
            if outcome is Outcome.UNKNOWN_ORDER:
                log.warning(
                    "%s report %s for unknown order (tracking %s, our code %s): kept",
                    carrier.name,
                    event.raw_status,
                    event.tracking_code,
                    event.order_code,
                )

    return apply
