"""Orders a carrier delivered and still owes the COD of, and carriers' COD statements about
them as CSV and XLSX bytes: what the COD statement tests upload."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import openpyxl

from application.services import OrderService
from kernel.tables import utcnow
from orders.carrier_updates import CarrierReport, CarrierStatus
from orders.shipments import Accepted
from orders.transitions import ShipWith
from orders.views import OrderView
from render.formats import LOCAL_ZONE
from tests.factories import STAFF, order_in

COD = 330_000  # the factory's draft: two A1 at 150,000 and 30,000 shipping


async def delivered(service: OrderService, tracking: str, carrier: str = "ghn") -> OrderView:
    """An order `carrier` accepted with `tracking` and reported delivered: in wait_for_cod,
    owing its COD on the carrier's ledger."""
    order = await shipping(service, tracking, carrier)
    return await reported(service, order, CarrierStatus.DELIVERED, "wait_for_cod", carrier)


async def reported(
    service: OrderService,
    order: OrderView,
    status: CarrierStatus,
    expected: str,
    carrier: str = "ghn",
) -> OrderView:
    """The carrier's webhook reports `status` for the order's parcel."""
    assert order.shipper is not None and order.shipper.tracking_code
    tracking = order.shipper.tracking_code
    report = CarrierReport(
        carrier=carrier,
        dedupe_key=f"{tracking}:{status.value}",
        status=status,
        raw_status=status.value,
        at=utcnow(),
        tracking_code=tracking,
    )
    await service.carrier_status(report)
    view = await service.detail(order.id)
    assert view.status == expected, view.status
    return view


async def shipping(service: OrderService, tracking: str, carrier: str = "ghn") -> OrderView:
    order = await order_in(service, "waiting_for_shipping")
    order = await service.act(
        order.id, "ship", actor=STAFF, version=order.version, ship_with=ShipWith(carrier)
    )
    return await service.shipment_accepted(order.id, carrier, Accepted(tracking, 22_000))


def today() -> date:
    return datetime.now(LOCAL_ZONE).date()


def in_days(days: int) -> str:
    """A payment day as Vietnamese statements write it: 20/11/2026."""
    return (today() + timedelta(days=days)).strftime("%d/%m/%Y")


def csv_bytes(
    rows: Sequence[Sequence[object]], *, separator: str = ",", bom: bool = False
) -> bytes:
    text = "\n".join(separator.join(str(cell) for cell in row) for row in rows) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def xlsx_bytes(rows: Sequence[Sequence[object]], *, title: str = "") -> bytes:
    """A workbook as a carrier's portal exports it: a title line (and a blank one) above the
    header when `title` is given."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.append([title])
        sheet.append([])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ("tracking_code", "cod_amount", "fee", "paid_at")
VIETNAMESE_HEADER = ("Mã vận đơn", "Tiền thu hộ", "Tổng phí", "Ngày đối soát")
