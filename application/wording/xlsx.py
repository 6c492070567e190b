"""The words of the orders list as an Excel file (`application.orders_xlsx`): the sheets' names
and column headings, and the few words written in its cells, Vietnamese and English with the
same keys. Statuses, payment methods, carriers and buyer confirmations are named by
`application.wording.labels` and `messenger`, as on the cards and the pages.

`tests/unit/test_orders_xlsx.py` proves both tables have the same keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from application.wording.languages import language_key

# The columns of each sheet, in the order they appear (keys of `WORDS`, after `order.` and
# `line.`); `application.orders_xlsx` writes one value per column in this order.
ORDER_COLUMNS: Final = (
    "code",
    "status",
    "created_at",
    "video_id",
    "buyer",
    "phone",
    "street",
    "ward",
    "district",
    "province",
    "lines",
    "subtotal",
    "discount",
    "shipping_fee",
    "total",
    "payment_method",
    "paid",
    "due",
    "cod",
    "shipper",
    "tracking_code",
    "carrier_status",
    "staff",
    "confirmation",
    "note",
)
LINE_COLUMNS: Final = (
    "order",
    "code",
    "sku",
    "name",
    "variant",
    "quantity",
    "unit_price",
    "amount",
    "waitlisted",
    "needs_review",
)

WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "sheet.orders": "Đơn hàng",
        "sheet.lines": "Dòng hàng",
        "order.code": "Mã đơn",
        "order.status": "Trạng thái",
        "order.created_at": "Ngày tạo",
        "order.video_id": "Live (video id)",
        "order.buyer": "Tên khách",
        "order.phone": "SĐT",
        "order.street": "Số nhà, đường",
        "order.ward": "Phường/Xã",
        "order.district": "Quận/Huyện",
        "order.province": "Tỉnh/Thành phố",
        "order.lines": "Sản phẩm",
        "order.subtotal": "Tiền hàng",
        "order.discount": "Giảm giá",
        "order.shipping_fee": "Phí ship",
        "order.total": "Tổng cộng",
        "order.payment_method": "Thanh toán",
        "order.paid": "Đã nhận",
        "order.due": "Còn phải thu",
        "order.cod": "COD",
        "order.shipper": "Đơn vị giao / shipper",
        "order.tracking_code": "Mã vận đơn",
        "order.carrier_status": "Trạng thái hãng",
        "order.staff": "Nhân viên",
        "order.confirmation": "Khách xác nhận",
        "order.note": "Ghi chú",
        "line.order": "Mã đơn",
        "line.code": "Mã live",
        "line.sku": "SKU",
        "line.name": "Tên sản phẩm",
        "line.variant": "Phân loại",
        "line.quantity": "Số lượng",
        "line.unit_price": "Đơn giá",
        "line.amount": "Thành tiền",
        "line.waitlisted": "Chờ hàng",
        "line.needs_review": "Cần kiểm tra",
        "yes": "Có",
        "no": "Không",
        "waitlisted": "chờ hàng",
    },
    "en": {
        "sheet.orders": "Orders",
        "sheet.lines": "Lines",
        "order.code": "Order code",
        "order.status": "Status",
        "order.created_at": "Created",
        "order.video_id": "Live (video id)",
        "order.buyer": "Buyer",
        "order.phone": "Phone",
        "order.street": "Street",
        "order.ward": "Ward",
        "order.district": "District",
        "order.province": "Province",
        "order.lines": "Items",
        "order.subtotal": "Subtotal",
        "order.discount": "Discount",
        "order.shipping_fee": "Shipping fee",
        "order.total": "Total",
        "order.payment_method": "Payment",
        "order.paid": "Paid",
        "order.due": "Due",
        "order.cod": "COD",
        "order.shipper": "Carrier / shipper",
        "order.tracking_code": "Tracking code",
        "order.carrier_status": "Carrier status",
        "order.staff": "Staff",
        "order.confirmation": "Buyer confirmation",
        "order.note": "Note",
        "line.order": "Order code",
        "line.code": "Live code",
        "line.sku": "SKU",
        "line.name": "Item",
        "line.variant": "Variant",
        "line.quantity": "Quantity",
        "line.unit_price": "Unit price",
        "line.amount": "Amount",
        "line.waitlisted": "Waitlisted",
        "line.needs_review": "Needs checking",
        "yes": "Yes",
        "no": "No",
        "waitlisted": "waitlisted",
    },
}


def xlsx_words(language: str | None) -> Mapping[str, str]:
    return WORDS[language_key(language)]


def order_headings(language: str | None) -> tuple[str, ...]:
    words = xlsx_words(language)
    return tuple(words[f"order.{name}"] for name in ORDER_COLUMNS)


def line_headings(language: str | None) -> tuple[str, ...]:
    words = xlsx_words(language)
    return tuple(words[f"line.{name}"] for name in LINE_COLUMNS)
