"""Smoke: the four report functions answer on both databases."""

from __future__ import annotations

from datetime import date

from application.live_comments import apply_comments
from application.reports import daily_report, latest_live, live_report, staff_report
from orders.changes import OrderChanges
from orders.queries import OrderFilter, list_orders
from tests.database.test_ingest import CONFIG, VIDEO, said
from tests.factories import STAFF, seed_items

FILL = OrderChanges(
    buyer_phone="0912345678", street="12 Lý Thường Kiệt", ward="Phường Cửa Nam", province="Hà Nội"
)


async def test_reports_answer(sessions, service):
    await seed_items(sessions)
    async with sessions.begin() as session:
        await apply_comments(
            session,
            [said(1, "A1 2"), said(3, "B3", buyer="fb-2"), said(4, "hi", buyer="fb-3")],
            CONFIG,
        )
    assert await latest_live(service) == VIDEO
    report = await live_report(service, VIDEO)
    assert (report.comments, report.buyers, report.drafts, report.created) == (3, 2, 2, 0)
    assert len(report.per_minute) == 4
    async with sessions() as session:
        page = await list_orders(session, OrderFilter(video_id=VIDEO))
    first = page.orders[-1]
    view = await service.act(first.id, "edit", actor=STAFF, version=first.version, changes=FILL)
    await service.act(first.id, "create_order", actor=STAFF, version=view.version)
    report = await live_report(service, VIDEO)
    assert (report.created, report.revenue, report.conversion) == (1, 300_000, 0.5)
    assert report.top_codes[0].code == "A1"
    staff = await staff_report(service, date(2020, 1, 1), date(2020, 12, 31))
    assert staff.staff == ()
    days = await daily_report(service, date(2026, 3, 1), date(2026, 3, 31))
    assert len(days.days) == 31
