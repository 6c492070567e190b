"""Money in the staff pages over real HTTP against the whole app, on each backend: the order
page's payment box (method, what came in, what is due, the VietQR code), shipping before the
money came in, the payment fields of the edit and new-order forms, the list's payment filter
and badges, and the bank transfers page. Staff sign in for real, as in `test_web_manage`."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from application import web_logins as auth
from application.services import OrderService
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from kernel.database import create_engine, session_factory
from orders.changes import OrderChanges
from orders.payments import PaymentIn
from orders.staff import add_staff
from orders.tables import Payment
from orders.vietqr import BankAccount, fields_of, order_qr
from orders.views import OrderView
from staff_web.qr import qr_svg
from staff_web.security import COOKIE
from tests.conftest import make_settings
from tests.factories import INDIVIDUAL, STAFF, draft, order_in, seed_items

BANK = BankAccount("970436", "0011223344", "NGUYEN THI LAN")
TOTAL = 330_000  # the factories' draft: two A1 at 150.000 đ and 30.000 đ shipping


@dataclass
class Web:
    client: TestClient
    cookie: str
    csrf: str

    @property
    def service(self) -> OrderService:
        return self.client.app[RUNTIME].orders

    async def get(self, path: str, status: int = 200) -> str:
        async with self.client.get(path, headers=self.headers) as response:
            body = await response.text()
            assert response.status == status, body
            return body

    async def post(self, path: str, data: dict[str, Any], status: int = 200) -> tuple[str, str]:
        """The page the POST ends on (redirects followed) and its path and query."""
        form = {"csrf": self.csrf, **data}
        async with self.client.post(path, data=form, headers=self.headers) as response:
            body = await response.text()
            assert response.status == status, body
            return body, response.url.path_qs

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.cookie}"}


async def _web(aiohttp_client: Any, db_url: str, **settings: Any) -> Web:
    engine = create_engine(db_url)
    try:
        await seed_items(session_factory(engine))
        async with session_factory(engine).begin() as session:
            row = await add_staff(session, 4242, "Lan", "sales")
            started = await auth.start_session(session, row, "link")
    finally:
        await engine.dispose()
    app = create_app(
        make_settings(db_url, **settings), run_worker=False, run_inbox=False, run_bot=False
    )
    return Web(await aiohttp_client(app), started.token, started.csrf_token)


BANK_SETTINGS = {
    "bank_bin": BANK.bin,
    "bank_account": BANK.account,
    "bank_account_name": BANK.name,
}


@pytest.fixture
async def web(aiohttp_client: Any, db_url: str) -> Web:
    """English pages of a shop whose bank account is set."""
    return await _web(aiohttp_client, db_url, language="en", **BANK_SETTINGS)


@pytest.fixture
async def web_vi(aiohttp_client: Any, db_url: str) -> Web:
    """The pages of a shop that kept Vietnamese and set its bank account."""
    return await _web(aiohttp_client, db_url, **BANK_SETTINGS)


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def box_of(html: str) -> str:
    """The order page's payment box, as a person reads it."""
    found = re.search(r'<section class="payment-box".*?</section>', html, re.S)
    assert found, "no payment box"
    return text_of(found.group(0))


async def transfer_order(service: OrderService, status: str = "waiting_for_shipping") -> OrderView:
    """An order of `status` the buyer pays by transfer."""
    order = await order_in(service, "draft")
    order = await service.act(
        order.id,
        "save_draft",
        actor=STAFF,
        version=order.version,
        changes=OrderChanges(payment_method="transfer"),
    )
    if status == "waiting_for_shipping":
        order = await service.act(order.id, "create_order", actor=STAFF, version=order.version)
    return order


async def pay(service: OrderService, order: OrderView, amount: int) -> OrderView:
    return await service.act(
        order.id, "record_payment", actor=STAFF, version=None, payment=PaymentIn(amount)
    )


# The order page's payment box


