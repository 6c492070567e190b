"""Bills and shipping notes: codes that scan, text that stays on the paper, the right sizes.

Barcodes and QR codes are checked with a real decoder (zxing-cpp) on the PNG as printed, and
overflow by where the ink actually is, not by what the layout believes it drew.
"""

from __future__ import annotations

import functools
import io
import re
import unicodedata
from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont, ImageOps, PdfParser

import render.fonts
from render.bill import render_bill
from render.codes import CODE128_QUIET_MODULES, code128_image, code128_modules, qr_image
from render.document import PrintLine, PrintOrder, Shop, from_snapshot
from render.fonts import complex_layout_available, font_path
from render.formats import format_local_datetime, format_vnd, format_weight
from render.layout import Flow
from render.shipping_note import render_shipping_note
from render.strings import LABELS, carrier_name, labels
from render.text import clean, truncate, wrap, wrap_at_most
from tests import order_views as views

MM = 72 / 25.4  # PDF points per millimetre
EDGE = 4  # columns at each side that must stay free of ink
PAPER_WIDTHS = {"80mm": 576, "58mm": 384}
CODE128 = zxingcpp.BarcodeFormat.Code128
QR = zxingcpp.BarcodeFormat.QRCode

SHOP = Shop(
    name="Hồng Nhung Boutique",
    phone="0901 234 567",
    address="Số 12 ngõ 34 phố Nguyễn Trãi, phường Thượng Đình, quận Thanh Xuân, Hà Nội",
)


def make_lines(count: int) -> tuple[PrintLine, ...]:
    names = ["Áo thun trắng cổ tròn", "Quần jean ống suông", "Váy hoa nhí", "Khăn lụa tơ tằm"]
    return tuple(
        PrintLine(
            name=names[i % len(names)],
            quantity=i % 3 + 1,
            unit_price=95_000 + 10_000 * i,
            variant="Size M / Trắng" if i % 2 else "",
        )
        for i in range(count)
    )


def make_order(line_count: int = 3, **changes: object) -> PrintOrder:
    items = make_lines(line_count)
    subtotal = sum(line.amount for line in items)
    order = PrintOrder(
        code="DH000123",
        created_at=datetime(2026, 11, 21, 17, 30, tzinfo=UTC),
        buyer_name="Nguyễn Thị Thu Hương",
        buyer_phone="0912 345 678",
        address="Số 45 đường Lê Lợi, phường Bến Nghé, quận 1, TP. Hồ Chí Minh",
        lines=items,
        subtotal=subtotal,
        shipping_fee=30_000,
        total=subtotal + 30_000,
        cod_amount=subtotal + 30_000,
        note="Giao giờ hành chính, gọi trước khi giao",
        staff="Lan",
        shipper_kind="ghn",
        tracking_code="GHNLK7X9Q2P",
        weight_g=1200,
    )
    return replace(order, **changes)


def individual(order: PrintOrder) -> PrintOrder:
    return replace(
        order,
        shipper_kind="individual",
        shipper_name="Trần Văn Tài",
        shipper_phone="0987 654 321",
        tracking_code="",
    )


def png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def decoded(image: Image.Image) -> set[tuple[object, str]]:
    return {(result.format, result.text) for result in zxingcpp.read_barcodes(image.convert("L"))}


def assert_ink_inside(image: Image.Image) -> None:
    box = ImageOps.invert(image.convert("L")).getbbox()
    assert box is not None, "nothing was drawn"
    left, _top, right, _bottom = box
    assert left >= EDGE, f"ink at x={left}"
    assert right <= image.width - EDGE, f"ink up to x={right} of {image.width}"


def media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    pattern = rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]"
    return [(float(w), float(h)) for w, h in re.findall(pattern, pdf)]


def nfd(value: object) -> object:
    return unicodedata.normalize("NFD", value) if isinstance(value, str) else value


