"""What staff must type before "create order": the sample livestream replayed as two lives.

The sample (`samples/livestream.jsonl`, about 40 buyers) is applied as a live, as the Facebook
inbox handler applies it. For every draft this counts the buyer fields that still stand between
it and `create_order` (name, phone, address: each one thing staff type), then plays the staff:
fills what is missing through the order core's edit, as the bot and the pages do, and creates
the order. A week later the same buyers comment the same way in a second live; the count is
taken again. A shop that remembers its buyers types nothing for the second live.

    python -m bench.typing_fields
    python -m bench.typing_fields --url postgresql+asyncpg://postgres@127.0.0.1/test_typing

It reads only names every version of chotdon has, so the same file measures a checkout from
before buyer memory (README, "What staff type per order").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from application.live_events import facebook_handler
from application.services import OrderService
from chotdon.migrate import upgrade
from kernel.database import create_engine, session_factory
from kernel.inbox.processor import InboxItem
from kernel.tables import utcnow
from livestream.config import IngestConfig
from livestream.simulate import SimulatedComment, read_comment, webhook_body
from orders.actors import Actor, Source
from orders.catalog import import_items, parse_items_csv
from orders.changes import OrderChanges
from orders.errors import OrderError
from orders.guards import missing_to_leave_draft
from orders.tables import Item, Order

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TYPED = ("name", "phone", "address")  # what staff type; lines and items are choices
STAFF = Actor(Source.STAFF, "Bench")
# What staff type for a buyer who gave nothing: a real ward of the 2025 lists.
PHONE = "0912345678"
STREET, WARD, PROVINCE = "12 Lê Lợi", "Phường Sài Gòn", "Thành phố Hồ Chí Minh"
BODY = 25  # comments per webhook body


@dataclass(frozen=True)
class LiveCount:
    drafts: int
    fields: list[int]  # per draft, in order of creation
    created: int  # orders staff then created
    known_fields: list[int]  # per draft of a buyer whose phone and address were on file

    @property
    def total(self) -> int:
        return sum(self.fields)

    @property
    def median(self) -> float:
        return statistics.median(self.fields) if self.fields else 0.0


def _live(video_id: str, shift: timedelta) -> list[SimulatedComment]:
    lines = (SAMPLES / "livestream.jsonl").read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        if not line.strip():
            continue
        c = read_comment(json.loads(line))
        out.append(
            SimulatedComment(
                video_id,
                f"{video_id}_{c.comment_id}",
                c.from_id,
                c.from_name,
                c.message,
                c.created_time + int(shift.total_seconds()),
                c.verb,
            )
        )
    return out


async def _replay(service: OrderService, comments: list[SimulatedComment]) -> None:
    handle = facebook_handler(IngestConfig(page_id="100000000000001"))
    for start in range(0, len(comments), BODY):
        body = webhook_body(comments[start : start + BODY])
        item = InboxItem(start, "facebook", body, "application/json", utcnow())
        async with service.transaction() as session:
            await handle(session, [item])


def _fields(order: Order) -> int:
    return sum(1 for name in missing_to_leave_draft(order) if name in TYPED)


async def _known_buyers(service: OrderService) -> set[int]:
    """Buyers whose phone and full address some earlier order holds: a shop that remembers
    them need not ask again."""
    async with service.reading() as session:
        rows = await session.execute(
            select(Order.customer_id).where(
                Order.customer_id.is_not(None),
                Order.buyer_phone != "",
                Order.street != "",
                Order.ward != "",
                Order.province != "",
            )
        )
        return {customer_id for (customer_id,) in rows if customer_id is not None}


async def _count_and_finish(service: OrderService, video_id: str, known: set[int]) -> LiveCount:
    async with service.reading() as session:
        drafts = list(
            (
                await session.scalars(
                    select(Order).where(Order.video_id == video_id).order_by(Order.id)
                )
            ).unique()
        )
        counts = [(order.id, _fields(order), missing_to_leave_draft(order)) for order in drafts]
        known_fields = [_fields(order) for order in drafts if order.customer_id in known]
    created = 0
    for order_id, _, missing in counts:
        if set(missing) - set(TYPED):
            continue  # an unknown code or a waitlist: staff decide, not type
        view = await service.detail(order_id)
        changes = OrderChanges(
            buyer_name=None if view.customer.name else "Khách",
            buyer_phone=None if view.customer.phone else PHONE,
            street=STREET if "address" in missing else None,
            ward=WARD if "address" in missing else None,
            province=PROVINCE if "address" in missing else None,
        )
        if changes.named():
            view = await service.act(
                order_id, "edit", actor=STAFF, version=view.version, changes=changes
            )
        try:
            await service.act(order_id, "create_order", actor=STAFF, version=view.version)
        except OrderError:
            continue  # out of stock: the sample sells more than the catalog holds
        created += 1
    return LiveCount(len(counts), [fields for _, fields, _ in counts], created, known_fields)


async def run(url: str) -> dict[str, object]:
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        csv = (SAMPLES / "items.csv").read_text(encoding="utf-8")
        async with sessions.begin() as session:
            await import_items(session, parse_items_csv(csv))
            # Stock is not what this measures: every order staff finish can be created.
            await session.execute(update(Item).values(stock=1_000_000))
        service = OrderService(sessions)
        results: dict[str, object] = {}
        for name, video, shift in (("first live", "900001", 0), ("a week later", "900002", 7)):
            await _replay(service, _live(video, timedelta(days=shift)))
            known = await _known_buyers(service)
            count = await _count_and_finish(service, video, known)
            results[name] = {
                "drafts": count.drafts,
                "fields_total": count.total,
                "fields_median": count.median,
                "orders_created": count.created,
                "drafts_of_known_buyers": len(count.known_fields),
                "fields_for_known_buyers": sum(count.known_fields),
            }
        return results
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite+aiosqlite:///{folder}/typing.sqlite3"
        print(json.dumps(asyncio.run(run(url)), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