async def test_choosing_transfer_on_the_order_page_shows_the_vietqr_code(web: Web):
    order = await draft(web.service)
    page = await web.get(f"/orders/{order.id}")
    box = box_of(page)
    assert "Payment method Cash on delivery" in box
    assert "Received 0 đ Still due 330.000 đ" in box
    assert "<svg" not in page and "Transfer memo" not in box

    page, where = await web.post(
        f"/orders/{order.id}/actions/edit",
        {"version": order.version, "payment_method": "transfer"},
    )
    assert where == f"/orders/{order.id}?done=payment_method"
    assert "Payment method saved." in text_of(page)
    now = await web.service.detail(order.id)
    assert (now.payment.method, now.cod_amount) == ("transfer", 0)
    payload = order_qr(BANK, now)
    assert payload is not None and fields_of(payload)["54"] == str(TOTAL)
    assert str(qr_svg(payload)) in page  # the very code the bill and the buyer's app read
    box = box_of(page)
    assert "Payment method Bank transfer" in box
    assert "Waiting for a transfer of 330.000 đ" in box
    assert "Bank (BIN) 970436 Account number 0011223344 Account holder NGUYEN THI LAN" in box
    assert f"Amount 330.000 đ Transfer memo {order.code}" in box
    assert "COD Prepaid (no COD)" in text_of(page)
    assert now.events[-1].action == "edit"

    # Saved again unchanged: nothing is added to the history.
    _, where = await web.post(
        f"/orders/{order.id}/actions/edit",
        {"version": now.version, "payment_method": "transfer"},
    )
    assert (await web.service.detail(order.id)).version == now.version


async def test_a_deposit_asks_its_amount_by_qr_and_bad_deposits_are_refused(web: Web):
    order = await draft(web.service)
    page, _ = await web.post(
        f"/orders/{order.id}/actions/edit",
        {"version": order.version, "payment_method": "deposit", "deposit": "lots"},
        status=422,
    )
    assert "'lots' is not an amount (e.g. 250000, 250k)." in text_of(page)
    assert 'value="lots"' in page  # given back as typed
    page, _ = await web.post(
        f"/orders/{order.id}/actions/edit",
        {"version": order.version, "payment_method": "deposit", "deposit": ""},
        status=422,
    )
    assert "A deposit order needs a deposit above 0." in text_of(page)
    page, _ = await web.post(
        f"/orders/{order.id}/actions/edit",
        {"version": order.version, "payment_method": "deposit", "deposit": "1tr"},
        status=422,
    )
    assert "A deposit of 1,000,000 VND is more than the order's 330,000 VND." in text_of(page)
    assert (await web.service.detail(order.id)).payment.method == "cod"

    page, _ = await web.post(
        f"/orders/{order.id}/actions/edit",
        {"version": order.version, "payment_method": "deposit", "deposit": "100k"},
    )
    now = await web.service.detail(order.id)
    assert (now.payment.method, now.payment.deposit, now.cod_amount) == ("deposit", 100_000, TOTAL)
    box = box_of(page)
    assert "Deposit 100.000 đ" in box and "Waiting for a transfer of 100.000 đ" in box
    payload = order_qr(BANK, now)
    assert payload is not None and fields_of(payload)["54"] == "100000"
    assert str(qr_svg(payload)) in page


async def test_the_method_is_read_only_once_the_order_left(web: Web):
    order = await order_in(web.service, "shipping")
    page = await web.get(f"/orders/{order.id}")
    assert 'class="payment-method-form"' not in page
    assert "The payment method changes only while" in box_of(page)
    assert 'class="record-payment-form"' in page  # money may come in at any time
    refused, _ = await web.post(
        f"/orders/{order.id}/actions/edit",
        {"version": order.version, "payment_method": "transfer"},
        status=409,
    )
    assert f"Order {order.code} is Shipping; “Edit” is not possible now" in text_of(refused)
    assert (await web.service.detail(order.id)).payment.method == "cod"