def decomposed(item: object) -> object:
    """The same dataclass with every string (also inside its lines) in NFD."""
    changes = {f.name: nfd(getattr(item, f.name)) for f in fields(item)}
    if isinstance(item, PrintOrder):
        changes["lines"] = tuple(decomposed(line) for line in item.lines)
    return replace(item, **changes)


# --- codes scan back ---------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_bill_barcode_and_qr_decode(paper: str) -> None:
    image = png(render_bill(make_order(), SHOP, paper=paper))
    assert decoded(image) == {(CODE128, "DH000123"), (QR, "DH000123")}


def test_long_order_code_still_decodes_on_58mm() -> None:
    code = "LIVE-20261121-000123"
    image = png(render_bill(make_order(code=code), SHOP, paper="58mm"))
    assert decoded(image) == {(CODE128, code), (QR, code)}


def test_note_for_a_carrier_decodes_tracking_and_order_code() -> None:
    image = png(render_shipping_note(make_order(), SHOP))
    assert decoded(image) == {(CODE128, "GHNLK7X9Q2P"), (QR, "DH000123")}


def test_note_for_an_individual_shipper_without_tracking_carries_the_order_code() -> None:
    image = png(render_shipping_note(individual(make_order()), SHOP))
    assert decoded(image) == {(CODE128, "DH000123"), (QR, "DH000123")}


def test_note_with_long_codes_decodes_and_stays_inside() -> None:
    code, tracking = "LIVE-20261121-000123", "S22874515.BO.SGP01.A23.123456789"
    order = make_order(code=code, tracking_code=tracking, cod_amount=99_999_999_999)
    image = png(render_shipping_note(order, SHOP))
    assert decoded(image) == {(CODE128, tracking), (QR, code)}
    assert_ink_inside(image)


def test_note_says_when_the_barcode_is_the_order_code() -> None:
    with_tracking = png(render_shipping_note(make_order(), SHOP, language="en"))
    without = png(render_shipping_note(make_order(tracking_code=""), SHOP, language="en"))
    assert with_tracking.tobytes() != without.tobytes()


@pytest.mark.parametrize("module_px", [1, 2, 3])
def test_code128_modules_are_whole_pixels_with_quiet_zones(module_px: int) -> None:
    modules = code128_modules("GHNLK7X9Q2P")
    total = len(modules) + 2 * CODE128_QUIET_MODULES
    image = code128_image("GHNLK7X9Q2P", max_width=total * module_px, height=10, max_module_px=3)
    assert image is not None and image.mode == "1"
    assert image.width == total * module_px
    row = [image.getpixel((x, 5)) for x in range(image.width)]
    expected = [
        0 if module == "1" else 255
        for module in "0" * CODE128_QUIET_MODULES + modules + "0" * CODE128_QUIET_MODULES
        for _ in range(module_px)
    ]
    assert row == expected


def test_code128_that_cannot_fit_is_left_out() -> None:
    assert code128_image("X" * 80, max_width=200, height=10) is None


@pytest.mark.parametrize("data", ["", "ĐH001"])
def test_code128_of_an_unprintable_code_is_left_out(data: str) -> None:
    assert code128_image(data, max_width=500, height=10) is None


def test_missing_order_code_and_date_still_render() -> None:
    order = make_order(code="", tracking_code="", created_at=None)
    assert_ink_inside(png(render_bill(order, SHOP)))
    assert_ink_inside(png(render_shipping_note(order, SHOP)))


def test_qr_is_a_full_qr_code_with_quiet_zone() -> None:
    image = qr_image("DH000123", max_size=200)
    assert decoded(image) == {(QR, "DH000123")}
    corner = image.crop((0, 0, 4 * 6, 4 * 6))
    assert corner.getextrema() == (255, 255)


# --- text is Unicode-safe and stays on the paper ------------------------------------------


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_nfd_text_renders_like_nfc_on_the_bill(paper: str) -> None:
    order = make_order(buyer_name="Nguyễn Thị Thu Hương", note="Giao hàng cẩn thận, đừng để ướt")
    order_nfd, shop_nfd = decomposed(order), decomposed(SHOP)
    assert order_nfd.buyer_name != order.buyer_name  # the test really feeds NFD
    nfc_image = png(render_bill(order, SHOP, paper=paper))
    nfd_image = png(render_bill(order_nfd, shop_nfd, paper=paper))
    assert nfd_image.size == nfc_image.size
    assert nfd_image.tobytes() == nfc_image.tobytes()


