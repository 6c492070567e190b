"""Reading a carrier's COD statement: a CSV or XLSX file of the parcels a carrier delivered and
the COD it paid the shop for each, as rows reconciliation can trust.

The contract's columns are `tracking_code`, `cod_amount`, and optionally `fee` and `paid_at`.
Carriers' own exports name them in Vietnamese and change the names over time, so a header cell
is compared with the aliases below with case, diacritics and punctuation ignored. The aliases
are what GHN's and GHTK's portals were seen or said to write; that is **unconfirmed**
(`reference/messenger_money.md`, "Carrier COD statements"): a carrier's new name for a column
is added here. Carriers often put a title and the shop's name above the table, so the header is
the first of the top rows that names both a tracking code and a COD column.

A row this module cannot read (no tracking code, an amount that is not a whole number of VND)
is handed on with its line number and why, never guessed; a file it cannot read at all (too
large, too many rows, no header, not a table) is refused whole with `StatementRefused`,
before anything is written.
"""

from __future__ import annotations

import csv
import importlib
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from orders.changes import MAX_MONEY

MAX_BYTES: Final = 5 * 1024 * 1024
MAX_ROWS: Final = 20_000
HEADER_SEARCH_ROWS: Final = 30  # how far below a title the header may start
MAX_COLUMNS: Final = 200
CODE_LIMIT: Final = 64  # orders.tracking_code's column
SHOWN_LIMIT: Final = 40  # a cell quoted back in a report
BLANK_RUN_ENDS: Final = 1_000  # this many blank rows in a row end the table

TRACKING_CODE, COD_AMOUNT, FEE, PAID_AT = "tracking_code", "cod_amount", "fee", "paid_at"
REQUIRED: Final = (TRACKING_CODE, COD_AMOUNT)
COLUMNS: Final = (TRACKING_CODE, COD_AMOUNT, FEE, PAID_AT)

# Normalised header names (see `header_key`), best first: when a file has two columns that
# could be the tracking code ("Mã vận đơn" and "Mã đơn hàng"), the earlier alias wins.
# Unconfirmed beyond the contract's own names: see the module's docstring.
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    TRACKING_CODE: (
        "tracking code",
        "ma van don",
        "ma don ghn",
        "ma don ghtk",
        "ma van don ghn",
        "ma vd",
        "tracking number",
        "tracking",
        "ma don hang",
        "order code",
        "ma don",
    ),
    COD_AMOUNT: (
        "cod amount",
        "tien thu ho",
        "tien cod",
        "cod",
        "thu ho",
        "so tien thu ho",
        "tien thu ho cod",
        "cod da thu",
    ),
    FEE: (
        "fee",
        "tong phi",
        "phi",
        "phi dich vu",
        "fees",
        "total fee",
        "phi giao hang",
        "phi van chuyen",
    ),
    PAID_AT: (
        "paid at",
        "ngay thanh toan",
        "ngay doi soat",
        "ngay chuyen tien",
        "thoi gian doi soat",
        "thoi gian thanh toan",
        "payment date",
        "paid date",
    ),
}

# Why one row could not be read.
NO_TRACKING_CODE, BAD_AMOUNT, BAD_FEE = "no_tracking_code", "bad_amount", "bad_fee"
# Why a whole file was refused.
TOO_LARGE, TOO_MANY_ROWS, NO_HEADER = "too_large", "too_many_rows", "no_header"
NOT_A_TABLE, NOT_TEXT, OLD_EXCEL, NO_ROWS = "not_a_table", "not_text", "old_excel", "no_rows"


class StatementRefused(Exception):
    """The whole file is refused: `reason` is a machine code (`too_large`, `too_many_rows`,
    `no_header`, `not_a_table`, `not_text`, `old_excel`, `no_rows`, `no_file`) worded by
    `application.wording.statements`; `params` fill its sentence."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One parcel the carrier says it settled: `paid_at` as an ISO date when the cell held a
    date this module reads, else the cell's text (shown, never computed with)."""

    line: int
    tracking_code: str
    cod_amount: int
    fee: int = 0
    paid_at: str = ""
    paid_on: date | None = None


@dataclass(frozen=True, slots=True)
class UnreadableRow:
    """A row that was not read: `problem` is `no_tracking_code`, `bad_amount` or `bad_fee`,
    `value` the cell as the file wrote it."""

    line: int
    tracking_code: str
    problem: str
    value: str


