"""Refusals the domain raises: a machine code (`Reason`) with parameters, never a sentence.

Words belong to the interfaces: `application.wording.refusals.describe` turns a refusal into
the shop's language, the JSON API returns the code and `params` as they are. The class says how
bad it is (the HTTP status and the API's `error` code: not found, invalid input, not allowed...);
`reason` says exactly what, and `PARAMS` says which values each reason carries, so a template
can never ask for a value a raise site does not give (`tests/unit/test_refusal_wording.py` walks
every raise site).

A param named `field` is the input the refusal is about (a page shows the refusal beside it);
`order` is the order's code, `status` and `action` the lifecycle's machine names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final


class Reason(StrEnum):
    # finding things
    NO_ORDER = "no_order"
    NO_LIVE_SESSION = "no_live_session"
    UNKNOWN_TELEGRAM_ID = "unknown_telegram_id"
    NO_STAFF = "no_staff"
    NO_CUSTOMER = "no_customer"
    # the lifecycle
    UNKNOWN_ACTION = "unknown_action"
    STATUS_FORBIDS = "status_forbids"
    VERSION_NEEDED = "version_needed"
    STALE_VERSION = "stale_version"
    INCOMPLETE = "incomplete"
    EMPTY_EDIT = "empty_edit"
    CARRIER_REQUESTING = "carrier_requesting"
    CARRIER_CANCELLING = "carrier_cancelling"
    NOT_AWAITING_SHIPMENT = "not_awaiting_shipment"
    UNKNOWN_CARRIER = "unknown_carrier"
    SHIPPER_NEEDED = "shipper_needed"
    OUT_OF_STOCK = "out_of_stock"
    RISKY_BUYER = "risky_buyer"
    AWAITING_PAYMENT = "awaiting_payment"
    UNKNOWN_PAYMENT_METHOD = "unknown_payment_method"
    DEPOSIT_NEEDED = "deposit_needed"
    DEPOSIT_TOO_LARGE = "deposit_too_large"
    PAYMENT_NEEDED = "payment_needed"
    NO_PAYMENT = "no_payment"
    PAYMENT_SETTLED = "payment_settled"
    QUOTE_FAILED = "quote_failed"
    NO_SERVICE = "no_service"
    # values typed on an order
    OUT_OF_RANGE = "out_of_range"
    DISCOUNT_TOO_LARGE = "discount_too_large"
    TOO_LONG = "too_long"
    BAD_CHARACTERS = "bad_characters"
    BAD_PHONE = "bad_phone"
    NOT_TEXT = "not_text"
    NOT_BOOLEAN = "not_boolean"
    UNKNOWN_SKU = "unknown_sku"
    UNKNOWN_CODE = "unknown_code"
    UNKNOWN_STATUS = "unknown_status"
    UNKNOWN_PLATFORM = "unknown_platform"
    NO_PROVINCE = "no_province"
    NO_WARD = "no_ward"
    NO_STREET = "no_street"
    # staff
    BAD_ROLE = "bad_role"
    NAME_NEEDED = "name_needed"
    LAST_MANAGER = "last_manager"
    # the catalog and its CSV import
    CSV_COLUMNS_MISSING = "csv_columns_missing"
    CSV_SKU_AND_NAME_NEEDED = "csv_sku_and_name_needed"
    CSV_BAD_NUMBER = "csv_bad_number"
    CSV_CODE_TAKEN = "csv_code_taken"
    SKU_TWICE = "sku_twice"
    ITEM_VALUE_TOO_LONG = "item_value_too_long"
    ITEM_NUMBER_TOO_LARGE = "item_number_too_large"
    IMPORT_CLASH = "import_clash"
    # live sessions
    BAD_CODE_SPEC = "bad_code_spec"
    BAD_CAP = "bad_cap"
    BAD_SHORT_CODE = "bad_short_code"
    BAD_VIDEO_ID = "bad_video_id"
    DEFAULT_CODE_UNKNOWN = "default_code_unknown"


# The values each reason carries: every raise site gives exactly these, every template may use
# them. `missing` (of `incomplete`) holds names from `NEEDS`.
PARAMS: Final[Mapping[Reason, tuple[str, ...]]] = {
    Reason.NO_ORDER: ("order",),
    Reason.NO_LIVE_SESSION: ("video_id",),
    Reason.UNKNOWN_TELEGRAM_ID: ("telegram_id",),
    Reason.NO_STAFF: ("field", "staff"),
    Reason.NO_CUSTOMER: ("customer",),
    Reason.UNKNOWN_ACTION: ("given", "known"),
    Reason.STATUS_FORBIDS: ("order", "status", "action", "allowed"),
    Reason.VERSION_NEEDED: ("field",),
    Reason.STALE_VERSION: ("order", "status", "version", "seen"),
    Reason.INCOMPLETE: ("order", "missing", "codes", "waitlisted"),
    Reason.EMPTY_EDIT: (),
    Reason.CARRIER_REQUESTING: ("order", "status", "carrier"),
    Reason.CARRIER_CANCELLING: ("order", "status", "carrier"),
    Reason.NOT_AWAITING_SHIPMENT: ("order", "status"),
    Reason.UNKNOWN_CARRIER: ("field", "given", "known"),
    Reason.SHIPPER_NEEDED: ("field",),
    Reason.OUT_OF_STOCK: ("sku", "name", "wanted", "left"),
    Reason.RISKY_BUYER: ("order", "action", "customer", "flag_reason"),
    Reason.AWAITING_PAYMENT: ("order", "method", "asked", "paid"),
    Reason.UNKNOWN_PAYMENT_METHOD: ("field", "given", "known"),
    Reason.DEPOSIT_NEEDED: ("field",),
    Reason.DEPOSIT_TOO_LARGE: ("field", "deposit", "total"),
    Reason.PAYMENT_NEEDED: ("field",),
    Reason.NO_PAYMENT: ("payment",),
    Reason.PAYMENT_SETTLED: ("payment", "state"),
    Reason.QUOTE_FAILED: ("order", "carrier", "said"),
    Reason.NO_SERVICE: ("order", "carrier", "service", "offered"),
    Reason.OUT_OF_RANGE: ("field", "low", "high"),
    Reason.DISCOUNT_TOO_LARGE: ("field", "discount", "subtotal"),
    Reason.TOO_LONG: ("field", "limit"),
    Reason.BAD_CHARACTERS: ("field",),
    Reason.BAD_PHONE: ("field", "typed"),
    Reason.NOT_TEXT: ("field",),
    Reason.NOT_BOOLEAN: ("field",),
    Reason.UNKNOWN_SKU: ("field", "skus"),
    Reason.UNKNOWN_CODE: ("field", "code"),
    Reason.UNKNOWN_STATUS: ("field", "given", "known"),
    Reason.UNKNOWN_PLATFORM: ("field", "given", "known"),
    Reason.NO_PROVINCE: ("field",),
    Reason.NO_WARD: ("field", "province", "near"),
    Reason.NO_STREET: ("field",),
    Reason.BAD_ROLE: ("field", "given"),
    Reason.NAME_NEEDED: ("field",),
    Reason.LAST_MANAGER: ("name",),
    Reason.CSV_COLUMNS_MISSING: ("columns",),
    Reason.CSV_SKU_AND_NAME_NEEDED: ("line",),
    Reason.CSV_BAD_NUMBER: ("line", "column", "given"),
    Reason.CSV_CODE_TAKEN: ("line", "code", "sku"),
    Reason.SKU_TWICE: ("sku",),
    Reason.ITEM_VALUE_TOO_LONG: ("sku", "column", "limit"),
    Reason.ITEM_NUMBER_TOO_LARGE: ("sku",),
    Reason.IMPORT_CLASH: (),
    Reason.BAD_CODE_SPEC: ("given",),
    Reason.BAD_CAP: ("given",),
    Reason.BAD_SHORT_CODE: ("given",),
    Reason.BAD_VIDEO_ID: ("field",),
    Reason.DEFAULT_CODE_UNKNOWN: ("field", "code"),
}

# What an order may lack before it leaves draft (the `missing` of `incomplete`).
NEEDS: Final = ("lines", "item", "waitlist_decision", "name", "phone", "address")

# A param value: plain JSON (the API returns params as they are).
Param = str | int | bool | None | list[str] | list[int]


@dataclass(frozen=True)
class Refusal:
    """What an interface needs to say a refusal in words: which, and the values."""

    reason: Reason
    params: Mapping[str, Param] = field(default_factory=dict)


class OrderError(Exception):
    """A refusal: `reason` and `params` (see `PARAMS`); `code` is the API's `error`."""

    code = "order_error"

    def __init__(self, reason: Reason, /, **params: Param) -> None:
        super().__init__(reason, params)
        self.reason = reason
        self.params: dict[str, Param] = params

    @property
    def refusal(self) -> Refusal:
        return Refusal(self.reason, dict(self.params))

    @property
    def field(self) -> str | None:
        """The input the refusal is about, if it names one."""
        named = self.params.get("field")
        return named if isinstance(named, str) else None

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled whole (the renderer's process pool sends refusals back), whatever a
        subclass's own constructor takes."""
        return (_rebuilt, (type(self), self.reason, self.params), self.__dict__)

    def __str__(self) -> str:
        """For log lines: the code and its values, never shown to staff as it is."""
        values = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.reason}({values})"


def _rebuilt(kind: type[OrderError], reason: Reason, params: dict[str, Param]) -> OrderError:
    error = kind.__new__(kind)
    OrderError.__init__(error, reason, **params)
    return error


class NotFound(OrderError):
    code = "not_found"


class InvalidInput(OrderError):
    code = "invalid_input"


class StaleVersion(OrderError):
    code = "stale_version"


class ActionNotAllowed(OrderError):
    code = "action_not_allowed"


class OrderIncomplete(OrderError):
    code = "order_incomplete"


class OutOfStock(OrderError):
    code = "out_of_stock"


class NoQuote(OrderError):
    """A carrier gave no price (or not for the service staff picked) for one order of a batch:
    that order is not shipped, the others go on."""

    code = "no_quote"


class RiskyBuyer(OrderError):
    """Staff flagged the buyer: the action needs `approve_risky` (the pages and bot ask)."""

    code = "risky_buyer"


class AwaitingPayment(OrderError):
    """A transfer or deposit order is shipped before its money came in: the action needs
    `approve_unpaid` (the pages and the bot warn and ask)."""

    code = "awaiting_payment"
