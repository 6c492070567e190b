"""The VietQR payload (`orders.vietqr`) field by field, against NAPAS' published example, and
read back by a real QR decoder: what a banking app would fill into the buyer's transfer."""

from __future__ import annotations

import io
import string

import segno
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from orders.vietqr import (
    MEMO_LIMIT,
    BankAccount,
    crc16,
    fields_of,
    memo,
    payload,
)

# NAPAS' example (reference/messenger_money.md): 120,000 VND to account 0011001932418 at BIN
# 970415, memo "ung ho lu lut".
NAPAS_EXAMPLE = (
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA53037045406"
    "1200005802VN62170813ung ho lu lut6304C15C"
)
BANK = BankAccount("970415", "0011001932418", "NGUYEN VAN A")


def tlv(text: str) -> list[tuple[str, int, str]]:
    """Every field of `text` in order, as (tag, declared length, value); fails on a length
    that runs past the end, which `fields_of` would silently cut."""
    fields = []
    at = 0
    while at < len(text):
        tag, size = text[at : at + 2], int(text[at + 2 : at + 4])
        value = text[at + 4 : at + 4 + size]
        assert len(value) == size, f"field {tag} declares {size}, has {len(value)}"
        fields.append((tag, size, value))
        at += 4 + size
    return fields


def crc_checks(text: str) -> bool:
    """Tag 63 holds CRC-16/CCITT-FALSE over everything before its value, `6304` included."""
    body, crc = text[:-4], text[-4:]
    return body.endswith("6304") and crc == f"{crc16(body.encode('ascii')):04X}"


def decoded(text: str) -> list[str]:
    """What a phone's decoder reads off the code segno draws (full QR, level M)."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=4, border=4)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_the_napas_published_example_is_reproduced_exactly() -> None:
    made = payload(BankAccount("970415", "0011001932418"), 120_000, "ung ho lu lut")
    assert made == NAPAS_EXAMPLE
    assert crc_checks(NAPAS_EXAMPLE)


def test_every_field_by_tag_with_an_amount() -> None:
    text = payload(BANK, 1_674_000, "DH000123")
    fields = tlv(text)
    assert [tag for tag, _, _ in fields] == ["00", "01", "38", "53", "54", "58", "62", "63"]
    top = fields_of(text)
    assert top["00"] == "01"
    assert top["01"] == "12"  # dynamic: it carries an amount
    merchant = fields_of(top["38"])
    assert merchant == {"00": "A000000727", "01": merchant["01"], "02": "QRIBFTTA"}
    assert fields_of(merchant["01"]) == {"00": "970415", "01": "0011001932418"}
    assert top["53"] == "704"
    assert top["54"] == "1674000"
    assert top["58"] == "VN"
    assert fields_of(top["62"]) == {"08": "DH000123"}
    assert len(top["63"]) == 4
    assert all(char in "0123456789ABCDEF" for char in top["63"])
    assert crc_checks(text)
    assert "NGUYEN" not in text  # the holder's name is printed beside the code, not in it


def test_without_an_amount_the_code_is_static_and_has_no_tag_54() -> None:
    for amount in (None, 0):
        top = fields_of(payload(BANK, amount, "DH000123"))
        assert top["01"] == "11"
        assert "54" not in top


def test_the_crc_is_recomputed_and_a_changed_digit_breaks_it() -> None:
    text = payload(BANK, 500_000, "DH000042")
    assert crc_checks(text)
    tampered = text.replace("500000", "900000")
    assert not crc_checks(tampered)
    assert crc16(b"123456789") == 0x29B1  # CRC-16/CCITT-FALSE's published check value


def test_memo_strips_diacritics_and_keeps_at_most_25_characters() -> None:
    assert memo("Đơn hàng đã đặt") == "Don hang da dat"
    assert memo("Thanh toán đơn hàng Đà Nẵng") == "Thanh toan don hang Da Na"
    assert memo("DH000123/chuyển khoản!") == "DH000123 chuyen khoan"
    assert len(memo("x" * 80)) == MEMO_LIMIT
    assert memo("✓✓✓") == ""
    assert "62" not in fields_of(payload(BANK, 1, "✓✓✓"))  # no memo, no tag 62


ALNUM = string.ascii_letters + string.digits


@settings(max_examples=300, deadline=None)
@given(
    bin_=st.text("0123456789", min_size=6, max_size=6),
    account=st.text(ALNUM, min_size=1, max_size=19),
    amount=st.integers(1, 10**10),
    purpose=st.text(max_size=60),
)
def test_any_account_amount_and_memo_parse_back_and_the_crc_checks(
    bin_: str, account: str, amount: int, purpose: str
) -> None:
    text = payload(BankAccount(bin_, account), amount, purpose)
    assert text.isascii()
    fields = tlv(text)
    assert fields[-1][0] == "63"
    top = fields_of(text)
    merchant = fields_of(top["38"])
    assert fields_of(merchant["01"]) == {"00": bin_, "01": account}
    assert (top["01"], top["54"]) == ("12", str(amount))
    expected_memo = memo(purpose)
    assert len(expected_memo) <= MEMO_LIMIT
    if expected_memo:
        assert fields_of(top["62"]) == {"08": expected_memo}
    else:
        assert "62" not in top
    assert crc_checks(text)


def test_a_segno_code_of_the_example_decodes_to_the_same_text() -> None:
    assert decoded(NAPAS_EXAMPLE) == [NAPAS_EXAMPLE]


@settings(max_examples=25, deadline=None)
@given(
    account=st.text(ALNUM, min_size=1, max_size=19),
    amount=st.integers(1, 10**10),
    purpose=st.text(max_size=40),
)
def test_any_payload_survives_a_qr_code(account: str, amount: int, purpose: str) -> None:
    text = payload(BankAccount("970436", account), amount, purpose)
    assert decoded(text) == [text]