def test_nfd_text_renders_like_nfc_on_the_note() -> None:
    order = make_order()
    nfc_image = png(render_shipping_note(order, SHOP))
    nfd_image = png(render_shipping_note(decomposed(order), decomposed(SHOP)))
    assert nfd_image.tobytes() == nfc_image.tobytes()


LONG_NAME = ("Nguyễn Thị Thu Hương " * 10)[:200]
LONG_WORD = ("NguyễnThịThuHương" * 12)[:200]
LONG_ADDRESS = ("Số 45 đường Lê Lợi, phường Bến Nghé, quận 1, TP. Hồ Chí Minh, " * 4)[:200]
EMOJI = "Hương 🌸💖👩‍👩‍👧 🇻🇳 👍🏽"

HARD_ORDERS = {
    "name-with-spaces": {"buyer_name": LONG_NAME},
    "name-without-spaces": {"buyer_name": LONG_WORD, "buyer_phone": "0" * 60},
    "long-address": {"address": LONG_ADDRESS},
    "long-item-and-variant": {
        "lines": (PrintLine(LONG_WORD, 999, 99_999_999, variant=LONG_NAME),),
        "cod_amount": 99_999_999_999,
    },
    "emoji": {
        "buyer_name": EMOJI,
        "note": "Giao nhanh nhé 🚚🙏🏽 " * 5,
        "lines": (PrintLine("Áo 👕 " + EMOJI, 1, 150_000),),
    },
    "empty-note": {"note": ""},
    "empty-everything": {
        "buyer_name": "",
        "buyer_phone": "",
        "address": "",
        "note": "",
        "staff": "",
        "lines": (),
    },
    "control-characters": {"buyer_name": "Hương\x00\t\r\nLan\u2028", "note": "a\x1b[31mb"},
}


@pytest.mark.parametrize("case", HARD_ORDERS)
@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_bill_ink_stays_inside_the_paper(case: str, paper: str) -> None:
    order = make_order(**HARD_ORDERS[case])
    image = png(render_bill(order, replace(SHOP, name=LONG_WORD), paper=paper))
    assert image.width == PAPER_WIDTHS[paper]
    assert_ink_inside(image)


@pytest.mark.parametrize("case", HARD_ORDERS)
def test_note_ink_stays_inside_the_label(case: str) -> None:
    order = make_order(**HARD_ORDERS[case])
    for variant in (order, individual(replace(order, shipper_name=LONG_WORD))):
        image = png(render_shipping_note(variant, replace(SHOP, address=LONG_ADDRESS)))
        assert image.size == (800, 1200)
        assert_ink_inside(image)


def test_note_with_everything_long_keeps_codes_and_fits() -> None:
    order = make_order(
        lines=make_lines(60),
        buyer_name=LONG_NAME,
        address=LONG_ADDRESS,
        shipper_kind="individual",
        shipper_name=LONG_NAME,
        shipper_phone="0987 654 321",
    )
    image = png(render_shipping_note(order, replace(SHOP, name=LONG_NAME, address=LONG_ADDRESS)))
    assert image.size == (800, 1200)
    assert_ink_inside(image)
    bottom = ImageOps.invert(image.convert("L")).getbbox()[3]
    assert bottom <= 1200 - EDGE  # nothing runs off the bottom edge either
    assert decoded(image) == {(CODE128, "GHNLK7X9Q2P"), (QR, "DH000123")}


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_sixty_lines_grow_the_bill(paper: str) -> None:
    ten = png(render_bill(make_order(10), SHOP, paper=paper))
    sixty = png(render_bill(make_order(60), SHOP, paper=paper))
    assert sixty.height > ten.height + 50 * 40
    assert_ink_inside(sixty)
    assert decoded(sixty) == {(CODE128, "DH000123"), (QR, "DH000123")}


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_a_bill_says_how_the_buyer_pays_and_what_came_in(paper: str) -> None:
    """A COD bill is as it was; a transfer or deposit order's bill adds the way it is paid,
    and money already received adds one more line above the COD box."""
    cod = png(render_bill(make_order(3), SHOP, paper=paper))
    transfer = png(
        render_bill(replace(make_order(3), payment_method="transfer"), SHOP, paper=paper)
    )
    deposit_paid = png(
        render_bill(
            replace(make_order(3), payment_method="deposit", deposit=100_000, paid=100_000),
            SHOP,
            paper=paper,
        )
    )
    assert cod.height < transfer.height < deposit_paid.height
    assert_ink_inside(deposit_paid)
    assert decoded(deposit_paid) == {(CODE128, "DH000123"), (QR, "DH000123")}


