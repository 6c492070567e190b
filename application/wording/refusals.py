"""A domain refusal (`orders.errors.Reason` and its params) in the shop's language.

One template per reason per language, filled by `describe`. A param is rendered by its name
before it goes into a template: a field, a status, an action or a list of actions by their
labels, `missing` by the `NEEDS` phrases, amounts grouped by thousands, other lists joined, so a
template stays one plain sentence. `tests/unit/test_refusal_wording.py` proves every reason has a
template in every language that formats with exactly the params the raise sites give.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from typing import Final, Protocol

from application.wording.labels import (
    action_label,
    carrier_label,
    field_label,
    payment_label,
    payment_state_label,
    status_label,
)
from application.wording.languages import group_thousands, language_key
from orders.errors import Param, Reason

log = logging.getLogger(__name__)

R = Reason

TEMPLATES: Final[Mapping[str, Mapping[Reason, str]]] = {
    "vi": {
        R.NO_ORDER: "Không có đơn {order}.",
        R.NO_LIVE_SESSION: "Không có phiên live nào cho video {video_id}.",
        R.UNKNOWN_TELEGRAM_ID: "Không có nhân viên nào có Telegram id {telegram_id}.",
        R.NO_STAFF: "Không có nhân viên {staff}.",
        R.NO_CUSTOMER: "Không có khách {customer}.",
        R.UNKNOWN_ACTION: "Không có thao tác '{given}'; các thao tác: {known}.",
        R.STATUS_FORBIDS: (
            "Đơn {order} đang ở trạng thái {status}: không thể “{action}” lúc này "
            "(có thể: {allowed})."
        ),
        R.VERSION_NEEDED: "Hãy cho biết phiên bản đơn bạn đã xem (trường 'version').",
        R.STALE_VERSION: (
            "Đơn {order} vừa được thay đổi: giờ đang ở trạng thái {status} (phiên bản "
            "{version}, bạn đã xem phiên bản {seen}). Tải lại rồi thử lại."
        ),
        R.INCOMPLETE: "Đơn {order} chưa đi tiếp được: còn thiếu {missing}.",
        R.EMPTY_EDIT: "Chưa có gì để sửa: hãy đổi ít nhất một mục.",
        R.CARRIER_REQUESTING: (
            "Đơn {order}: đang chờ {carrier} nhận đơn, hãy đợi hãng trả lời. Hủy đơn nếu muốn dừng."
        ),
        R.CARRIER_CANCELLING: "Đơn {order}: {carrier} đang hủy vận đơn, hãy đợi hãng trả lời.",
        R.NOT_AWAITING_SHIPMENT: "Đơn {order} không chờ tạo vận đơn (đang {status}).",
        R.UNKNOWN_CARRIER: "Hãy chọn một đơn vị vận chuyển: {known}.",
        R.SHIPPER_NEEDED: "Shipper riêng cần có tên và số điện thoại Việt Nam.",
        R.OUT_OF_STOCK: "Không đủ hàng {name} ({sku}): cần {wanted}, còn {left}.",
        R.RISKY_BUYER: (
            "Khách của đơn {order} bị gắn cờ{flag_reason}. Vẫn “{action}”? Hãy xác nhận trước."
        ),
        R.AWAITING_PAYMENT: (
            "Đơn {order} ({method}) chưa nhận đủ tiền: còn chờ chuyển khoản {asked} ₫ "
            "(đã nhận {paid} ₫). Vẫn giao hàng? Hãy xác nhận trước."
        ),
        R.UNKNOWN_PAYMENT_METHOD: "Không có cách thanh toán '{given}'; các cách: {known}.",
        R.DEPOSIT_NEEDED: "Đơn đặt cọc cần số tiền cọc lớn hơn 0.",
        R.DEPOSIT_TOO_LARGE: "Tiền cọc {deposit} ₫ lớn hơn tổng đơn {total} ₫.",
        R.PAYMENT_NEEDED: "Hãy cho biết số tiền đã nhận (lớn hơn 0).",
        R.NO_PAYMENT: "Không có giao dịch {payment}.",
        R.PAYMENT_SETTLED: (
            "Giao dịch {payment} đã được xử lý ({state}) nên không gắn lại vào đơn nào."
        ),
        R.QUOTE_FAILED: "Đơn {order}: {carrier} không báo được giá ({said}), chưa gửi đơn.",
        R.NO_SERVICE: (
            "Đơn {order}: {carrier} không có dịch vụ {service} cho đơn này (có: {offered})."
        ),
        R.OUT_OF_RANGE: "{Field} phải từ {low} đến {high}.",
        R.DISCOUNT_TOO_LARGE: (
            "Giảm giá {discount} ₫ lớn hơn tiền hàng {subtotal} ₫: giảm tối đa bằng tiền hàng."
        ),
        R.TOO_LONG: "{Field} dài quá: tối đa {limit} ký tự.",
        R.BAD_CHARACTERS: "{Field} có ký tự không lưu được.",
        R.BAD_PHONE: "'{typed}' không phải số điện thoại Việt Nam (ví dụ 0912345678).",
        R.NOT_TEXT: "{Field} phải là chữ (một chuỗi văn bản).",
        R.NOT_BOOLEAN: "{Field} phải là true hoặc false.",
        R.UNKNOWN_SKU: "Không có sản phẩm nào trong danh mục có SKU {skus}.",
        R.UNKNOWN_CODE: "Không có sản phẩm nào trong danh mục có mã {code}.",
        R.UNKNOWN_STATUS: "Không có trạng thái '{given}'; các trạng thái: {known}.",
        R.UNKNOWN_PLATFORM: "Không có nền tảng '{given}'; các nền tảng: {known}.",
        R.NO_PROVINCE: (
            "Địa chỉ cần có tỉnh/thành ở cuối, ví dụ: 12 Lý Thường Kiệt, Phường Cửa Nam, Hà Nội."
        ),
        R.NO_WARD: "Không tìm thấy phường/xã nào của {province} trong địa chỉ.{near}",
        R.NO_STREET: "Cần số nhà và tên đường trước phường/xã.",
        R.BAD_ROLE: "Vai trò phải là quản lý, thu ngân hoặc bán hàng, không phải '{given}'.",
        R.NAME_NEEDED: "Nhân viên cần có tên.",
        R.LAST_MANAGER: "{name} là quản lý duy nhất: hãy thêm một quản lý khác trước.",
        R.CSV_COLUMNS_MISSING: "Tệp CSV thiếu cột {columns}.",
        R.CSV_SKU_AND_NAME_NEEDED: "Dòng {line}: cần có sku và name.",
        R.CSV_BAD_NUMBER: "Dòng {line}: {column} phải là số nguyên ≥ 0, không phải '{given}'.",
        R.CSV_CODE_TAKEN: "Dòng {line}: mã {code} đã được gán cho {sku}.",
        R.SKU_TWICE: "SKU {sku} xuất hiện hai lần.",
        R.ITEM_VALUE_TOO_LONG: "Cột {column} của {sku} dài quá: tối đa {limit} ký tự.",
        R.ITEM_NUMBER_TOO_LARGE: "Một con số của {sku} lớn quá.",
        R.IMPORT_CLASH: "Cơ sở dữ liệu từ chối các dòng này (trùng SKU hoặc mã).",
        R.BAD_CODE_SPEC: (
            "'{given}' không đúng dạng MÃ=SKU (ví dụ A1=AO-THUN-TRANG hoặc A1=AO-1:20)."
        ),
        R.BAD_CAP: "Giới hạn trong '{given}' phải là một số nguyên.",
        R.BAD_SHORT_CODE: "'{given}' không phải mã ngắn (chữ rồi số, ví dụ A1).",
        R.BAD_VIDEO_ID: "Video id dài từ 1 đến 64 ký tự.",
        R.DEFAULT_CODE_UNKNOWN: "Mã mặc định {code} không có trong bảng mã của phiên live.",
    },
    "en": {
        R.NO_ORDER: "There is no order {order}.",
        R.NO_LIVE_SESSION: "There is no live session for video {video_id}.",
        R.UNKNOWN_TELEGRAM_ID: "No staff member has Telegram id {telegram_id}.",
        R.NO_STAFF: "There is no staff member {staff}.",
        R.NO_CUSTOMER: "There is no customer {customer}.",
        R.UNKNOWN_ACTION: "Unknown action '{given}'; known actions: {known}.",
        R.STATUS_FORBIDS: (
            "Order {order} is {status}; “{action}” is not possible now (possible: {allowed})."
        ),
        R.VERSION_NEEDED: "Say which version of the order you saw (field 'version').",
        R.STALE_VERSION: (
            "Order {order} changed since you saw it: it is now {status} (version {version}, "
            "you had {seen}). Reload and try again."
        ),
        R.INCOMPLETE: "Order {order} cannot go on yet: it needs {missing}.",
        R.EMPTY_EDIT: "An edit needs at least one field to change.",
        R.CARRIER_REQUESTING: (
            "Order {order}: {carrier} is creating a shipment; wait for its answer. "
            "Cancel the order to stop it."
        ),
        R.CARRIER_CANCELLING: (
            "Order {order}: {carrier} is cancelling the shipment; wait for its answer."
        ),
        R.NOT_AWAITING_SHIPMENT: "Order {order} is not waiting for a shipment (it is {status}).",
        R.UNKNOWN_CARRIER: "Ship with one of {known}.",
        R.SHIPPER_NEEDED: "An individual shipper needs a name and a Vietnamese phone number.",
        R.OUT_OF_STOCK: "Not enough stock of {name} ({sku}): {wanted} wanted, {left} left.",
        R.RISKY_BUYER: (
            "The buyer of order {order} is flagged{flag_reason}. “{action}” anyway? "
            "Confirm it first."
        ),
        R.AWAITING_PAYMENT: (
            "Order {order} ({method}) is not paid yet: {asked} VND by transfer still awaited "
            "({paid} VND received). Ship anyway? Confirm it first."
        ),
        R.UNKNOWN_PAYMENT_METHOD: "There is no payment method '{given}'; use one of {known}.",
        R.DEPOSIT_NEEDED: "A deposit order needs a deposit above 0.",
        R.DEPOSIT_TOO_LARGE: "A deposit of {deposit} VND is more than the order's {total} VND.",
        R.PAYMENT_NEEDED: "Give the amount received (above 0).",
        R.NO_PAYMENT: "There is no payment {payment}.",
        R.PAYMENT_SETTLED: (
            "Payment {payment} was already dealt with ({state}); it is not attached again."
        ),
        R.QUOTE_FAILED: "Order {order}: {carrier} gave no price ({said}); not shipped.",
        R.NO_SERVICE: (
            "Order {order}: {carrier} offers no service {service} for it (offered: {offered})."
        ),
        R.OUT_OF_RANGE: "{Field} must be between {low} and {high}.",
        R.DISCOUNT_TOO_LARGE: (
            "A discount of {discount} VND is more than the items' {subtotal} VND: "
            "at most the items' sum."
        ),
        R.TOO_LONG: "{Field} is longer than {limit} characters.",
        R.BAD_CHARACTERS: "{Field} contains characters that cannot be stored.",
        R.BAD_PHONE: "'{typed}' is not a Vietnamese phone number (e.g. 0912345678).",
        R.NOT_TEXT: "{Field} must be text (a string).",
        R.NOT_BOOLEAN: "{Field} must be true or false.",
        R.UNKNOWN_SKU: "No item in the catalog has SKU {skus}.",
        R.UNKNOWN_CODE: "No item in the catalog has code {code}.",
        R.UNKNOWN_STATUS: "Unknown status '{given}'; known: {known}.",
        R.UNKNOWN_PLATFORM: "Unknown platform '{given}'; known: {known}.",
        R.NO_PROVINCE: (
            "The address must end with the province or city, e.g. "
            "12 Lý Thường Kiệt, Phường Cửa Nam, Hà Nội."
        ),
        R.NO_WARD: "No ward of {province} found in the address.{near}",
        R.NO_STREET: "Add the house number and street before the ward.",
        R.BAD_ROLE: "Role must be manager, cashier or sales, not '{given}'.",
        R.NAME_NEEDED: "A staff member needs a name.",
        R.LAST_MANAGER: "{name} is the only manager: add another manager first.",
        R.CSV_COLUMNS_MISSING: "The CSV lacks the column(s) {columns}.",
        R.CSV_SKU_AND_NAME_NEEDED: "Line {line}: sku and name are required.",
        R.CSV_BAD_NUMBER: "Line {line}: {column} must be a whole number ≥ 0, not '{given}'.",
        R.CSV_CODE_TAKEN: "Line {line}: code {code} is also given to {sku}.",
        R.SKU_TWICE: "SKU {sku} is given twice.",
        R.ITEM_VALUE_TOO_LONG: "The {column} of {sku} is longer than {limit} characters.",
        R.ITEM_NUMBER_TOO_LARGE: "A number of {sku} is too large.",
        R.IMPORT_CLASH: "The database refused the rows (a SKU or code clash).",
        R.BAD_CODE_SPEC: "'{given}' is not CODE=SKU (e.g. A1=AO-THUN-TRANG or A1=AO-1:20).",
        R.BAD_CAP: "The cap in '{given}' must be a whole number of units.",
        R.BAD_SHORT_CODE: "'{given}' is not a short code (letters then digits, e.g. A1).",
        R.BAD_VIDEO_ID: "The video id must be 1 to 64 characters.",
        R.DEFAULT_CODE_UNKNOWN: "The default code {code} is not in this live's code table.",
    },
}

# What an order lacks before it leaves draft (`missing` of `incomplete`), as a list names it.
NEEDS: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "lines": "ít nhất một sản phẩm",
        "item": "sản phẩm cho mã {codes}",
        "waitlist_decision": "quyết định cho dòng chờ hàng {waitlisted}",
        "name": "tên khách",
        "phone": "số điện thoại khách",
        "address": "địa chỉ khách (số nhà, phường/xã, tỉnh/thành)",
    },
    "en": {
        "lines": "at least one line",
        "item": "an item for code {codes}",
        "waitlist_decision": "a decision on the waitlisted line {waitlisted}",
        "name": "the buyer's name",
        "phone": "the buyer's phone",
        "address": "the buyer's address (street, ward and province)",
    },
}

# Small pieces some templates add: `near` of `no_ward`, and an empty list of actions.
PIECES: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {"near": " Có phải: {names}?", "nothing": "không có"},
    "en": {"near": " Did you mean: {names}?", "nothing": "nothing"},
}

# Refusals the class alone describes, for a template that cannot be filled (a bug, logged).
FALLBACK: Final[Mapping[str, str]] = {
    "vi": "Không làm được việc này ({reason}).",
    "en": "This cannot be done ({reason}).",
}

NUMBERS: Final = frozenset(
    {
        "low",
        "high",
        "limit",
        "wanted",
        "left",
        "discount",
        "subtotal",
        "asked",
        "paid",
        "deposit",
        "total",
    }
)


class Described(Protocol):
    """An `OrderError` or an `orders.errors.Refusal`."""

    @property
    def reason(self) -> Reason: ...

    @property
    def params(self) -> Mapping[str, Param]: ...


def describe(refusal: Described, language: str | None) -> str:
    """The refusal as one sentence in `language` (see `languages.language_key`)."""
    key = language_key(language)
    template = TEMPLATES[key].get(refusal.reason)
    try:
        if template is None:
            raise KeyError(refusal.reason)
        return template.format_map(_rendered(refusal.params, key))
    except (KeyError, IndexError, ValueError):
        log.error("refusal %s has no template that fits %s", refusal.reason, dict(refusal.params))
        return FALLBACK[key].format(reason=refusal.reason)


def template_fields(template: str) -> set[str]:
    """The `{names}` a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _rendered(params: Mapping[str, Param], language: str) -> dict[str, str]:
    words = {name: _render(name, value, params, language) for name, value in params.items()}
    if "field" in words:
        words["Field"] = words["field"][:1].upper() + words["field"][1:]
    return words


