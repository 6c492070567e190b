"""Many orders in one PDF, read back page by page with a real decoder; the tracking link's
pieces (its address, the masked phone, the carriers' links, the buyer's words)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream

from application.print_batches import MAX_ORDERS, BatchRefused, order_ids, paper_of, sheet_of
from application.wording.printing import TEMPLATES, batch_refusal
from application.wording.tracking import TRACKING
from carriers.tracking_links import tracking_link
from orders.lifecycle import Status
from orders.tables import new_token
from orders.tracking import is_absolute, is_token, mask_phone, tracking_url
from render.bill import render_bill
from render.document import PrintLine, PrintOrder, Shop
from render.joining import four_to_a4, join
from render.many import note_pdf, render_bills, render_shipping_notes
from render.output import pdf_bytes

SHOP = Shop("Shop Hoa Mai", "0281234567", "45 Đường Láng, Đống Đa, Hà Nội")
MM = 72 / 25.4
CODE128 = zxingcpp.BarcodeFormat.Code128
QR = zxingcpp.BarcodeFormat.QRCode


def order(code: str, lines: int = 3, **changes: object) -> PrintOrder:
    items = tuple(PrintLine(f"Áo thun số {n}", 1 + n % 2, 150_000, "Size M") for n in range(lines))
    subtotal = sum(line.amount for line in items)
    base = PrintOrder(
        code=code,
        created_at=datetime(2026, 3, 14, 12, 0, tzinfo=UTC),
        buyer_name="Nguyễn Thị Hoa",
        buyer_phone="0912345678",
        address="12 Lý Thường Kiệt, Phường Cửa Nam, Thành phố Hà Nội",
        lines=items,
        subtotal=subtotal,
        shipping_fee=30_000,
        total=subtotal + 30_000,
        cod_amount=subtotal + 30_000,
        shipper_kind="ghn",
        tracking_code=f"GHN{code}",
        tracking_url=f"https://shop.example/t/{code}token-abcdefgh",
    )
    return replace(base, **changes)


def pdf_pages(pdf: bytes) -> list[tuple[tuple[float, float], list[Image.Image]]]:
    """Each page's size in points and its images, decoded as a viewer would (pypdf reads the
    CCITT Group 4 images Pillow writes), in the order the page draws them."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        box = page.mediabox
        images = [found.image for found in page.images if found.image is not None]
        pages.append(((float(box.width), float(box.height)), images))
    return pages


Box = tuple[float, float, float, float]  # left, bottom, right, top, in millimetres


def drawn_images(page: PageObject) -> list[Box]:
    """Where the page draws each image, in the order drawn: every `Do` maps the unit square
    through the current transformation (`cm` operators, saved and restored by `q`/`Q`)."""
    matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    saved: list[tuple[float, ...]] = []
    boxes = []
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"q":
            saved.append(matrix)
        elif operator == b"Q":
            matrix = saved.pop()
        elif operator == b"cm":
            a, b, c, d, e, f = (float(value) for value in operands)
            m = matrix
            matrix = (
                a * m[0] + b * m[2],
                a * m[1] + b * m[3],
                c * m[0] + d * m[2],
                c * m[1] + d * m[3],
                e * m[0] + f * m[2] + m[4],
                e * m[1] + f * m[3] + m[5],
            )
        elif operator == b"Do":
            a, b, c, d, e, f = matrix
            xs, ys = (e, e + a, e + c, e + a + c), (f, f + b, f + d, f + b + d)
            boxes.append(tuple(v / MM for v in (min(xs), min(ys), max(xs), max(ys))))
    return boxes


def drawn_lines(page: PageObject) -> list[Box]:
    """The straight lines the page strokes (`x y m x y l`), as (x1, y1, x2, y2) millimetres."""
    lines, start = [], None
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"m":
            start = operands
        elif operator == b"l" and start is not None:
            lines.append(tuple(float(v) / MM for v in (*start, *operands)))
    return lines


def codes(image: Image.Image) -> set[tuple[object, str]]:
    return {(found.format, found.text) for found in zxingcpp.read_barcodes(image.convert("L"))}


# --- bills ------------------------------------------------------------------------------------


def test_each_bill_starts_on_its_own_page_in_the_order_given() -> None:
    orders = [order("DH000003"), order("DH000001", lines=40), order("DH000002")]
    pages = pdf_pages(render_bills(orders, SHOP))
    starts = [text for _, images in pages for fmt, text in codes(images[0]) if fmt == CODE128]
    assert starts == ["DH000003", "DH000001", "DH000002"]
    assert len(pages) > 3  # the 40-line bill continues on a page of its own
    for (width, height), _ in pages:
        assert width == pytest.approx(80 * MM, abs=0.5)
        assert height <= 200 * MM + 0.5