@dataclass(frozen=True, slots=True)
class StatementFile:
    rows: tuple[StatementRow, ...]
    unreadable: tuple[UnreadableRow, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)  # ours -> the header as written

    @property
    def latest_paid_on(self) -> date | None:
        dates = [row.paid_on for row in self.rows if row.paid_on is not None]
        return max(dates) if dates else None


Cell = object  # str, int, float, bool, datetime, date, None: what CSV or openpyxl hands over


def read_statement(data: bytes, filename: str = "") -> StatementFile:
    """The rows of a CSV or XLSX statement, or `StatementRefused`. Pure and synchronous:
    callers in an event loop run it in a thread (an XLSX of 20,000 rows takes a moment)."""
    if len(data) > MAX_BYTES:
        raise StatementRefused(TOO_LARGE, limit=MAX_BYTES)
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # the pre-2007 .xls container
        raise StatementRefused(OLD_EXCEL)
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm")):
        return _from_table(_xlsx_rows(data))
    return _from_csv(_text_of(data))


def header_key(cell: Cell) -> str:
    """A header cell compared without case, diacritics, punctuation or repeated spaces:
    "Mã vận đơn", "MA_VAN_DON" and "mã vận đơn:" are all `ma van don`."""
    text = _cell_text(cell).replace("đ", "d").replace("Đ", "D")
    plain = "".join(
        char for char in unicodedata.normalize("NFD", text) if not unicodedata.combining(char)
    )
    key = " ".join(re.sub(r"[^0-9a-z]+", " ", plain.lower()).split())
    return re.sub(r" (vnd|dong|d)$", "", key)  # "Phí (đ)", "Tiền COD (VNĐ)"


def parse_amount(cell: Cell) -> int | None:
    """VND as carriers write it: `250000`, `250,000`, `250.000`, `250.000 ₫`, `250,000 VND`,
    `250.000,00`, or an Excel number. None for anything else (a decimal fraction of a đồng, a
    negative amount, words, two numbers), so the row is reported rather than guessed."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell if 0 <= cell <= MAX_MONEY else None
    if isinstance(cell, float):
        if cell != cell or not cell.is_integer():  # NaN or a fraction
            return None
        return int(cell) if 0 <= cell <= MAX_MONEY else None
    if not isinstance(cell, str):
        return None
    text = re.sub(r"(?i)(₫|vnđ|vnd|đồng|đ|dong|d)\s*$", "", cell.strip().replace("\u00a0", " "))
    text = text.strip().replace(" ", "")
    amount = _plain_number(text)
    return amount if amount is not None and amount <= MAX_MONEY else None


def _plain_number(text: str) -> int | None:
    if re.fullmatch(r"[0-9]{1,15}", text):
        return int(text)
    for group, decimal in ((",", "."), (".", ",")):
        match = re.fullmatch(
            rf"([0-9]{{1,3}}(?:\{group}[0-9]{{3}})+|[0-9]{{1,15}})(?:\{decimal}([0-9]{{1,2}}))?",
            text,
        )
        if match and (match.group(2) is None or int(match.group(2)) == 0):
            whole = match.group(1).replace(group, "")
            if match.group(2) is None and group not in match.group(1):
                continue  # digits only: handled above
            return int(whole)
    return None


def parse_day(cell: Cell) -> date | None:
    """The day a statement says it paid: an Excel date, `20/11/2026` (day first, as Vietnam
    writes it), `20-11-2026`, `2026-11-20`, each optionally followed by a time."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _cell_text(cell)
    try:
        if match := re.match(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?![0-9])", text):
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if match := re.match(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})(?![0-9])", text):
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:  # 31/02/2026
        return None
    return None


def tracking_text(cell: Cell) -> str:
    """A tracking code cell: Excel may have made a numeric code (Viettel Post's) a number."""
    if isinstance(cell, bool):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return _cell_text(cell).strip()  # NBSP and tabs included; inner spaces are kept (no guess)


# -- files to rows ------------------------------------------------------------------------------