async def test_recording_a_payment_by_form_moves_paid_and_due(web: Web):
    order = await transfer_order(web.service)
    page, where = await web.post(
        f"/orders/{order.id}/actions/record_payment",
        {"version": order.version, "amount": "100k", "reference": "  VCB   FT2611 "},
    )
    assert where == f"/orders/{order.id}?done=record_payment"
    assert "Payment recorded on the order." in text_of(page)
    box = box_of(page)
    assert "Received 100.000 đ Still due 230.000 đ" in box
    assert "Waiting for a transfer of 230.000 đ" in box
    now = await web.service.detail(order.id)
    assert now.payment.paid == 100_000
    assert now.events[-1].details["reference"] == "VCB FT2611"
    payload = order_qr(BANK, now)
    assert payload is not None and fields_of(payload)["54"] == "230000"

    # The same form sent twice (a double tap) is stale the second time: counted once.
    page, _ = await web.post(
        f"/orders/{order.id}/actions/record_payment",
        {"version": order.version, "amount": "100k"},
        status=409,
    )
    assert (await web.service.detail(order.id)).payment.paid == 100_000

    for typed, said, status in (
        ("", "Type the amount received.", 422),
        ("much", "'much' is not", 422),
        ("0", "", 422),
    ):
        page, _ = await web.post(
            f"/orders/{order.id}/actions/record_payment",
            {"version": now.version, "amount": typed, "reference": "kept"},
            status=status,
        )
        assert said in text_of(page)
        assert 'name="reference" value="kept"' in page
    assert (await web.service.detail(order.id)).payment.paid == 100_000

    page, _ = await web.post(
        f"/orders/{order.id}/actions/record_payment",
        {"version": now.version, "amount": "300.000"},
    )
    box = box_of(page)
    assert "The buyer sent 70.000 đ too much: refund it" in box
    assert "Received 400.000 đ Still due 0 đ" in box
    assert "<svg" not in page  # nothing is asked any more


async def test_the_payment_box_speaks_vietnamese(web_vi: Web):
    order = await transfer_order(web_vi.service)
    await pay(web_vi.service, order, 400_000)
    other = await transfer_order(web_vi.service)
    box = box_of(await web_vi.get(f"/orders/{order.id}"))
    assert "Cách thanh toán Chuyển khoản" in box
    assert "Khách chuyển thừa 70.000 đ: cần hoàn lại" in box
    assert "Đã nhận 400.000 đ Còn phải thu 0 đ" in box
    box = box_of(await web_vi.get(f"/orders/{other.id}"))
    assert "Chờ chuyển khoản 330.000 đ" in box and "Nội dung chuyển khoản" in box
    for english in ("Payment", "Received", "Still due", "Waiting", "Record", "Deposit", "Bank"):
        assert english not in box, english


async def test_without_a_bank_account_the_page_says_so_instead_of_a_code(aiohttp_client, db_url):
    web = await _web(aiohttp_client, db_url, language="en")
    order = await transfer_order(web.service)
    page = await web.get(f"/orders/{order.id}")
    assert "<svg" not in page
    assert "The shop's bank account is not set" in box_of(page)


# Shipping before the money came in


async def test_shipping_an_unpaid_transfer_order_asks_then_ships_with_the_approval(web: Web):
    order = await transfer_order(web.service)
    edit = await web.get(f"/orders/{order.id}/edit")
    assert "Waiting for a transfer of 330.000 đ" in text_of(edit)
    assert 'name="approve_unpaid"' in edit
    ship = {
        "version": order.version,
        "lines": 0,
        "name": order.customer.name,
        "phone": order.customer.phone,
        "street": order.customer.address,
        "note": "",
        "shipping_fee": order.shipping_fee,
        "cod": order.cod_amount,
        "payment_method": "transfer",
        "carrier": "individual",
        "shipper_name": INDIVIDUAL.name,
        "shipper_phone": INDIVIDUAL.phone,
        "do": "ship",
    }
    for i, line in enumerate(order.lines):
        ship |= {
            "lines": i + 1,
            f"line-{i}-id": line.id,
            f"line-{i}-code": line.code,
            f"line-{i}-sku": line.sku,
            f"line-{i}-qty": line.quantity,
            f"line-{i}-price": line.unit_price,
        }
    asked, _ = await web.post(f"/orders/{order.id}/edit", ship, status=409)
    said = text_of(asked)
    assert (
        f"Order {order.code} (Bank transfer) is not paid yet: 330,000 VND by transfer still "
        "awaited (0 VND received). Ship anyway? Confirm it first."
    ) in said
    assert re.search(r'class="unpaid-confirm ask" role="alert"', asked)
    assert (await web.service.detail(order.id)).status == "waiting_for_shipping"

    version = re.search(r'name="version" value="(\d+)"', asked)
    assert version
    _, where = await web.post(
        f"/orders/{order.id}/edit",
        {**ship, "version": version.group(1), "approve_unpaid": "1"},
    )
    assert where == f"/orders/{order.id}?done=ship"
    shipped = await web.service.detail(order.id)
    assert shipped.status == "shipping"
    assert shipped.events[-1].details["approved_unpaid"] is True
    assert shipped.events[-1].details["awaited"] == TOTAL


