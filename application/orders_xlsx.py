"""The orders list as an Excel workbook: every order the list's filters match (not one page),
one row per order on the first sheet and one row per line on the second, for the shop's
accountant, a carrier's pickup list or a look back at a live.

The list's own read walks the orders (`orders.queries.list_orders`, newest first, in pages of
`MAX_PAGE` by cursor, its filters checked there), so the file holds exactly what the list
shows; a page's lines come with it in one query. The pages are read in one reader's session,
and each is written to the workbook in a worker thread, as is the final zip, so a large list
costs the event loop only its reads.

The file is written with xlsxwriter rather than openpyxl (which reads the carriers' COD
statements): for 20,000 orders it took about 5 s of CPU where openpyxl's write-only mode took
13 s (openpyxl serialises each cell through an XML tree writer), and it writes every string as
a string unless asked otherwise. In its `constant_memory` mode finished rows go to a temporary
file, so memory stays that of one page whatever the list's length.

What a user would notice is kept right:
- money and quantities are number cells (`#,##0`), so sums and filters work;
- the creation time is a date-time cell in Vietnam's time (Excel has no time zones: the local
  time is written without one), shown `dd/mm/yyyy hh:mm`;
- phone numbers, tracking codes and video ids are text, so a leading 0 stays;
- text comes from the public (buyers' names, notes): every text cell is written as a string,
  never a formula, and one that starts like a formula (`=`, `+`, `-`, `@`) also carries Excel's
  quote prefix, so editing the cell later does not evaluate it either;
- characters an XLSX file cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF) are
  dropped instead of failing the export or writing a file Excel cannot open; Windows line
  breaks become plain ones, and text longer than a cell holds is cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

import xlsxwriter

from application.services import OrderService
from application.wording.labels import carrier_label, payment_label, status_label
from application.wording.messenger import confirmation_label
from application.wording.xlsx import (
    LINE_COLUMNS,
    ORDER_COLUMNS,
    line_headings,
    order_headings,
    xlsx_words,
)
from orders import queries
from orders.shipper_kinds import INDIVIDUAL
from orders.views import LineView, OrderRow, ShipperView
from render.formats import LOCAL_ZONE

MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT: Final = "#,##0"
DATE_FORMAT: Final = "dd/mm/yyyy hh:mm"
TEXT_FORMAT: Final = "@"
MAX_CELL_TEXT: Final = 32_767  # UTF-16 units Excel keeps in one cell
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t")  # what Excel would read as a formula

# Kept out of a cell: C0 controls but tab and line feed, DEL and the C1 controls, lone
# surrogates (no UTF-8 for them) and the two non-characters XML 1.0 forbids.
_UNWRITABLE: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

MONEY_COLUMNS: Final = frozenset(
    {"subtotal", "discount", "shipping_fee", "total", "paid", "due", "cod", "unit_price", "amount"}
)
TEXT_COLUMNS: Final = frozenset({"phone", "tracking_code", "video_id", "code", "sku", "order"})
# Characters wide, as a person reading the sheet wants them; anything not named is 14.
WIDTHS: Final = {
    "code": 12,
    "status": 18,
    "created_at": 17,
    "video_id": 18,
    "buyer": 24,
    "phone": 13,
    "street": 30,
    "ward": 20,
    "district": 18,
    "province": 20,
    "lines": 45,
    "payment_method": 16,
    "shipper": 24,
    "tracking_code": 18,
    "carrier_status": 16,
    "staff": 16,
    "confirmation": 30,
    "note": 40,
    "order": 12,
    "sku": 14,
    "name": 30,
    "variant": 14,
    "quantity": 9,
    "waitlisted": 10,
    "needs_review": 12,
}
DEFAULT_WIDTH: Final = 14

Value = str | int | datetime | None


@dataclass(frozen=True, slots=True)
class OrdersWorkbook:
    """The file's bytes, what it holds, and the name to save it under."""

    data: bytes
    orders: int
    lines: int
    filename: str


def clean_text(text: str) -> str:
    """`text` as a cell can hold it: see the module's docstring."""
    text = _UNWRITABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) <= MAX_CELL_TEXT // 2:
        return text  # within the limit however many characters take two UTF-16 units
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > MAX_CELL_TEXT:
            return text[:index]
    return text


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def filename(moment: datetime | None = None) -> str:
    """`don-hang-20261201-2105.xlsx`: when it was made, in Vietnam's time."""
    local = (moment or datetime.now(UTC)).astimezone(LOCAL_ZONE)
    return f"don-hang-{local:%Y%m%d-%H%M}.xlsx"


