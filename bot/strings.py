"""Every word the bot shows staff, Vietnamese and English, in one table.

Kept like `render/strings.py`: one table per language with the same keys, so a string added in
one language and forgotten in the other fails a test instead of showing a raw key in the chat.
Values may hold `str.format` fields (`{count}`); both languages must use the same ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

DEFAULT_LANGUAGE: Final = "vi"

STRINGS: Final[Mapping[str, Mapping[str, str]]] = {
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
        "tab.all": "Tất cả",
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
        # editable fields
        "field.items": "Sản phẩm",
        "field.name": "Tên khách",
        "field.phone": "Số điện thoại",
        "field.address": "Địa chỉ",
        "field.note": "Ghi chú",
        "field.cod": "Thu hộ (COD)",
        "field.shipping_fee": "Phí vận chuyển",
        # carriers
        "carrier.individual": "Shipper riêng",
        "ship.ask_individual": "Shipper riêng (nhập tên, SĐT)",
        "ship.no_quote": "chưa có giá",
        # card
        "card.order": "Đơn",
        "card.buyer": "Khách",
        "card.phone": "SĐT",
        "card.address": "Địa chỉ",
        "card.missing": "(chưa có)",
        "card.lines": "Sản phẩm",
        "card.no_lines": "(Chưa có sản phẩm)",
        "card.unknown_code": "MÃ KHÔNG CÓ TRONG PHIÊN, chọn sản phẩm",
        "card.waitlisted": "CHỜ HÀNG (hết hàng)",
        "card.needs_review": "cần kiểm tra",
        "card.more_lines": "… và {count} dòng nữa",
        "card.subtotal": "Tạm tính",
        "card.shipping_fee": "Phí vận chuyển",
        "card.total": "Tổng cộng",
        "card.cod": "Thu hộ (COD)",
        "card.prepaid": "Đã thanh toán trước (không thu hộ)",
        "card.shipper": "Vận chuyển",
        "card.tracking": "Mã vận đơn",
        "card.carrier_status": "Trạng thái hãng",
        "card.requesting": "Đang chờ đơn vị vận chuyển nhận đơn",
        "card.cancelling": "Đang hủy vận đơn với đơn vị vận chuyển",
        "card.refused": "Đơn vị vận chuyển từ chối",
        "card.manual_override": "Đã đổi trạng thái tay: không theo dõi hãng vận chuyển nữa",
        "card.risky": "Cảnh báo: khách có {count} đơn giao thất bại hoặc bị hoàn",
        "card.live": "Live",
        "card.first_comment": "Bình luận đầu",
        "card.staff": "Nhân viên",
        "card.no_staff": "Chưa ai nhận",
        "card.note": "Ghi chú",
        "card.created": "Tạo lúc",
        # menus and lists
        "menu.back": "« Quay lại",
        "menu.close": "Đóng",
        "menu.ship_title": "Chọn đơn vị vận chuyển",
        "menu.edit_title": "Sửa thông tin nào?",
        "menu.fix_title": "Chọn mã đúng cho dòng này",
        "list.previous": "‹ Trước",
        "list.next": "Sau ›",
        "list.empty": "Không có đơn nào",
        "digest.title": "{count} đơn nháp mới: bấm để mở thẻ",
        # alerts (answerCallbackQuery, at most 200 characters)
        "alert.stale": "Đơn đã thay đổi, đã cập nhật lại thẻ",
        "alert.not_staff": "Chỉ nhân viên mới thao tác được",
        "alert.not_allowed": "Không thể {action} khi đơn ở trạng thái {status}",
        "alert.bad_button": "Nút này không còn dùng được",
        "alert.not_found": "Không tìm thấy đơn",
        "alert.done": "Đã xong",
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
        "tab.all": "All",
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
        "field.items": "Items",
        "field.name": "Name",
        "field.phone": "Phone",
        "field.address": "Address",
        "field.note": "Note",
        "field.cod": "COD",
        "field.shipping_fee": "Shipping fee",
        "carrier.individual": "Individual shipper",
        "ship.ask_individual": "Individual shipper (enter name, phone)",
        "ship.no_quote": "no quote",
        "card.order": "Order",
        "card.buyer": "Buyer",
        "card.phone": "Phone",
        "card.address": "Address",
        "card.missing": "(missing)",
        "card.lines": "Items",
        "card.no_lines": "(No items yet)",
        "card.unknown_code": "CODE NOT IN THIS LIVE, pick the item",
        "card.waitlisted": "WAITLISTED (out of stock)",
        "card.needs_review": "check this",
        "card.more_lines": "… and {count} more lines",
        "card.subtotal": "Subtotal",
        "card.shipping_fee": "Shipping fee",
        "card.total": "Total",
        "card.cod": "COD",
        "card.prepaid": "Prepaid (nothing to collect)",
        "card.shipper": "Shipper",
        "card.tracking": "Tracking code",
        "card.carrier_status": "Carrier status",
        "card.requesting": "Waiting for the carrier to accept",
        "card.cancelling": "Cancelling the shipment with the carrier",
        "card.refused": "The carrier refused",
        "card.manual_override": "Status changed by hand: no longer following the carrier",
        "card.risky": "Warning: this buyer has {count} failed or returned deliveries",
        "card.live": "Live",
        "card.first_comment": "First comment",
        "card.staff": "Staff",
        "card.no_staff": "Not claimed",
        "card.note": "Note",
        "card.created": "Created",
        "menu.back": "« Back",
        "menu.close": "Close",
        "menu.ship_title": "Choose a carrier",
        "menu.edit_title": "Edit which field?",
        "menu.fix_title": "Pick the right code for this line",
        "list.previous": "‹ Previous",
        "list.next": "Next ›",
        "list.empty": "No orders",
        "digest.title": "{count} new drafts: tap one to open its card",
        "alert.stale": "The order changed; the card is updated",
        "alert.not_staff": "Only staff can do this",
        "alert.not_allowed": "Cannot {action} while the order is {status}",
        "alert.bad_button": "This button no longer works",
        "alert.not_found": "Order not found",
        "alert.done": "Done",
    },
}


def language_key(language: str | None) -> str:
    """`en-US`, `EN` and `en_GB` count as English; anything we do not translate is Vietnamese,
    the language of the shops."""
    key = (language or "").strip().lower().split("-")[0].split("_")[0]
    return key if key in STRINGS else DEFAULT_LANGUAGE


def strings(language: str | None) -> Mapping[str, str]:
    """The string table for `language` (see `language_key`)."""
    return STRINGS[language_key(language)]


def text(language: str | None, key: str, **values: object) -> str:
    """One string, with its `{fields}` filled in."""
    template = strings(language)[key]
    return template.format(**values) if values else template