async def test_an_action_held_for_money_on_the_order_page_is_confirmed_there(web: Web):
    order = await transfer_order(web.service)
    asked, _ = await web.post(
        f"/orders/{order.id}/actions/ship", {"version": order.version}, status=409
    )
    assert re.search(r'<section class="unpaid-confirm" role="alertdialog">', asked)
    assert 'name="approve_unpaid" value="1"' in asked
    assert "I know the money is not all in; ship anyway" in text_of(asked)


# The edit and new-order forms


async def test_the_edit_form_sets_the_method_and_deposit(web: Web):
    order = await draft(web.service)
    base = {
        "version": order.version,
        "lines": 0,
        "name": order.customer.name,
        "phone": order.customer.phone,
        "street": order.customer.address,
        "note": "",
        "shipping_fee": order.shipping_fee,
        "cod": order.cod_amount,
        "cod_follows": "1",
        "do": "save",
    }
    for i, line in enumerate(order.lines):
        base |= {
            "lines": i + 1,
            f"line-{i}-id": line.id,
            f"line-{i}-code": line.code,
            f"line-{i}-sku": line.sku,
            f"line-{i}-qty": line.quantity,
            f"line-{i}-price": line.unit_price,
        }
    page, _ = await web.post(
        f"/orders/{order.id}/edit", {**base, "payment_method": "deposit", "deposit": "cọc"}, 422
    )
    assert re.search(r'<span class="field-error" id="error-deposit">', page)
    assert 'name="deposit" value="cọc"' in page
    _, where = await web.post(
        f"/orders/{order.id}/edit", {**base, "payment_method": "deposit", "deposit": "100.000"}
    )
    assert where.startswith(f"/orders/{order.id}")
    now = await web.service.detail(order.id)
    assert (now.payment.method, now.payment.deposit, now.cod_amount) == ("deposit", 100_000, TOTAL)
    form = await web.get(f"/orders/{order.id}/edit")
    assert re.search(r'name="payment_method" value="deposit" checked', form)
    assert 'name="deposit" value="100000"' in form

    # Half paid: COD still follows what is due, and a save keeps it so.
    now = await pay(web.service, now, 100_000)
    assert now.cod_amount == TOTAL - 100_000
    _, _ = await web.post(
        f"/orders/{order.id}/edit",
        {
            **base,
            "version": now.version,
            "payment_method": "deposit",
            "deposit": "100k",
            "cod": now.cod_amount,
            "note": "gọi trước",
        },
    )
    saved = await web.service.detail(order.id)
    assert saved.note == "gọi trước" and saved.cod_amount == TOTAL - 100_000


