# ruff: noqa: F811  (the pages fixtures are imported from test_web_pages by name)
"""Many orders at once from the staff pages, over real HTTP against the whole app on SQLite:
the list's selection bar starts a batch that runs in the background, its page follows it, and
drafts with no line keep out of the way."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from application.services import OrderService
from orders.drafts import NewOrder
from orders.tables import BatchRun
from tests.database.test_web_pages import (  # noqa: F401  (fixtures)
    STAFF_ACTOR,
    client,
    client_vi,
    get,
    service,
    signed_in,
    staff,
    text_of,
)
from tests.factories import BUYER, draft, order_in


async def start(client: TestClient, data: dict[str, Any]) -> tuple[int, str]:
    """POST the selection bar; the status and where it sends staff (not followed)."""
    async with client.post(
        "/batches", data={"csrf": client.csrf, **data}, allow_redirects=False
    ) as response:
        return response.status, response.headers.get("Location", "")


async def finished(client: TestClient, location: str) -> dict[str, Any]:
    """The batch's progress once it says it is finished (generous: a loaded machine)."""
    deadline = time.monotonic() + 60
    while True:
        async with client.get(f"{location}.json") as response:
            assert response.status == 200
            progress = await response.json()
        if progress["finished"] or time.monotonic() > deadline:
            return progress
        await asyncio.sleep(0.1)


async def test_select_all_in_the_tab_takes_every_matching_order_not_only_the_page(
    client, service: OrderService
):
    drafts = [await draft(service) for _ in range(23)]  # more than one page of 20
    waiting = await order_in(service, "waiting_for_shipping")
    page = text_of(await get(client, "/?status=draft"))
    assert "Select all 23 orders of this tab" in page

    status, location = await start(
        client, {"all": "1", "status": "draft", "action": "cancel", "ids": str(drafts[-1].id)}
    )
    assert status == 303 and re.fullmatch(r"/batches/\d+", location), location
    progress = await finished(client, location)
    assert (progress["state"], progress["done"], progress["total"]) == ("done", 23, 23)
    assert all(result["ok"] for result in progress["results"])
    assert [r["id"] for r in progress["results"]] == [d.id for d in reversed(drafts)]
    assert (await service.detail(drafts[0].id)).status == "cancelled"
    assert (await service.detail(waiting.id)).status == "waiting_for_shipping"  # not in the tab
    shown = text_of(await get(client, location))
    assert "Done: 23 orders done, 0 refused." in shown


async def test_ticked_orders_run_and_the_page_says_what_was_refused_in_vietnamese(
    client_vi, service: OrderService
):
    ready = await draft(service)
    shipped = await order_in(service, "shipping")
    status, location = await start(
        client_vi, {"ids": [str(shipped.id), str(ready.id)], "action": "create_order"}
    )
    assert status == 303
    progress = await finished(client_vi, location)
    assert [r["ok"] for r in progress["results"]] == [False, True]
    assert progress["percent"] == 100
    assert progress["results"][1]["words"] == "Chờ vận chuyển"

    page = re.sub(r"\( (\d+) \)", r"(\1)", text_of(await get(client_vi, location)))
    assert "Tạo đơn · 2 đơn" in page
    assert "Xong: 1 đơn đã làm, 1 đơn không làm được." in page
    assert "Đã làm (1)" in page and "Không làm được (1)" in page
    assert f"Đơn {shipped.code} đang ở trạng thái Đang vận chuyển" in page
    assert 'data-batch-url="' in await get(client_vi, location)


async def test_the_selection_bar_sends_staff_back_saying_what_is_missing(client, service):
    order = await draft(service)
    cases = [
        ({"action": "complete"}, "No order selected"),
        ({"ids": str(order.id), "action": "fly"}, "Choose an action"),
        ({"ids": str(order.id), "action": "ship"}, "Choose a carrier"),
        ({"ids": str(order.id), "action": "ship", "shipper_name": "Tuấn"}, "Vietnamese phone"),
        ({"ids": str(order.id), "action": "ship", "carrier": "ghn"}, "Choose a carrier"),
    ]
    for data, words in cases:
        status, location = await start(client, {"status": "draft", **data})
        assert status == 303 and location.startswith("/?status=draft&batch_error="), location
        assert words in text_of(await get(client, location)), data
    assert (await service.detail(order.id)).version == order.version


async def test_shipper_fields_alone_pick_the_individual_shipper(client, service):
    order = await order_in(service, "waiting_for_shipping")
    _, location = await start(
        client,
        {
            "ids": str(order.id),
            "action": "ship",
            "shipper_name": "Anh Tuấn",
            "shipper_phone": "0987654321",
        },
    )
    progress = await finished(client, location)
    assert progress["results"][0]["ok"] is True
    shipped = await service.detail(order.id)
    assert shipped.status == "shipping" and shipped.shipper.name == "Anh Tuấn"


async def test_print_the_selection_goes_to_one_pdf_of_them(client, service):
    first, second = await draft(service), await draft(service)
    for kind, target in [
        ("bills", f"/print/bills.pdf?ids={first.id},{second.id}"),
        ("notes_a4", f"/print/shipping-notes.pdf?ids={first.id},{second.id}&sheet=a4"),
    ]:
        async with client.post(
            "/batches/print",
            data={"csrf": client.csrf, "print": kind, "ids": [str(first.id), str(second.id)]},
            allow_redirects=False,
        ) as response:
            assert (response.status, response.headers["Location"]) == (303, target)


async def test_an_unknown_batch_is_a_page_saying_so(client):
    assert "There is no such batch." in await get(client, "/batches/424242", 404)
    async with client.get("/batches/424242.json") as response:
        assert response.status == 404


async def test_drafts_with_no_line_keep_out_of_the_list_and_say_they_have_no_items(client, service):
    empty = await service.create_draft(NewOrder(buyer=BUYER, lines=[]), STAFF_ACTOR)
    full = await draft(service)
    listed = await get(client, "/")
    assert f"/orders/{full.id}" in listed and f"/orders/{empty.id}" not in listed
    assert re.search(r"Empty drafts <b[^>]*>1</b>", listed)
    tab = await get(client, "/?empty=only")
    assert f"/orders/{empty.id}" in tab and f"/orders/{full.id}" not in tab
    assert "No items" in text_of(tab)
    card = text_of(await get(client, f"/orders/{empty.id}"))
    assert "No items" in card and "Prepaid" not in card


async def test_wide_screens_wrap_the_tabs(client):
    async with client.get("/static/app.css") as response:
        css = await response.text()
    wide = css[css.index("@media (min-width: 40rem)") :]
    assert ".tabs { flex-wrap: wrap" in wide


async def test_a_batch_whose_process_died_is_shown_stopped_not_running_for_ever(client, service):
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    async with service.transaction() as session:
        run = BatchRun(
            action="cancel",
            order_ids=[1, 2, 3],
            actor="Lan",
            state="running",
            done=1,
            results=[{"id": 1, "ok": True, "status": "cancelled", "version": 2}],
            updated_at=long_ago,
        )
        session.add(run)
        await session.flush()
        run_id = run.id
    async with client.get(f"/batches/{run_id}.json") as response:
        progress = await response.json()
    assert (progress["state"], progress["finished"]) == ("stopped", True)
    page = text_of(await get(client, f"/batches/{run_id}"))
    assert "Stopped part way (1/3 orders)" in page
