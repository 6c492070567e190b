"""The buyer's tracking page (`/t/<token>`), Vietnamese and English with the same keys.

Buyers are not staff: a status reads as what is happening to their parcel ("Đang giao hàng"),
not as the shop's workflow ("Chờ thu hộ (COD)" means the parcel was delivered and the shop
awaits the carrier's money, which is the buyer's "delivered"). Every lifecycle status has a
sentence (`tests/unit/test_tracking.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from application.wording.languages import language_key

TRACKING: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "title": "Theo dõi đơn hàng",
        "order": "Đơn hàng",
        "ordered_at": "Đặt lúc",
        "status": "Trạng thái",
        "status.draft": "Shop đang xác nhận đơn",
        "status.waiting_for_shipping": "Shop đang chuẩn bị hàng",
        "status.shipping": "Đang giao hàng",
        "status.wait_for_cod": "Đã giao hàng",
        "status.complete": "Đã giao hàng",
        "status.failed_to_ship": "Giao hàng chưa thành công, shop sẽ liên hệ lại",
        "status.returned": "Đơn đã hoàn về shop",
        "status.cancelled": "Đơn đã hủy",
        "status.sent_to_shop": "Shop đang xử lý đơn",
        "receiver": "Người nhận",
        "phone": "Số điện thoại",
        "province": "Tỉnh/Thành phố",
        "shipping": "Vận chuyển",
        "carrier": "Đơn vị vận chuyển",
        "individual": "Shipper của shop",
        "no_carrier": "Shop chưa gửi hàng cho đơn vị vận chuyển.",
        "tracking_code": "Mã vận đơn",
        "carrier_link": "Xem hành trình trên trang của {carrier}",
        "items": "Sản phẩm",
        "no_items": "Đơn chưa có sản phẩm.",
        "subtotal": "Tạm tính",
        "discount": "Giảm giá",
        "shipping_fee": "Phí vận chuyển",
        "total": "Tổng cộng",
        "to_pay": "Cần thanh toán khi nhận hàng (COD)",
        "nothing_to_pay": "Không cần thanh toán thêm khi nhận hàng.",
        "privacy": "Trang này chỉ dành cho người có đường dẫn; địa chỉ và số điện thoại đầy đủ "
        "không hiển thị.",
        "transfer.title": "Thanh toán chuyển khoản",
        "transfer.scan": "Quét mã bằng ứng dụng ngân hàng để chuyển khoản.",
        "transfer.amount": "Số tiền",
        "transfer.bank": "Ngân hàng (BIN)",
        "transfer.account": "Số tài khoản",
        "transfer.name": "Chủ tài khoản",
        "transfer.memo": "Nội dung chuyển khoản",
        "transfer.keep_memo": "Vui lòng giữ nguyên nội dung “{memo}” để shop nhận ra đơn của bạn.",
        "transfer.paid": "Đã nhận tiền",
        "not_found.title": "Không tìm thấy đơn hàng",
        "not_found": "Đường dẫn theo dõi này không đúng hoặc đã hết hiệu lực. Vui lòng kiểm tra "
        "lại mã QR trên hóa đơn hoặc liên hệ shop.",
    },
    "en": {
        "title": "Track your order",
        "order": "Order",
        "ordered_at": "Ordered",
        "status": "Status",
        "status.draft": "The shop is confirming your order",
        "status.waiting_for_shipping": "The shop is packing your order",
        "status.shipping": "On its way",
        "status.wait_for_cod": "Delivered",
        "status.complete": "Delivered",
        "status.failed_to_ship": "Delivery did not succeed; the shop will contact you",
        "status.returned": "Returned to the shop",
        "status.cancelled": "Cancelled",
        "status.sent_to_shop": "The shop is handling your order",
        "receiver": "Receiver",
        "phone": "Phone",
        "province": "Province",
        "shipping": "Shipping",
        "carrier": "Carrier",
        "individual": "The shop's own shipper",
        "no_carrier": "The shop has not handed the parcel to a carrier yet.",
        "tracking_code": "Tracking code",
        "carrier_link": "Follow it on {carrier}'s site",
        "items": "Items",
        "no_items": "The order has no items yet.",
        "subtotal": "Subtotal",
        "discount": "Discount",
        "shipping_fee": "Shipping fee",
        "total": "Total",
        "to_pay": "To pay on delivery (COD)",
        "nothing_to_pay": "Nothing more to pay on delivery.",
        "privacy": "Only people with this link see this page; the full address and phone number "
        "are not shown.",
        "transfer.title": "Pay by bank transfer",
        "transfer.scan": "Scan the code with your banking app to pay.",
        "transfer.amount": "Amount",
        "transfer.bank": "Bank (BIN)",
        "transfer.account": "Account number",
        "transfer.name": "Account name",
        "transfer.memo": "Transfer memo",
        "transfer.keep_memo": "Please keep the memo “{memo}” as it is so the shop can match "
        "your payment.",
        "transfer.paid": "Payment received",
        "not_found.title": "Order not found",
        "not_found": "This tracking link is wrong or no longer valid. Please check the QR code "
        "on your receipt or contact the shop.",
    },
}


def tracking_words(language: str | None) -> Mapping[str, str]:
    return TRACKING[language_key(language)]