async def test_a_new_order_is_made_paid_by_transfer_or_with_a_deposit(web: Web):
    base = {
        "rows": 3,
        "phone": "0912345678",
        "name": "Nguyễn Thị Hoa",
        "street": "12 Lý Thường Kiệt",
        "item-0": "A1",
        "qty-0": "2",
        "shipping_fee": "30k",
        "do": "create",
    }
    form = await web.get("/orders/new")
    assert re.search(r'name="payment_method" value="cod" checked', form)

    _, where = await web.post("/orders/new", {**base, "payment_method": "transfer"})
    made = await web.service.detail(int(where.split("/")[2].split("?")[0]))
    assert (made.payment.method, made.cod_amount) == ("transfer", 0)

    page, _ = await web.post("/orders/new", {**base, "payment_method": "deposit"}, status=422)
    assert re.search(r'id="error-deposit">A deposit order needs a deposit above 0.<', page)
    page, _ = await web.post(
        "/orders/new", {**base, "payment_method": "deposit", "deposit": "nope"}, status=422
    )
    assert 'name="deposit" value="nope"' in page

    _, where = await web.post(
        "/orders/new", {**base, "payment_method": "deposit", "deposit": "50k"}
    )
    made = await web.service.detail(int(where.split("/")[2].split("?")[0]))
    assert (made.payment.method, made.payment.deposit) == ("deposit", 50_000)

    page, where = await web.post(
        "/orders/new", {**base, "payment_method": "deposit", "deposit": "2tr"}, status=422
    )
    said = text_of(page)
    assert "was made, but its payment method is not saved" in said
    assert re.search(r'id="error-deposit">', page)
    assert 'name="deposit" value="2tr"' in page


# The orders list


async def test_the_list_filters_and_marks_orders_by_payment(web: Web):
    awaiting = await transfer_order(web.service)
    cod = await order_in(web.service, "waiting_for_shipping")
    paid = await pay(web.service, await transfer_order(web.service), TOTAL)
    over = await pay(web.service, await transfer_order(web.service), TOTAL + 20_000)

    page = await web.get("/")
    assert '<option value="awaiting_transfer">Awaiting transfer</option>' in page
    assert '<option value="overpaid">Buyer sent too much</option>' in page

    def row_of(html: str, order: OrderView) -> str:
        found = re.search(rf'<a class="row" href="/orders/{order.id}">.*?</a>', html, re.S)
        assert found, order.code
        return text_of(found.group(0))

    assert "Awaiting 330.000 đ" in row_of(page, awaiting)
    assert "Paid" in row_of(page, paid) and "Awaiting" not in row_of(page, paid)
    assert "Overpaid 20.000 đ" in row_of(page, over)
    assert not re.search(r"Awaiting|Paid|Overpaid", row_of(page, cod))

    only = await web.get("/?payment=awaiting_transfer")
    codes = re.findall(r'<span class="code">([^<]+)</span>', only)
    assert codes == [awaiting.code]
    assert '<option value="awaiting_transfer" selected>' in only
    assert '<input type="hidden" name="payment" value="awaiting_transfer">' in only  # batches
    codes = re.findall(r'<span class="code">([^<]+)</span>', await web.get("/?payment=overpaid"))
    assert codes == [over.code]
    await web.get("/?payment=<script>")  # unknown: simply not applied
    assert cod.code in await web.get("/?payment=nonsense")


# The bank transfers page


async def _transfer(service: OrderService, **fields: Any) -> int:
    values: dict[str, Any] = {
        "transaction_id": "sepay-1",
        "gateway": "Vietcombank",
        "amount": TOTAL,
        "content": "CK tien hang chi Hoa",
        "reference": "FT26001",
        "state": "unmatched",
        "note": "no_code",
    }
    values.update(fields)
    async with service.transaction() as session:
        row = Payment(**values)
        session.add(row)
        await session.flush()
        return row.id