def test_page_breaks_never_cut_a_group_kept_together() -> None:
    flow = Flow(100, margin=10)

    def black(_canvas: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
        draw.rectangle((10, y, 89, y + 19), fill=0)

    for _ in range(30):
        with flow.kept_together():
            for _ in range(3):
                flow.add(20, black)
        flow.gap(10)
    pages = flow.pages(200)
    assert len(pages) >= 2
    runs = []
    for page in pages:
        column = [page.getpixel((50, y)) for y in range(page.height)]
        runs += [len(run) for run in "".join("x" if v == 0 else " " for v in column).split()]
    assert runs == [60] * 30


def test_a_group_taller_than_a_page_is_cut_between_its_blocks() -> None:
    flow = Flow(100, margin=10)

    def bar(_canvas: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
        draw.rectangle((10, y, 89, y + 17), fill=0)  # 18 px of ink, then 2 px of paper

    with flow.kept_together():
        for _ in range(20):
            flow.add(20, bar)
    pages = flow.pages(200)
    assert len(pages) >= 3
    for page in pages:
        column = "".join("x" if page.getpixel((50, y)) == 0 else " " for y in range(page.height))
        assert {len(run) for run in column.split()} == {18}


# --- output formats ------------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_bill_png_width_mode_and_size(paper: str) -> None:
    data = render_bill(make_order(10), SHOP, paper=paper)
    assert data.startswith(b"\x89PNG")
    image = png(data)
    assert image.width == PAPER_WIDTHS[paper]
    assert image.mode in ("1", "L")
    assert len(data) < 200_000


def test_note_png_size_and_mode() -> None:
    data = render_shipping_note(make_order(), SHOP)
    image = png(data)
    assert image.size == (800, 1200)
    assert image.mode in ("1", "L")
    assert len(data) < 200_000


@pytest.mark.parametrize(("paper", "millimetres"), [("80mm", 80), ("58mm", 58)])
def test_bill_pdf_pages_have_the_paper_width(paper: str, millimetres: int) -> None:
    pdf = render_bill(make_order(60), SHOP, paper=paper, fmt="pdf")
    assert pdf.startswith(b"%PDF")
    assert len(PdfParser.PdfParser(buf=pdf).pages) >= 2
    boxes = media_boxes(pdf)
    assert len(boxes) >= 2
    for width, height in boxes:
        assert width == pytest.approx(millimetres * MM, abs=0.5)
        assert height == pytest.approx(boxes[0][1], abs=0.01)  # every page the same height
    assert b"/CCITTFaxDecode" in pdf  # stored losslessly: barcodes survive


def test_short_bill_pdf_is_one_page() -> None:
    pdf = render_bill(make_order(2), SHOP, fmt="pdf")
    assert len(PdfParser.PdfParser(buf=pdf).pages) == 1


def test_note_pdf_is_one_a6_page() -> None:
    pdf = render_shipping_note(make_order(), SHOP, fmt="pdf")
    assert pdf.startswith(b"%PDF")
    assert len(PdfParser.PdfParser(buf=pdf).pages) == 1
    [(width, height)] = media_boxes(pdf)
    assert width == pytest.approx(100 * MM, abs=0.5)
    assert height == pytest.approx(150 * MM, abs=0.5)


def test_unknown_paper_and_format_are_refused() -> None:
    with pytest.raises(ValueError, match="paper"):
        render_bill(make_order(), SHOP, paper="A4")
    with pytest.raises(ValueError, match="format"):
        render_bill(make_order(), SHOP, fmt="jpeg")
    with pytest.raises(ValueError, match="format"):
        render_shipping_note(make_order(), SHOP, fmt="svg")


# --- labels, money, dates --------------------------------------------------------------------


def test_english_bill_differs_from_vietnamese() -> None:
    vi = render_bill(make_order(), SHOP, language="vi")
    en = render_bill(make_order(), SHOP, language="en")
    assert png(vi).tobytes() != png(en).tobytes()


def test_unknown_language_prints_vietnamese() -> None:
    vi = render_bill(make_order(), SHOP)
    assert png(render_bill(make_order(), SHOP, language="fr")).tobytes() == png(vi).tobytes()
    assert labels("en-US") is LABELS["en"]


def test_both_languages_have_the_same_labels() -> None:
    assert set(LABELS["vi"]) == set(LABELS["en"])
    for table in LABELS.values():
        assert all(text.strip() for text in table.values())
        for instruction in ("allow_viewing", "no_viewing", "allow_trying"):
            assert instruction in table


def test_carrier_names() -> None:
    assert [carrier_name(k) for k in ("ghn", "ghtk", "viettelpost", "ahamove")] == [
        "GHN",
        "GHTK",
        "Viettel Post",
        "Ahamove",
    ]
    assert carrier_name(None) == ""


@pytest.mark.parametrize(
    ("amount", "text"),
    [(150_000, "150.000 đ"), (0, "0 đ"), (1_234_567, "1.234.567 đ"), (999, "999 đ")],
)
def test_money_is_written_vietnamese_style(amount: int, text: str) -> None:
    assert format_vnd(amount) == text


def test_time_is_printed_in_vietnam() -> None:
    moment = datetime.fromisoformat("2026-11-21T17:30:00Z")
    assert format_local_datetime(moment) == "22/11/2026 00:30"
    assert format_local_datetime(datetime(2026, 11, 21, 17, 30)) == "22/11/2026 00:30"
    assert format_local_datetime(None) == ""


@pytest.mark.parametrize(
    ("grams", "text"),
    [(0, ""), (500, "500 g"), (1000, "1 kg"), (1200, "1,2 kg"), (1250, "1,25 kg")],
)
def test_weight(grams: int, text: str) -> None:
    assert format_weight(grams) == text


def test_bill_from_an_order_view() -> None:
    snapshot = views.order_view(
        code="DH000777",
        created_at=datetime(2026, 11, 21, 17, 30, tzinfo=UTC),
        customer=views.customer(
            name="Lê Văn Minh",
            phone="0903 111 222",
            address="",
            ward="",
            district="",
            province="Đà Nẵng",
        ),
        lines=[
            views.line("", name="Áo khoác", quantity=1, unit_price=450_000, variant="L"),
            views.line("", name="Chờ hàng", quantity=1, unit_price=1, variant="", waitlisted=True),
        ],
        subtotal=450_000,
        total=450_000,
        cod_amount=450_000,
        shipper=views.shipper("ghtk", tracking_code="S123.BO.456"),
        staff=None,
    )
    order = from_snapshot(snapshot, weight_g=800)
    assert decoded(png(render_bill(order, SHOP))) == {(CODE128, "DH000777"), (QR, "DH000777")}
    note = png(render_shipping_note(order, SHOP))
    assert decoded(note) == {(CODE128, "S123.BO.456"), (QR, "DH000777")}


# --- both layout engines ---------------------------------------------------------------------


def test_complex_layout_available_is_a_bool() -> None:
    assert isinstance(complex_layout_available(), bool)


@functools.cache
def basic_font(size: int, weight: str = "Regular") -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(weight)), size, layout_engine=ImageFont.Layout.BASIC)


