"""Words of the Messenger side: what staff read about a buyer's confirmation and messages
(Vietnamese and English, same keys), and what the service writes to buyers (Vietnamese only:
it is written to the shop's customers, whatever language the staff use).

`tests/unit/test_messenger_wording.py` proves both staff tables have the same keys and the
same `{fields}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from application.wording.languages import language_key

# An order's `buyer_confirmation`, as the card, the order page and the list show it.
CONFIRMATION: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "awaiting": "⏳ Chờ khách xác nhận",
        "confirmed": "✅ Khách đã xác nhận qua Messenger",
        "declined": "❌ Khách huỷ qua Messenger",
    },
    "en": {
        "awaiting": "⏳ Waiting for the buyer to confirm",
        "confirmed": "✅ The buyer confirmed in Messenger",
        "declined": "❌ The buyer cancelled in Messenger",
    },
}
CONFIRMATIONS: Final = ("awaiting", "confirmed", "declined")

# The staff pages' words for the messages screen and the confirmation filter.
PAGES: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "nav.messages": "Tin nhắn",
        "messages.title": "Tin nhắn của khách (Messenger)",
        "messages.all": "Tất cả",
        "messages.only_unlinked": "Chưa gắn khách",
        "messages.empty": "Chưa có tin nhắn nào",
        "messages.unlinked": "Chưa biết là khách nào",
        "messages.customer": "Khách #{id}",
        "messages.sender": "Người gửi",
        "messages.at": "Lúc",
        "messages.text": "Nội dung",
        "messages.outcome": "Kết quả",
        "messages.reply": "Đã trả lời",
        "messages.attach": "Gắn vào khách",
        "messages.attach_label": "Mã khách hoặc SĐT",
        "messages.attached": "Đã gắn người gửi vào khách #{id}: tin nhắn sau sẽ tự áp dụng.",
        "messages.no_customer": "Không tìm thấy khách “{given}”.",
        "messages.no_message": "Không có tin nhắn này.",
        "messages.taken": "Người gửi này đã được gắn với khách #{id}.",
        "list.all_confirmations": "Mọi trạng thái xác nhận",
        "list.confirmation": "Khách xác nhận",
        "outcome.filled": "Đã điền vào đơn",
        "outcome.confirmed": "Khách xác nhận đơn",
        "outcome.declined": "Khách huỷ đơn",
        "outcome.refused": "Không áp dụng được",
        "outcome.nothing": "Không có gì để áp dụng",
        "outcome.no_draft": "Khách không có đơn nháp",
        "outcome.unlinked": "Chưa gắn khách",
    },
    "en": {
        "nav.messages": "Messages",
        "messages.title": "Buyers' messages (Messenger)",
        "messages.all": "All",
        "messages.only_unlinked": "Not linked",
        "messages.empty": "No messages yet",
        "messages.unlinked": "Unknown sender",
        "messages.customer": "Customer #{id}",
        "messages.sender": "Sender",
        "messages.at": "At",
        "messages.text": "Text",
        "messages.outcome": "Outcome",
        "messages.reply": "Answered",
        "messages.attach": "Attach to customer",
        "messages.attach_label": "Customer id or phone",
        "messages.attached": "Sender attached to customer #{id}: later messages apply.",
        "messages.no_customer": "No customer “{given}”.",
        "messages.no_message": "No such message.",
        "messages.taken": "This sender is already linked to customer #{id}.",
        "list.all_confirmations": "Any confirmation",
        "list.confirmation": "Buyer confirmation",
        "outcome.filled": "Filled in the order",
        "outcome.confirmed": "Buyer confirmed",
        "outcome.declined": "Buyer cancelled",
        "outcome.refused": "Could not apply",
        "outcome.nothing": "Nothing to apply",
        "outcome.no_draft": "No open draft",
        "outcome.unlinked": "Not linked",
    },
}


def confirmation_label(value: str | None, language: str | None) -> str:
    """Empty for an order nobody asked the buyer about."""
    if not value:
        return ""
    return CONFIRMATION[language_key(language)].get(value, value)


def page_words(language: str | None) -> Mapping[str, str]:
    return PAGES[language_key(language)]


# -- to buyers, in Vietnamese --------------------------------------------------------------

CONFIRM_TITLE: Final = "Xác nhận đơn"  # quick reply titles: at most 20 characters
CANCEL_TITLE: Final = "Huỷ đơn"

BUYER: Final[Mapping[str, str]] = {
    "missing.phone": "số điện thoại",
    "missing.address": "địa chỉ nhận hàng",
    "ask": "Bạn nhắn giúp shop {missing} nhé!",
    "tap": "Bạn bấm “Xác nhận đơn” để chốt hoặc “Huỷ đơn” nếu đổi ý nhé.",
    "got.phone": "số điện thoại {phone}",
    "got.address": "địa chỉ “{address}”",
    "filled": "Shop đã ghi {got} vào đơn {code}.",
    "kept": "Đơn {code} đã có {fields} nên shop giữ nguyên; cần đổi thì bạn nhắn shop nhé.",
    "complete": "Đơn {code} đã đủ thông tin giao hàng.",
    "no_details": "Shop đã nhận tin nhắn của bạn về đơn {code}.",
    "no_draft": "Shop đã nhận tin nhắn của bạn, nhân viên sẽ trả lời bạn sớm nhé.",
    "confirmed": "Cảm ơn bạn đã xác nhận đơn {code}! Shop sẽ gửi hàng sớm.",
    "confirmed_transfer": (
        "Cảm ơn bạn đã xác nhận đơn {code}! Shop sẽ gửi hàng khi nhận được tiền chuyển khoản."
    ),
    "confirmed_deposit": (
        "Cảm ơn bạn đã xác nhận đơn {code}! Shop sẽ gửi hàng khi nhận được tiền cọc."
    ),
    "transfer": (
        "Bạn chuyển khoản {amount} vào tài khoản {account}{holder}, ngân hàng mã BIN {bin}, "
        "nội dung “{memo}”. Bạn giữ nguyên nội dung này để shop nhận ra đơn nhé."
    ),
    "transfer.deposit": (
        "Bạn chuyển khoản tiền cọc {amount} vào tài khoản {account}{holder}, ngân hàng mã BIN "
        "{bin}, nội dung “{memo}”. Bạn giữ nguyên nội dung này để shop nhận ra đơn nhé."
    ),
    "transfer.holder": " (chủ tài khoản {name})",
    "transfer.qr": "Mã QR ở tin nhắn tiếp theo: quét bằng ứng dụng ngân hàng là điền sẵn.",
    "already_confirmed": "Đơn {code} đã được xác nhận rồi, bạn yên tâm nhé.",
    "declined": "Shop đã huỷ đơn {code} theo yêu cầu của bạn.",
    "already_cancelled": "Đơn {code} đã được huỷ rồi.",
    "not_yours": "Shop không tìm thấy đơn {code} của bạn. Bạn nhắn shop để được hỗ trợ nhé.",
    "cannot_confirm": "Đơn {code} hiện không thể xác nhận qua tin nhắn. Bạn nhắn shop nhé.",
    "cannot_cancel": (
        "Đơn {code} shop đã xử lý nên không huỷ qua tin nhắn được. Bạn nhắn shop để được hỗ "
        "trợ nhé."
    ),
    "not_saved": (
        "Shop chưa ghi được thông tin bạn gửi, nhân viên sẽ kiểm tra và trả lời bạn sớm nhé."
    ),
}


def buyer_text(key: str, **values: object) -> str:
    template = BUYER[key]
    return template.format(**values) if values else template


def missing_phrase(missing: Sequence[str]) -> str:
    """`số điện thoại và địa chỉ nhận hàng`."""
    words = [BUYER[f"missing.{name}"] for name in missing]
    return " và ".join(words)