def local_time(moment: datetime) -> datetime:
    """Vietnam's wall-clock time without a zone (what an Excel date-time cell is); a naive
    `moment` is taken as UTC, the zone the database keeps."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_ZONE).replace(tzinfo=None)


def lines_summary(lines: Sequence[LineView], language: str | None) -> str:
    """`A1 Áo thun trắng (M) x2; B3 Quần jean xanh x1 (chờ hàng)`."""
    waitlisted = xlsx_words(language)["waitlisted"]
    parts = []
    for line in lines:
        words = [line.code, line.name if line.name != line.code else ""]
        if line.variant:
            words.append(f"({line.variant})")
        text = " ".join(word for word in words if word) + f" x{line.quantity}"
        parts.append(f"{text} ({waitlisted})" if line.waitlisted else text)
    return "; ".join(parts)


def shipper_text(shipper: ShipperView | None, language: str | None) -> str:
    """The carrier's name, or the shop's own shipper with their name and phone."""
    if shipper is None or not shipper.kind:
        return ""
    if shipper.kind != INDIVIDUAL:
        return carrier_label(shipper.kind, language)
    who = [carrier_label(INDIVIDUAL, language), shipper.name or "", shipper.phone or ""]
    return " · ".join(part for part in who if part)


def order_values(order: OrderRow, language: str | None) -> tuple[Value, ...]:
    """One order's cells, in `ORDER_COLUMNS` order."""
    buyer, money, shipper = order.customer, order.payment, order.shipper
    values: dict[str, Value] = {
        "code": order.label,
        "status": status_label(order.status, language),
        "created_at": local_time(order.created_at),
        "video_id": order.video_id or "",
        "buyer": buyer.name,
        "phone": buyer.phone,
        "street": buyer.address,
        "ward": buyer.ward,
        "district": buyer.district,
        "province": buyer.province,
        "lines": lines_summary(order.lines, language),
        "subtotal": order.subtotal,
        "discount": order.discount,
        "shipping_fee": order.shipping_fee,
        "total": order.total,
        "payment_method": payment_label(money.method, language),
        "paid": money.paid,
        "due": money.due,
        "cod": order.cod_amount,
        "shipper": shipper_text(shipper, language),
        "tracking_code": (shipper.tracking_code if shipper else None) or "",
        "carrier_status": (shipper.carrier_status if shipper else None) or "",
        "staff": order.staff.name if order.staff else "",
        "confirmation": confirmation_label(order.buyer_confirmation, language),
        "note": order.note,
    }
    return tuple(values[name] for name in ORDER_COLUMNS)


def line_values(order: OrderRow, line: LineView, language: str | None) -> tuple[Value, ...]:
    """One line's cells, in `LINE_COLUMNS` order."""
    words = xlsx_words(language)
    values: dict[str, Value] = {
        "order": order.label,
        "code": line.code,
        "sku": line.sku or "",
        "name": line.name,
        "variant": line.variant,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "amount": line.amount,
        "waitlisted": words["yes" if line.waitlisted else "no"],
        "needs_review": words["yes" if line.needs_review else "no"],
    }
    return tuple(values[name] for name in LINE_COLUMNS)


class _Formats:
    """The workbook's cell formats, made once (xlsxwriter keeps one per distinct look)."""

    def __init__(self, book: Any) -> None:
        self.heading = book.add_format({"bold": True})
        self._by_format: dict[str | None, Any] = {None: None}
        for number_format in (MONEY_FORMAT, DATE_FORMAT, TEXT_FORMAT):
            self._by_format[number_format] = book.add_format({"num_format": number_format})
        self._quoted = {
            None: book.add_format({"quote_prefix": True}),
            TEXT_FORMAT: book.add_format({"num_format": TEXT_FORMAT, "quote_prefix": True}),
        }

    def of(self, number_format: str | None) -> Any:
        return self._by_format[number_format]

    def quoted(self, number_format: str | None) -> Any:
        """A text cell's format with Excel's quote prefix: its text stays text when edited."""
        return self._quoted[number_format if number_format == TEXT_FORMAT else None]