async def test_an_unmatched_transfer_is_attached_to_an_order_once(web: Web):
    order = await transfer_order(web.service)
    lost = await _transfer(web.service)
    await _transfer(
        web.service,
        transaction_id="sepay-2",
        state="applied",
        note="",
        order_id=order.id,
        content=f"{order.code} thanh toan",
        amount=1_000,
    )
    assert 'href="/payments"' in await web.get("/")
    page = await web.get("/payments")
    assert f'data-payment="{lost}"' in page
    assert "CK tien hang chi Hoa" in text_of(page)
    assert "The content names no order code" in text_of(page)
    assert "sepay-2" not in page and f"{order.code} thanh toan" not in page  # unmatched only
    everything = await web.get("/payments?all=1")
    assert f"{order.code} thanh toan" in text_of(everything)

    page, where = await web.post(f"/payments/{lost}/attach", {"code": "  "}, status=422)
    assert "Type the order code" in text_of(page)
    page, _ = await web.post(f"/payments/{lost}/attach", {"code": "DH999999"}, status=404)
    assert "There is no order 'DH999999'." in text_of(page)
    assert 'value="DH999999"' in page

    page, where = await web.post(f"/payments/{lost}/attach", {"code": order.code.lower()})
    assert where == f"/payments?attached={order.id}&amount={TOTAL}"
    assert f"330.000 đ attached to order {order.code}." in text_of(page)
    assert f'<a class="attached-order" href="/orders/{order.id}">' in page
    assert f'data-payment="{lost}"' not in page  # no longer waiting
    now = await web.service.detail(order.id)
    assert (now.payment.paid, now.payment.due) == (TOTAL, 0)
    async with web.service.reading() as session:
        row = (await session.execute(select(Payment).where(Payment.id == lost))).scalar_one()
        assert (row.state, row.order_id, row.attached_by) == ("applied", order.id, "Lan")

    again, _ = await web.post(f"/payments/{lost}/attach", {"code": order.code}, status=409)
    said = f"Payment {lost} was already dealt with (paid an order); it is not attached again."
    assert said in text_of(again)
    assert (await web.service.detail(order.id)).payment.paid == TOTAL
    missing, _ = await web.post("/payments/987654/attach", {"code": order.code}, status=404)
    assert "There is no payment 987654." in text_of(missing)


async def test_the_transfers_page_speaks_vietnamese(web_vi: Web):
    await _transfer(web_vi.service, note="unknown_code", content="DH777777 chuyen tien")
    page = text_of(await web_vi.get("/payments"))
    assert "Tiền chuyển khoản" in page and "Gắn vào đơn" in page
    assert "Mã đơn trong nội dung không khớp đơn nào" in page and "chờ gắn đơn" in page
    empty = text_of(await web_vi.get("/payments?all=1"))
    assert "Chuyển khoản" in empty


async def _batch_ship(web: Web, ids: list[int], **extra: str) -> tuple[str, dict[str, Any]]:
    """Ship `ids` from the selection bar; the batch page's address and its finished progress."""
    form = {
        "csrf": web.csrf,
        "ids": [str(order_id) for order_id in ids],
        "action": "ship",
        "carrier": "individual",
        "shipper_name": INDIVIDUAL.name,
        "shipper_phone": INDIVIDUAL.phone,
        **extra,
    }
    async with web.client.post(
        "/batches", data=form, headers=web.headers, allow_redirects=False
    ) as response:
        assert response.status == 303
        location = response.headers["Location"]
    deadline = time.monotonic() + 60
    while True:
        async with web.client.get(f"{location}.json", headers=web.headers) as response:
            progress = await response.json()
        if progress["finished"] or time.monotonic() > deadline:
            return location, progress
        await asyncio.sleep(0.1)


async def test_a_batch_ship_names_the_orders_still_awaiting_their_money(web_vi: Web):
    """An order whose transfer has not come is refused in the batch with its reason while the
    rest ship; ticking "ship anyway" on the selection bar ships it, approved on its event."""
    unpaid = await transfer_order(web_vi.service)
    cod = await order_in(web_vi.service, "waiting_for_shipping")
    location, progress = await _batch_ship(web_vi, [unpaid.id, cod.id])
    assert [result["ok"] for result in progress["results"]] == [False, True]
    page = text_of(await web_vi.get(location))
    assert f"Đơn {unpaid.code} (Chuyển khoản) chưa nhận đủ tiền" in page
    assert (await web_vi.service.detail(unpaid.id)).status == "waiting_for_shipping"
    assert (await web_vi.service.detail(cod.id)).status == "shipping"

    assert "Vẫn giao đơn chưa nhận đủ tiền chuyển khoản" in text_of(await web_vi.get("/"))
    _, progress = await _batch_ship(web_vi, [unpaid.id], approve_unpaid="1")
    assert [result["ok"] for result in progress["results"]] == [True]
    shipped = await web_vi.service.detail(unpaid.id)
    assert shipped.status == "shipping"
    assert shipped.events[-1].details.get("approved_unpaid") is True