def test_basic_layout_engine_renders_correctly(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a Pillow without libraqm prints: the same guarantees hold."""
    monkeypatch.setattr(render.fonts, "font", basic_font)
    order = make_order(buyer_name=LONG_WORD)
    nfc_image = png(render_bill(order, SHOP, paper="58mm"))
    nfd_image = png(render_bill(decomposed(order), decomposed(SHOP), paper="58mm"))
    assert nfc_image.tobytes() == nfd_image.tobytes()
    assert_ink_inside(nfc_image)
    assert decoded(nfc_image) == {(CODE128, "DH000123"), (QR, "DH000123")}


# --- the wrapper -----------------------------------------------------------------------------

ENGINES = [ImageFont.Layout.BASIC] + ([ImageFont.Layout.RAQM] if complex_layout_available() else [])


@functools.cache
def engine_font(engine: ImageFont.Layout) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path("SemiBold")), 24, layout_engine=engine)


def visible(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(max_size=300),
    width=st.integers(min_value=60, max_value=560),
    engine=st.sampled_from(ENGINES),
)
def test_wrapped_lines_fit_and_keep_every_character(
    text: str, width: int, engine: ImageFont.Layout
) -> None:
    face = engine_font(engine)
    lines = wrap(text, face, width)
    for line in lines:
        # A single code point wider than the line is the only thing allowed to stick out.
        assert face.getlength(line) <= width or len(line) == 1
        assert line == line.strip() and "\n" not in line
    assert "".join(visible(line) for line in lines) == visible(clean(text))


@settings(max_examples=60, deadline=None)
@given(text=st.text(min_size=1, max_size=200), max_lines=st.integers(1, 4))
def test_wrapping_to_at_most_n_lines_fits(text: str, max_lines: int) -> None:
    face = engine_font(ENGINES[0])
    lines = wrap_at_most(text, face, 200, max_lines)
    assert len(lines) <= max_lines
    assert all(face.getlength(line) <= 200 or len(line) == 1 for line in lines)


def test_wrap_breaks_at_spaces_and_cuts_long_words() -> None:
    face = engine_font(ENGINES[0])
    lines = wrap("Nguyễn Thị Thu Hương " + "x" * 100, face, 200)
    assert lines[0].startswith("Nguyễn")
    assert all(face.getlength(line) <= 200 for line in lines)
    assert "".join(lines).count("x") == 100


def test_truncate_adds_an_ellipsis_only_when_needed() -> None:
    face = engine_font(ENGINES[0])
    assert truncate("Áo thun", face, 300) == "Áo thun"
    cut = truncate("Áo thun trắng cổ tròn siêu đẹp", face, 150)
    assert cut.endswith("…") and face.getlength(cut) <= 150


def test_clean_composes_and_removes_controls() -> None:
    assert clean(unicodedata.normalize("NFD", "Hương")) == "Hương"
    assert clean("a\x00b\tc") == "a b c"
    assert clean("a\nb") == "a b"
    assert clean("a\nb", keep_newlines=True) == "a\nb"


def test_a_discount_is_a_line_of_its_own_on_the_bill_and_the_total_takes_it_off() -> None:
    order = make_order()
    discounted = replace(
        order, discount=20_000, total=order.total - 20_000, cod_amount=order.cod_amount - 20_000
    )
    plain = png(render_bill(order, SHOP))
    with_discount = png(render_bill(discounted, SHOP))
    assert with_discount.height > plain.height  # the "Giảm giá" line
    assert_ink_inside(with_discount)
    assert LABELS["vi"]["discount"] == "Giảm giá" and LABELS["en"]["discount"] == "Discount"
    view = views.order_view(subtotal=300_000, discount=50_000, total=250_000, cod_amount=250_000)
    printed = from_snapshot(view)
    assert (printed.discount, printed.total, printed.cod_amount) == (50_000, 250_000, 250_000)