def test_a_bills_qr_code_opens_the_tracking_page() -> None:
    pages = pdf_pages(render_bills([order("DH000007")], SHOP, paper="58mm"))
    found = set().union(*(codes(images[0]) for _, images in pages))
    assert (QR, "https://shop.example/t/DH000007token-abcdefgh") in found
    assert (CODE128, "DH000007") in found
    assert pages[0][0][0] == pytest.approx(58 * MM, abs=0.5)


def test_a_short_bill_ends_with_its_content_not_a_fixed_page() -> None:
    [((_, height), _)] = pdf_pages(render_bills([order("DH000001", lines=1)], SHOP))
    assert height < 200 * MM - 20


def test_the_single_bill_qr_holds_the_tracking_url_and_falls_back_to_the_code() -> None:
    with_link = Image.open(io.BytesIO(render_bill(order("DH000009"), SHOP)))
    assert (QR, "https://shop.example/t/DH000009token-abcdefgh") in codes(with_link)
    relative = order("DH000009", tracking_url="/t/DH000009token-abcdefgh")
    without = Image.open(io.BytesIO(render_bill(relative, SHOP)))
    assert (QR, "DH000009") in codes(without)  # a relative link is no use to a camera


# --- shipping notes ---------------------------------------------------------------------------


def test_a6_is_one_label_a_page() -> None:
    orders = [order(f"DH00001{n}") for n in range(3)]
    pages = pdf_pages(render_shipping_notes(orders, SHOP, sheet="a6"))
    assert len(pages) == 3
    for n, ((width, height), images) in enumerate(pages):
        assert (width, height) == (
            pytest.approx(100 * MM, abs=0.5),
            pytest.approx(150 * MM, abs=0.5),
        )
        assert (CODE128, f"GHNDH00001{n}") in codes(images[0])


def test_a4_holds_four_labels_a_sheet_in_reading_order() -> None:
    orders = [order(f"DH00002{n}") for n in range(5)]
    pages = pdf_pages(render_shipping_notes(orders, SHOP, sheet="a4"))
    assert [len(images) for _, images in pages] == [4, 1]
    for (width, height), _ in pages:
        assert width == pytest.approx(210 * MM, abs=0.5)
        assert height == pytest.approx(297 * MM, abs=0.5)
    labels = [image for _, images in pages for image in images]
    assert [(CODE128, f"GHNDH00002{n}") in codes(label) for n, label in enumerate(labels)] == [
        True
    ] * 5


def test_on_a4_the_labels_fit_inside_the_margins_at_94_percent_in_reading_order() -> None:
    orders = [order(f"DH00003{n}") for n in range(4)]
    [page] = PdfReader(io.BytesIO(render_shipping_notes(orders, SHOP, sheet="a4"))).pages
    boxes = drawn_images(page)
    assert len(boxes) == 4
    for left, bottom, right, top in boxes:
        assert (right - left, top - bottom) == (pytest.approx(94, abs=0.1), pytest.approx(141))
        assert left >= 5 - 0.1 and bottom >= 5 - 0.1 and right <= 205 + 0.1 and top <= 292 + 0.1
    (l1, b1, r1, _), (l2, b2, _, _), (l3, b3, _, t3), (l4, b4, _, _) = boxes
    assert l1 == l3 < l2 == l4 and b1 == b2 > b3 == b4  # top left, top right, then the bottom row
    assert r1 < 210 / 2 < l2 and t3 < 297 / 2 < b1  # so the cut lines run between the labels
    assert drawn_lines(page) == [
        pytest.approx((105, 0, 105, 297), abs=0.1),
        pytest.approx((0, 148.5, 210, 148.5), abs=0.1),
    ]


def test_an_unknown_sheet_is_refused() -> None:
    with pytest.raises(ValueError, match="sheet"):
        render_shipping_notes([order("DH1")], SHOP, sheet="letter")


def test_an_empty_pdf_is_refused_and_one_page_is_a_valid_pdf() -> None:
    for joined in (join, four_to_a4):
        with pytest.raises(ValueError, match="at least one page"):
            joined([])
    page = pdf_bytes([Image.new("1", (16, 8), 255)], paper_width_px=16)
    pdf = join([page])
    assert pdf.pages == 1
    assert pdf.body.startswith(b"%PDF-") and pdf.body.rstrip().endswith(b"%%EOF")
    assert len(PdfReader(io.BytesIO(pdf.body)).pages) == 1


