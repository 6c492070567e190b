"""Every printed label, Vietnamese and English, in one table.

One table keeps the two languages in step: a key added for one language and forgotten in the
other shows up in a test, not on a customer's receipt.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

DEFAULT_LANGUAGE: Final = "vi"

LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "bill_title": "HÓA ĐƠN BÁN HÀNG",
        "shop_phone": "ĐT",
        "order_code": "Mã đơn",
        "date": "Ngày",
        "staff": "Nhân viên",
        "buyer": "Khách hàng",
        "buyer_phone": "SĐT",
        "address": "Địa chỉ",
        "no_items": "(Chưa có sản phẩm)",
        "subtotal": "Tạm tính",
        "discount": "Giảm giá",
        "shipping_fee": "Phí vận chuyển",
        "total": "Tổng cộng",
        "cod": "THU HỘ (COD)",
        "payment": "Thanh toán",
        "payment_transfer": "Chuyển khoản",
        "payment_deposit": "Đặt cọc {amount}",
        "paid": "Đã thanh toán",
        "note": "Ghi chú",
        "scan_hint": "Quét mã để tra cứu đơn hàng",
        "thanks": "Cảm ơn quý khách đã mua hàng!",
        "no_carrier": "Chưa chọn đơn vị vận chuyển",
        "individual_shipper": "Shipper riêng",
        "tracking_code": "Mã vận đơn",
        "no_tracking": "Chưa có mã vận đơn: mã vạch là mã đơn hàng",
        "sender": "Người gửi",
        "receiver": "Người nhận",
        "contents": "Nội dung hàng",
        "weight": "Khối lượng",
        "weight_unknown": "Chưa cân",
        "instruction": "Chỉ dẫn giao hàng",
        "allow_viewing": "Cho xem hàng, không cho thử",
        "no_viewing": "Không cho xem hàng",
        "allow_trying": "Cho xem và thử hàng",
        "transfer_title": "Quét để chuyển khoản",
        "transfer_amount": "Số tiền",
        "transfer_bank": "Ngân hàng (BIN)",
        "transfer_account": "Số tài khoản",
        "transfer_name": "Chủ tài khoản",
        "transfer_memo": "Nội dung",
        "transfer_memo_hint": "Giữ nguyên nội dung chuyển khoản để shop nhận ra đơn.",
    },
    "en": {
        "bill_title": "SALES RECEIPT",
        "shop_phone": "Tel",
        "order_code": "Order",
        "date": "Date",
        "staff": "Staff",
        "buyer": "Customer",
        "buyer_phone": "Phone",
        "address": "Address",
        "no_items": "(No items)",
        "subtotal": "Subtotal",
        "discount": "Discount",
        "shipping_fee": "Shipping fee",
        "total": "Total",
        "cod": "COLLECT ON DELIVERY (COD)",
        "payment": "Payment",
        "payment_transfer": "Bank transfer",
        "payment_deposit": "Deposit {amount}",
        "paid": "Paid",
        "note": "Note",
        "scan_hint": "Scan to look up your order",
        "thanks": "Thank you for your purchase!",
        "no_carrier": "No carrier chosen",
        "individual_shipper": "Private shipper",
        "tracking_code": "Tracking code",
        "no_tracking": "No tracking code yet: the barcode is the order code",
        "sender": "From",
        "receiver": "To",
        "contents": "Contents",
        "weight": "Weight",
        "weight_unknown": "Not weighed",
        "instruction": "Delivery instruction",
        "allow_viewing": "Allow viewing, no trying",
        "no_viewing": "No viewing",
        "allow_trying": "Allow viewing and trying",
        "transfer_title": "Scan to pay by bank transfer",
        "transfer_amount": "Amount",
        "transfer_bank": "Bank (BIN)",
        "transfer_account": "Account number",
        "transfer_name": "Account name",
        "transfer_memo": "Memo",
        "transfer_memo_hint": "Keep the memo as it is so the shop finds your order.",
    },
}

CARRIER_NAMES: Final[Mapping[str, str]] = {
    "ghn": "GHN",
    "ghtk": "GHTK",
    "viettelpost": "Viettel Post",
    "ahamove": "Ahamove",
}


def labels(language: str) -> Mapping[str, str]:
    """The label table for `language`; anything we do not translate prints in Vietnamese, the
    language of the shops and their customers. `en-US` and `EN` count as English."""
    key = (language or "").strip().lower().split("-")[0].split("_")[0]
    return LABELS.get(key, LABELS[DEFAULT_LANGUAGE])


def carrier_name(kind: str | None) -> str:
    """How a carrier is written on a label; a kind we do not know yet still prints, upper-cased,
    rather than leaving the shipper guessing."""
    if not kind:
        return ""
    return CARRIER_NAMES.get(kind.lower(), kind.upper())