class _Sheet:
    """One sheet: its heading row (bold, frozen), widths, formats and autofilter. Rows go to
    xlsxwriter's temporary file as they come (`constant_memory`)."""

    def __init__(
        self,
        book: Any,
        formats: _Formats,
        title: str,
        columns: Sequence[str],
        headings: Sequence[str],
    ) -> None:
        self._sheet = book.add_worksheet(title)
        self._formats = formats
        self._number_formats = [_format_of(name) for name in columns]
        self._cell_formats = [formats.of(f) for f in self._number_formats]
        self._columns = len(columns)
        self.rows = 0
        for number, name in enumerate(columns):
            self._sheet.set_column(number, number, WIDTHS.get(name, DEFAULT_WIDTH))
        self._sheet.freeze_panes(1, 0)
        for number, heading in enumerate(headings):
            self._sheet.write_string(0, number, heading, formats.heading)

    def append(self, values: Sequence[Value]) -> None:
        row = self.rows + 1
        sheet = self._sheet
        for column, value in enumerate(values):
            if isinstance(value, str):
                text = clean_text(value)
                if not text:
                    continue  # no cell at all: a third of the columns are often empty
                cell_format = self._cell_formats[column]
                if looks_like_formula(text):  # written as text always; quoted for the editor
                    cell_format = self._formats.quoted(self._number_formats[column])
                sheet.write_string(row, column, text, cell_format)
            elif isinstance(value, datetime):
                sheet.write_datetime(row, column, value, self._cell_formats[column])
            elif value is not None:
                sheet.write_number(row, column, value, self._cell_formats[column])
        self.rows = row

    def finish(self) -> None:
        self._sheet.autofilter(0, 0, self.rows, self._columns - 1)

    def discard(self) -> None:
        """Closes and removes the sheet's temporary file (xlsxwriter removes it only when the
        workbook is closed)."""
        handle = getattr(self._sheet, "row_data_fh", None)
        name = getattr(self._sheet, "row_data_filename", None)
        if handle is not None:
            with contextlib.suppress(OSError, ValueError):
                handle.close()
        if name:
            with contextlib.suppress(OSError):
                os.unlink(name)


def _format_of(column: str) -> str | None:
    if column in MONEY_COLUMNS:
        return MONEY_FORMAT
    if column == "created_at":
        return DATE_FORMAT
    if column in TEXT_COLUMNS:
        return TEXT_FORMAT
    return None


# Every string is written as a string (`write_string`); these keep xlsxwriter from guessing
# even where it might (`write`), and its row buffer on disk rather than in memory.
BOOK_OPTIONS: Final = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


class OrdersBook:
    """A workbook being written, order by order; `finish` gives its bytes, `discard` gives it
    up. Not async: `orders_workbook` hands it to a worker thread page by page. A lock keeps a
    page still being written in a thread (its request cancelled) from meeting `discard`."""

    def __init__(self, language: str | None) -> None:
        self.language = language
        self._lock = threading.Lock()
        self._out = io.BytesIO()
        self._book = xlsxwriter.Workbook(self._out, BOOK_OPTIONS)
        formats = _Formats(self._book)
        words = xlsx_words(language)
        self._orders = _Sheet(
            self._book, formats, words["sheet.orders"], ORDER_COLUMNS, order_headings(language)
        )
        self._lines = _Sheet(
            self._book, formats, words["sheet.lines"], LINE_COLUMNS, line_headings(language)
        )

    @property
    def orders(self) -> int:
        return self._orders.rows

    @property
    def lines(self) -> int:
        return self._lines.rows

    def add(self, orders: Iterable[OrderRow]) -> None:
        with self._lock:
            for order in orders:
                self._orders.append(order_values(order, self.language))
                for line in order.lines:
                    self._lines.append(line_values(order, line, self.language))

    def finish(self) -> bytes:
        with self._lock:
            self._orders.finish()
            self._lines.finish()
            self._book.close()
            return self._out.getvalue()

    def discard(self) -> None:
        with self._lock:
            self._orders.discard()
            self._lines.discard()


async def orders_workbook(
    service: OrderService,
    filters: queries.OrderFilter,
    language: str | None,
    *,
    now: datetime | None = None,
) -> OrdersWorkbook:
    """Every order `filters` match (their `limit` and `cursor` are the list's paging and are
    ignored), newest first, as a workbook. Filters the list refuses raise its `InvalidInput`
    before anything is written."""
    walk = replace(filters, limit=queries.MAX_PAGE, cursor=None)
    book = OrdersBook(language)
    try:
        async with service.reading() as session:
            while True:
                page = await queries.list_orders(session, walk)
                await asyncio.to_thread(book.add, page.orders)
                if page.next_cursor is None:
                    break
                walk = replace(walk, cursor=page.next_cursor)
        data = await asyncio.to_thread(book.finish)
    except BaseException:  # refused filters, a failed read, a cancelled request
        book.discard()
        raise
    return OrdersWorkbook(data, book.orders, book.lines, filename(now))