def _text_of(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise StatementRefused(NOT_TEXT) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementRefused(NOT_TEXT) from None


def _from_csv(text: str) -> StatementFile:
    """Tries the separators carriers' CSVs use (`,`, `;`, tab); the one under which a header is
    found is the file's. A quoted cell may hold any of them."""
    if "\x00" in text:
        raise StatementRefused(NOT_A_TABLE)
    best: StatementFile | None = None
    for delimiter in (",", ";", "\t"):
        try:
            found = _from_table(_csv_rows(text, delimiter))
        except StatementRefused as refused:
            if refused.reason != NO_HEADER:
                raise
            continue
        except csv.Error:
            continue
        if best is None or len(found.columns) > len(best.columns):
            best = found
    if best is None:
        raise StatementRefused(NO_HEADER, needed=list(REQUIRED))
    return best


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, Sequence[Cell]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    start = 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, Sequence[Cell]]]:
    """The first sheet, read-only (streamed, values not formulas). Any failure of openpyxl on
    the bytes (not a zip, a zip that is not a workbook, a damaged part) is a file that is not
    a table; openpyxl's errors have no common base, so they are caught whole."""
    # Looked up at run time: only an XLSX upload pays for the import, and openpyxl ships no
    # type hints (its functions are `Any` here either way).
    openpyxl = importlib.import_module("openpyxl")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise StatementRefused(NOT_A_TABLE) from error
    try:
        if not book.worksheets:
            raise StatementRefused(NOT_A_TABLE)
        rows = book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)
        number = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as error:  # a damaged sheet part
                raise StatementRefused(NOT_A_TABLE) from error
            number += 1
            yield number, row
    finally:
        book.close()


def _from_table(rows: Iterable[tuple[int, Sequence[Cell]]]) -> StatementFile:
    """The header among the first rows, then every row under it, to the end or to a long run
    of blank rows (Excel keeps formatted empty rows below a table)."""
    iterator = iter(rows)
    columns: dict[str, int] | None = None
    header: Sequence[Cell] = ()
    for number, row in iterator:
        if number > HEADER_SEARCH_ROWS:
            break
        columns = _columns_of(row)
        if columns is not None:
            header = row
            break
    if columns is None:
        raise StatementRefused(NO_HEADER, needed=list(REQUIRED))
    read: list[StatementRow] = []
    unreadable: list[UnreadableRow] = []
    blank_run = 0
    for number, row in iterator:
        if all(_cell_text(cell) == "" for cell in row[:MAX_COLUMNS]):
            blank_run += 1
            if blank_run >= BLANK_RUN_ENDS:
                break
            continue  # a blank line between blocks
        blank_run = 0
        if len(read) + len(unreadable) >= MAX_ROWS:
            raise StatementRefused(TOO_MANY_ROWS, limit=MAX_ROWS)
        outcome = _row(number, row, columns)
        if isinstance(outcome, StatementRow):
            read.append(outcome)
        else:
            unreadable.append(outcome)
    if not read and not unreadable:
        raise StatementRefused(NO_ROWS)
    written = {name: _cell_text(header[index]) for name, index in columns.items()}
    return StatementFile(tuple(read), tuple(unreadable), written)


def _columns_of(row: Sequence[Cell]) -> dict[str, int] | None:
    """Which cell holds each of our columns, if this row is a header naming both required."""
    keys = [header_key(cell) for cell in row[:MAX_COLUMNS]]
    columns: dict[str, int] = {}
    for name in COLUMNS:
        candidates = (name.replace("_", " "), *ALIASES[name])
        for alias in candidates:
            if alias in keys and keys.index(alias) not in columns.values():
                columns[name] = keys.index(alias)
                break
    return columns if all(name in columns for name in REQUIRED) else None


def _row(number: int, row: Sequence[Cell], columns: dict[str, int]) -> StatementRow | UnreadableRow:
    def cell(name: str) -> Cell:
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else None

    code = tracking_text(cell(TRACKING_CODE))
    if not code or len(code) > CODE_LIMIT:
        return UnreadableRow(number, _shown(code), NO_TRACKING_CODE, _shown(code))
    amount = parse_amount(cell(COD_AMOUNT))
    if amount is None:
        return UnreadableRow(number, code, BAD_AMOUNT, _shown(_cell_text(cell(COD_AMOUNT))))
    raw_fee = cell(FEE)
    fee = 0 if _cell_text(raw_fee) == "" else parse_amount(raw_fee)
    if fee is None:
        return UnreadableRow(number, code, BAD_FEE, _shown(_cell_text(raw_fee)))
    paid = cell(PAID_AT)
    day = parse_day(paid)
    paid_text = day.isoformat() if day else _shown(_cell_text(paid))
    return StatementRow(number, code, amount, fee, paid_text, day)


def _cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    return str(cell).strip()


def _shown(text: str) -> str:
    """A cell quoted back to staff: one line, clipped, no control characters."""
    clean = "".join(char if char.isprintable() else " " for char in text)
    return " ".join(clean.split())[:SHOWN_LIMIT]
