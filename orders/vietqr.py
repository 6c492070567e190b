"""The NAPAS VietQR payload: the text a Vietnamese banking app scans to fill a transfer.

It is EMVCo's merchant-presented QR (tag, two-digit length, value, nested for templates) with
NAPAS's merchant-account template under tag 38. The tags and the CRC below are the ones every
VietQR library and the published NAPAS example agree on; the example is a test of this module
(`tests/unit/test_vietqr.py`), so a change that breaks the format cannot pass unnoticed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from orders.views import OrderRow

NAPAS_GUID = "A000000727"
TO_ACCOUNT = "QRIBFTTA"  # a transfer to an account number (QRIBFTTC would be to a card)
CURRENCY_VND = "704"
COUNTRY = "VN"
MEMO_LIMIT = 25  # banks cut or refuse a longer purpose; keep the order code whole within it


@dataclass(frozen=True, slots=True)
class BankAccount:
    """The shop's receiving account: NAPAS's six-digit bank BIN and the account number."""

    bin: str
    account: str
    name: str = ""  # the account holder, printed beside the code, not part of it


def field(tag: str, value: str) -> str:
    """One tag-length-value field; EMVCo lengths are two digits, so a value is at most 99."""
    if len(value) > 99:
        raise ValueError(f"VietQR field {tag} is {len(value)} characters; 99 at most")
    return f"{tag}{len(value):02d}{value}"


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def memo(text: str) -> str:
    """A transfer purpose a bank keeps as written: ASCII letters and digits, words parted by
    one space (diacritics dropped, đ as d, any other sign a space), at most 25 characters."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    kept = "".join(
        ch if ch.isascii() and ch.isalnum() else " "
        for ch in plain
        if not unicodedata.combining(ch)
    )
    return " ".join(kept.split())[:MEMO_LIMIT].strip()


def payload(bank: BankAccount, amount: int | None, purpose: str) -> str:
    """The whole VietQR text: dynamic (tag 01 `12`) with an amount, static (`11`) without."""
    beneficiary = field("00", bank.bin) + field("01", bank.account)
    account = field("00", NAPAS_GUID) + field("01", beneficiary) + field("02", TO_ACCOUNT)
    body = (
        field("00", "01")
        + field("01", "12" if amount else "11")
        + field("38", account)
        + field("53", CURRENCY_VND)
        + (field("54", str(amount)) if amount else "")
        + field("58", COUNTRY)
    )
    if text := memo(purpose):
        body += field("62", field("08", text))
    body += "6304"
    return body + f"{crc16(body.encode('ascii')):04X}"


def fields_of(text: str) -> dict[str, str]:
    """The top-level fields of a payload, by tag: what tests and the tracking page read back."""
    found: dict[str, str] = {}
    at = 0
    while at < len(text):
        tag, size = text[at : at + 2], int(text[at + 2 : at + 4])
        found[tag] = text[at + 4 : at + 4 + size]
        at += 4 + size
    return found


def order_qr(bank: BankAccount | None, order: OrderRow) -> str | None:
    """The VietQR payload asking what the order's buyer should send by transfer now (with the
    order code as the memo, which is how the bank's notification finds the order again), or
    None: no account set, nothing asked, or the order cancelled."""
    if bank is None or order.code is None or order.status == "cancelled":
        return None
    if not order.payment.awaiting_transfer:
        return None
    return payload(bank, order.payment.transfer_asked, order.code)
