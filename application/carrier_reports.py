"""Stored carrier webhooks applied to orders: parse, map, and hand each report to the domain.

The body was authenticated when it arrived; here it is only read. A body that says nothing we
can use fails its inbox row at once with the reason (`chotdon inbox list --failed`), where
staff see it; each report in it is then applied once, in the order the carrier made them,
by `orders.carrier_updates`, which keeps the seed's rules. Every text of a report came from the
body, so it is made storable and cut to its column first (`kernel.storable`): a tracking code
with a NUL or half an emoji is kept as the nearest text a database takes, not a failed write.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from carriers.base import Carrier, UnreadableWebhook
from kernel.inbox.processor import BodyHandler, InboxHandler, InboxItem, Unprocessable, each
from kernel.storable import storable, storable_or_none
from orders.carrier_updates import CarrierReport, Outcome, apply_carrier_status

log = logging.getLogger(__name__)

SOURCE_PREFIX = "carrier:"
# The columns' sizes (`orders.tables.CarrierUpdate`, `Order`); a reason is kept in JSON.
CODE_LIMIT, STATUS_LIMIT, KEY_LIMIT, REASON_LIMIT = 64, 64, 255, 1000


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
            report = _storable(event.report())
            outcome = await apply_carrier_status(session, report)
            if outcome is Outcome.UNKNOWN_ORDER:
                log.warning(
                    "%s report %s for unknown order (tracking %s, our code %s): kept",
                    carrier.name,
                    report.raw_status,
                    report.tracking_code,
                    report.order_code,
                )

    return apply


def _storable(report: CarrierReport) -> CarrierReport:
    """The report as the database can take it. A dedupe key too long for its column keeps its
    start and a digest of the whole, so two long keys still differ."""
    key = storable(report.dedupe_key, -1)
    if len(key) > KEY_LIMIT:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        key = f"{key[: KEY_LIMIT - len(digest) - 1]}#{digest}"
    return replace(
        report,
        dedupe_key=key,
        raw_status=storable(report.raw_status, STATUS_LIMIT),
        tracking_code=storable_or_none(report.tracking_code, CODE_LIMIT),
        order_code=storable_or_none(report.order_code, CODE_LIMIT),
        reason=storable(report.reason, REASON_LIMIT),
    )