def _render(name: str, value: Param, params: Mapping[str, Param], language: str) -> str:
    if name == "field":
        return field_label(str(value), language)
    if name == "status":
        return status_label(str(value), language)
    if name == "action":
        return action_label(str(value), language)
    if name == "state" and "payment" in params:
        return payment_state_label(str(value), language)
    if name == "method":
        return payment_label(str(value), language)
    if name == "allowed":
        names = value if isinstance(value, list) else []
        allowed = ", ".join(f"“{action_label(str(a), language)}”" for a in names)
        return allowed or PIECES[language]["nothing"]
    if name == "missing":
        return _missing(value, params, language)
    if name == "flag_reason":
        return f": {value}" if value else ""
    if name == "near":
        near = value if isinstance(value, list) else []
        return PIECES[language]["near"].format(names=_joined(near)) if near else ""
    if name == "carrier":
        return carrier_label(str(value), language) if value else "?"
    if name == "known" and params.get("field") == "carrier" and isinstance(value, list):
        return ", ".join(carrier_label(str(kind), language) for kind in value)
    if name in NUMBERS and isinstance(value, int) and not isinstance(value, bool):
        return group_thousands(value, language)
    if isinstance(value, list):
        return _joined(value)
    return "" if value is None else str(value)


def _missing(value: Param, params: Mapping[str, Param], language: str) -> str:
    names = value if isinstance(value, list) else []
    lists = {key: _joined(params.get(key)) for key in ("codes", "waitlisted")}
    table = NEEDS[language]
    return ", ".join(table[str(n)].format(**lists) if n in table else str(n) for n in names)


def _joined(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)
