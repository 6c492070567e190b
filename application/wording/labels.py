"""Names of the order's statuses, actions, event kinds, sources and fields, per language.

The bot's cards and the pages show statuses and actions from here (`bot.strings` merges
`STATUS_AND_ACTION` into its table); refusals and the history name fields from `FIELD`. A name
missing from a table prints as its machine word rather than failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from application.wording.languages import language_key
from render.strings import carrier_name

Table = Mapping[str, Mapping[str, str]]

# Keys `status.<status>` and `action.<action>`, as the bot and the pages have always used them.
STATUS_AND_ACTION: Final[Table] = {
    "vi": {
        # statuses, as the seeds name them
        "status.draft": "Nháp",
        "status.waiting_for_shipping": "Chờ vận chuyển",
        "status.shipping": "Đang vận chuyển",
        "status.wait_for_cod": "Chờ thu hộ (COD)",
        "status.complete": "Hoàn thành",
        "status.failed_to_ship": "Giao thất bại",
        "status.returned": "Đã hoàn",
        "status.cancelled": "Đã hủy",
        "status.sent_to_shop": "Chuyển cửa hàng",
        # action buttons
        "action.edit": "Sửa",
        "action.save_draft": "Lưu nháp",
        "action.create_order": "Tạo đơn",
        "action.send_to_shop": "Chuyển cửa hàng",
        "action.ship": "Giao hàng",
        "action.complete": "Hoàn thành",
        "action.failed": "Giao thất bại",
        "action.collect_cod": "Thu COD",
        "action.return": "Hoàn hàng",
        "action.cancel": "Hủy",
        "action.print_bill": "In hóa đơn",
        "action.print_shipping_note": "In phiếu giao",
        "action.record_payment": "Nhận tiền",
    },
    "en": {
        "status.draft": "Draft",
        "status.waiting_for_shipping": "Waiting for shipping",
        "status.shipping": "Shipping",
        "status.wait_for_cod": "Wait for COD",
        "status.complete": "Complete",
        "status.failed_to_ship": "Failed to ship",
        "status.returned": "Returned",
        "status.cancelled": "Cancelled",
        "status.sent_to_shop": "Sent to shop",
        "action.edit": "Edit",
        "action.save_draft": "Save draft",
        "action.create_order": "Create order",
        "action.send_to_shop": "Send to shop",
        "action.ship": "Ship",
        "action.complete": "Complete",
        "action.failed": "Failed to ship",
        "action.collect_cod": "Collect COD",
        "action.return": "Return",
        "action.cancel": "Cancel",
        "action.print_bill": "Print bill",
        "action.print_shipping_note": "Print shipping note",
        "action.record_payment": "Payment received",
    },
}

# History events that are not one of the lifecycle's actions.


# Words the bot's cards and the staff pages both show besides statuses and actions: the list
# tab for every status, the individual shipper, staff roles.
INTERFACE: Final[Table] = {
    "vi": {
        "tab.all": "Tất cả",
        "carrier.individual": "Shipper riêng",
        "role.manager": "quản lý",
        "role.cashier": "thu ngân",
        "role.sales": "bán hàng",
    },
    "en": {
        "tab.all": "All",
        "carrier.individual": "Individual shipper",
        "role.manager": "manager",
        "role.cashier": "cashier",
        "role.sales": "sales",
    },
}


EVENT: Final[Table] = {
    "vi": {
        "create": "Tạo nháp",
        "carrier_status": "Hãng báo trạng thái",
        "shipment_refused": "Hãng từ chối tạo vận đơn",
        "cancel_refused": "Hãng từ chối hủy vận đơn",
        "handed_to_shop": "Đã chuyển cho cửa hàng",
        "handoff_failed": "Chuyển cửa hàng không được",
        "comment_hidden": "Đã ẩn bình luận",
        "private_reply_sent": "Đã nhắn riêng cho khách",
        "instagram_reply_skipped": "Không nhắn riêng qua Instagram",
        "facebook_error": "Facebook từ chối",
        "buyer_asked": "Đã hỏi khách xác nhận",
        "buyer_confirmed": "Khách xác nhận qua Messenger",
        "buyer_declined": "Khách huỷ qua Messenger",
        "messenger_reply_sent": "Đã trả lời khách qua Messenger",
    },
    "en": {
        "create": "Draft created",
        "carrier_status": "Carrier reported",
        "shipment_refused": "Carrier refused the shipment",
        "cancel_refused": "Carrier refused to cancel",
        "handed_to_shop": "Handed to the shop",
        "handoff_failed": "Hand-off to the shop failed",
        "comment_hidden": "Comment hidden",
        "private_reply_sent": "Private reply sent",
        "instagram_reply_skipped": "No private reply on Instagram",
        "facebook_error": "Facebook refused",
        "buyer_asked": "Buyer asked to confirm",
        "buyer_confirmed": "Buyer confirmed in Messenger",
        "buyer_declined": "Buyer cancelled in Messenger",
        "messenger_reply_sent": "Answered the buyer in Messenger",
    },
}

# Who acted (an event's `source`) and where an order came from (a create event's `source`).
SOURCE: Final[Table] = {
    "vi": {
        "staff": "Nhân viên",
        "carrier": "Hãng vận chuyển",
        "system": "Hệ thống",
        "api": "API",
        "livestream": "Livestream",
        "manual": "Tạo tay",
        "buyer": "Khách (Messenger)",
        "bank": "Ngân hàng",
    },
    "en": {
        "staff": "Staff",
        "carrier": "Carrier",
        "system": "System",
        "api": "API",
        "livestream": "Livestream",
        "manual": "Manual",
        "buyer": "Buyer (Messenger)",
        "bank": "Bank",
    },
}

# The domain's field names, as a sentence or a list names them (lower case in Vietnamese).
FIELD: Final[Table] = {
    "vi": {
        "buyer_name": "tên khách",
        "name": "tên",
        "buyer_phone": "số điện thoại",
        "phone": "số điện thoại",
        "street": "địa chỉ",
        "address": "địa chỉ",
        "ward": "phường/xã",
        "district": "quận/huyện",
        "province": "tỉnh/thành",
        "facebook_id": "Facebook id",
        "note": "ghi chú",
        "shipping_fee": "phí vận chuyển",
        "discount": "giảm giá",
        "cod_amount": "tiền thu hộ (COD)",
        "lines": "sản phẩm",
        "quantity": "số lượng",
        "code": "mã",
        "variant": "phân loại",
        "unit_price": "đơn giá",
        "staff": "nhân viên chăm sóc",
        "staff_id": "nhân viên chăm sóc",
        "carrier": "đơn vị vận chuyển",
        "shipper_name": "tên shipper",
        "shipper_phone": "số điện thoại shipper",
        "status": "trạng thái",
        "limit": "số đơn mỗi trang",
        "version": "phiên bản",
        "role": "vai trò",
        "video_id": "video id",
        "max_qty": "số lượng tối đa",
        "codes": "bảng mã",
        "default_code": "mã mặc định",
        "flag_reason": "lý do gắn cờ",
        "flagged": "gắn cờ",
        "payment": "thanh toán",
        "payment_method": "cách thanh toán",
        "deposit": "tiền cọc",
        "amount": "số tiền",
        "from": "ngày bắt đầu",
        "to": "ngày kết thúc",
    },
    "en": {
        "buyer_name": "buyer's name",
        "name": "name",
        "buyer_phone": "phone",
        "phone": "phone",
        "street": "address",
        "address": "address",
        "ward": "ward",
        "district": "district",
        "province": "province",
        "facebook_id": "Facebook id",
        "note": "note",
        "shipping_fee": "shipping fee",
        "discount": "discount",
        "cod_amount": "COD amount",
        "lines": "items",
        "quantity": "quantity",
        "code": "code",
        "variant": "variant",
        "unit_price": "unit price",
        "staff": "staff member",
        "staff_id": "staff member",
        "carrier": "carrier",
        "shipper_name": "shipper's name",
        "shipper_phone": "shipper's phone",
        "status": "status",
        "limit": "limit",
        "version": "version",
        "role": "role",
        "video_id": "video id",
        "max_qty": "max quantity",
        "codes": "codes",
        "default_code": "default code",
        "flag_reason": "flag reason",
        "flagged": "flag",
        "payment": "payment",
        "payment_method": "payment method",
        "deposit": "deposit",
        "amount": "amount",
        "from": "start date",
        "to": "end date",
    },
}

INDIVIDUAL: Final = {"vi": "Shipper riêng", "en": "Individual shipper"}

# How an order is paid (`orders.payments.PaymentMethod`).
PAYMENT_METHOD: Final[Table] = {
    "vi": {"cod": "Thu hộ (COD)", "transfer": "Chuyển khoản", "deposit": "Đặt cọc"},
    "en": {"cod": "Cash on delivery", "transfer": "Bank transfer", "deposit": "Deposit"},
}


# What became of a bank transfer (`orders.tables.Payment.state`).
PAYMENT_STATE: Final[Table] = {
    "vi": {"applied": "đã ghi vào đơn", "unmatched": "chờ gắn đơn", "ignored": "tiền ra, bỏ qua"},
    "en": {
        "applied": "paid an order",
        "unmatched": "waiting for an order",
        "ignored": "outgoing, ignored",
    },
}


def payment_state_label(state: str | None, language: str | None) -> str:
    if not state:
        return ""
    return PAYMENT_STATE[language_key(language)].get(state, state)


def payment_label(method: str | None, language: str | None) -> str:
    if not method:
        return ""
    return PAYMENT_METHOD[language_key(language)].get(method, method)


def status_label(status: str | None, language: str | None) -> str:
    if not status:
        return ""
    return STATUS_AND_ACTION[language_key(language)].get(f"status.{status}", status)


def action_label(action: str, language: str | None) -> str:
    """A lifecycle action, or another kind of history event."""
    key = language_key(language)
    return STATUS_AND_ACTION[key].get(f"action.{action}") or EVENT[key].get(action, action)


def source_label(source: str | None, language: str | None) -> str:
    if not source:
        return ""
    return SOURCE[language_key(language)].get(source, source)


def carrier_label(kind: str | None, language: str | None) -> str:
    """A carrier by its name, or the shop's own shipper."""
    if kind == "individual":
        return INDIVIDUAL[language_key(language)]
    return carrier_name(kind)


def field_label(name: str, language: str | None) -> str:
    return FIELD[language_key(language)].get(name, name)


def field_list(names: object, language: str | None) -> str:
    """`số điện thoại, địa chỉ`: each name once, in the order given."""
    if not isinstance(names, list | tuple):
        names = [names]
    labels = dict.fromkeys(field_label(str(name), language) for name in names)
    return ", ".join(labels)