def test_a_label_is_stored_losslessly_and_small() -> None:
    """Pillow keeps a 1-bit page 1-bit (CCITT Group 4), never as a JPEG that would blur the
    barcode's bars; a label weighs about 10 KB."""
    pdf = note_pdf(order("DH000040"), SHOP, language="vi")
    [page] = PdfReader(io.BytesIO(pdf)).pages
    [stored] = page.images
    assert stored.image is not None and stored.image.mode == "1"
    assert stored.indirect_reference is not None
    assert stored.indirect_reference.get_object()["/Filter"] in (
        "/CCITTFaxDecode",
        ["/CCITTFaxDecode"],
    )
    assert len(pdf) < 20_000


# --- ids and options --------------------------------------------------------------------------


def test_ids_keep_their_order_and_repeats() -> None:
    assert order_ids(["3, 1,2", "3"]) == (3, 1, 2, 3)
    assert order_ids(["1,,2,"]) == (1, 2)


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ([], "no_ids"),
        ([" , "], "no_ids"),
        (["1,x"], "not_ids"),
        (["0"], "not_ids"),
        (["-1"], "not_ids"),
        (["99999999999"], "not_ids"),
        (["١"], "not_ids"),  # an Arabic-Indic one is a digit to Python, not an id
        ([",".join(["1"] * (MAX_ORDERS + 1))], "too_many"),
    ],
)
def test_bad_ids_are_refused_with_the_rule(values: list[str], problem: str) -> None:
    with pytest.raises(BatchRefused) as refused:
        order_ids(values)
    assert refused.value.problem == problem
    for language in ("vi", "en"):
        assert batch_refusal(refused.value, language)


@given(st.lists(st.text(max_size=40), max_size=4))
def test_any_ids_text_is_ids_or_a_refusal(values: list[str]) -> None:
    try:
        ids = order_ids(values)
    except BatchRefused as refused:
        assert batch_refusal(refused, "vi") and batch_refusal(refused, "en")
    else:
        assert 1 <= len(ids) <= MAX_ORDERS and all(1 <= i < 2**31 for i in ids)


def test_papers_and_sheets() -> None:
    assert [paper_of(v) for v in (None, "", "80", "58", "58MM")] == [
        "80mm",
        "80mm",
        "80mm",
        "58mm",
        "58mm",
    ]
    assert [sheet_of(v) for v in (None, "A4", "a6")] == ["a6", "a4", "a6"]
    for bad in (lambda: paper_of("76"), lambda: sheet_of("a5")):
        with pytest.raises(BatchRefused):
            bad()


def test_refusal_words_have_the_same_keys_in_both_languages() -> None:
    assert set(TEMPLATES["vi"]) == set(TEMPLATES["en"])


# --- the tracking link ------------------------------------------------------------------------


def test_tracking_url_with_and_without_a_public_address() -> None:
    assert tracking_url("https://shop.example/", "abc") == "https://shop.example/t/abc"
    assert tracking_url("", "abc") == "/t/abc"
    assert is_absolute("https://shop.example/t/abc") and not is_absolute("/t/abc")


def test_tokens_the_service_makes_are_tokens() -> None:
    assert all(is_token(new_token()) for _ in range(50))
    assert not is_token("short") and not is_token("a" * 20 + "/") and not is_token("a" * 65)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("0912345678", "091****678"),
        ("0912 345 678", "091****678"),
        ("02812345678", "028*****678"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_the_phone_is_masked_to_its_first_and_last_three_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@given(st.text(max_size=30))
def test_a_masked_phone_never_shows_more_than_six_digits(phone: str) -> None:
    masked = mask_phone(phone)
    assert sum(char.isdigit() for char in masked) <= 6


def test_carrier_links() -> None:
    assert tracking_link("ghn", "LBK3F9QX") == "https://donhang.ghn.vn/?order_code=LBK3F9QX"
    assert tracking_link("GHTK", "S1.A1.17373471") == "https://i.ghtk.vn/S1.A1.17373471"
    assert "orderNumber=1234567" in (tracking_link("viettelpost", "1234567") or "")
    assert tracking_link("ahamove", "22VMV54W") is None  # its link is per order, not built
    assert tracking_link("individual", "x") is None
    assert tracking_link("ghn", "") is None
    assert tracking_link("ghn", "a b&c") == "https://donhang.ghn.vn/?order_code=a%20b%26c"


def test_the_buyers_words_cover_every_status_in_both_languages() -> None:
    assert set(TRACKING["vi"]) == set(TRACKING["en"])
    for status in Status:
        assert TRACKING["vi"][f"status.{status.value}"]
        assert TRACKING["en"][f"status.{status.value}"]
