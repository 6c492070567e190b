"""What every carrier speaks: the order we hand over, the answers we get back, one error type.

Each carrier module turns these into its own wire format and back, so the code that ships an
order, follows webhooks and settles COD never learns a carrier's field names, units or status
codes. All money is whole VND; all weights are grams (a carrier that wants kilograms converts
at its own edge); all times are timezone-aware.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from orders.carrier_updates import CarrierReport, CarrierStatus

__all__ = [
    "Address",
    "Carrier",
    "CarrierError",
    "CarrierEvent",
    "CarrierStatus",
    "Contact",
    "ErrorKind",
    "Instruction",
    "MasterData",
    "MemoryMasterData",
    "ParcelItem",
    "Quote",
    "Shipment",
    "ShipmentOrder",
    "UnreadableWebhook",
    "WebhookRequest",
]


@dataclass(frozen=True)
class Address:
    """An address as names, the way buyers type them and the way we store them.

    `district` is empty under Vietnam's 2025 two-level scheme (province and ward only); older
    addresses have all three levels. Carriers that want ids look the names up themselves.
    """

    street: str
    ward: str
    district: str
    province: str

    def one_line(self) -> str:
        return ", ".join(
            part for part in (self.street, self.ward, self.district, self.province) if part
        )


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    address: Address


@dataclass(frozen=True)
class ParcelItem:
    name: str
    quantity: int
    unit_price: int
    weight_g: int  # of one unit
    sku: str | None = None


class Instruction(StrEnum):
    """What the courier lets the buyer do on the doorstep (printed on the label too)."""

    ALLOW_VIEWING = "allow_viewing"  # look, don't try on
    ALLOW_TRYING = "allow_trying"
    NO_VIEWING = "no_viewing"


@dataclass(frozen=True)
class ShipmentOrder:
    """One of our orders as a carrier needs it: a plain snapshot, no database rows."""

    order_code: str  # ours; every carrier echoes it back, and retries look it up by it
    sender: Contact
    receiver: Contact
    items: tuple[ParcelItem, ...]
    weight_g: int  # the whole parcel, at least 1
    cod_amount: int  # what the courier collects from the buyer; 0 for prepaid
    goods_value: int  # declared value, for insurance
    note: str = ""
    instruction: Instruction = Instruction.ALLOW_VIEWING


@dataclass(frozen=True)
class Quote:
    carrier: str
    fee: int
    service: str = ""  # the carrier's service or tier the fee is for
    expected_delivery: datetime | None = None


@dataclass(frozen=True)
class Shipment:
    carrier: str
    tracking_code: str
    order_code: str
    fee: int
    expected_delivery: datetime | None = None


@dataclass(frozen=True)
class CarrierEvent:
    """One status report out of a webhook body, mapped to what matters to the order."""

    carrier: str
    dedupe_key: str  # none of the carriers sends an event id; see each module
    raw_status: str  # the carrier's own code, kept for staff
    status: CarrierStatus
    at: datetime
    tracking_code: str | None = None
    order_code: str | None = None
    cod_amount: int | None = None
    cod_transferred: bool = False  # the carrier says it paid the collected COD out to the shop
    reason: str = ""  # the carrier's words (failure reason, note), for the card

    def report(self) -> CarrierReport:
        return CarrierReport(
            carrier=self.carrier,
            dedupe_key=self.dedupe_key,
            status=self.status,
            raw_status=self.raw_status,
            at=self.at,
            tracking_code=self.tracking_code,
            order_code=self.order_code,
            cod_amount=self.cod_amount,
            cod_transferred=self.cod_transferred,
            reason=self.reason,
        )


@dataclass(frozen=True)
class WebhookRequest:
    """What a webhook route received, enough to authenticate it (and, later, to parse it)."""

    body: bytes
    content_type: str = "application/json"
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)  # case-insensitive in practice


class ErrorKind(StrEnum):
    REFUSED = "refused"  # the carrier read the request and said no (bad address, weight...)
    UNAVAILABLE = "unavailable"  # timeout, connection refused, 5xx: try again later
    AUTH = "auth"  # our token or shop id is wrong: staff must fix settings
    NOT_FOUND = "not_found"  # no such shipment at the carrier
    ALREADY_PICKED = "already_picked"  # too late to cancel: the courier has the parcel


class CarrierError(Exception):
    """Anything a carrier call can end in besides success, with the carrier's own message kept
    for staff. Only `retryable` decides what the caller does next."""

    def __init__(
        self,
        carrier: str,
        message: str,
        *,
        kind: ErrorKind = ErrorKind.REFUSED,
        status: int | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(f"{carrier}: {message}")
        self.carrier = carrier
        self.message = message
        self.kind = kind
        self.status = status
        self.details = details

    @property
    def retryable(self) -> bool:
        return self.kind is ErrorKind.UNAVAILABLE


class UnreadableWebhook(ValueError):
    """An authenticated webhook body we cannot understand: stored, answered 200 and shown to
    staff, since the carrier must not retry it forever."""


class MasterData(Protocol):
    """A cache of a carrier's own ids (provinces, districts, wards), kept in the database by the
    service and in memory by tests. Values are whatever JSON the carrier module stores."""

    async def get(self, carrier: str, key: str) -> Any | None: ...

    async def put(self, carrier: str, key: str, value: Any) -> None: ...


class MemoryMasterData:
    def __init__(self) -> None:
        self.values: dict[tuple[str, str], Any] = {}

    async def get(self, carrier: str, key: str) -> Any | None:
        return self.values.get((carrier, key))

    async def put(self, carrier: str, key: str, value: Any) -> None:
        self.values[(carrier, key)] = value


class Carrier(Protocol):
    """One partner carrier. Implementations take an injected `httpx.AsyncClient` and their
    settings; every failure leaves as `CarrierError`."""

    name: str

    async def quote(self, order: ShipmentOrder) -> Quote: ...

    async def create_shipment(self, order: ShipmentOrder) -> Shipment: ...

    async def find_shipment(self, order_code: str) -> Shipment | None:
        """The shipment already made for our order code, if any: a retry after a timeout asks
        this before creating again, so one order never gets two shipments."""
        ...

    async def cancel(self, shipment: Shipment) -> None: ...

    def authenticate(self, request: WebhookRequest) -> bool:
        """Whether a webhook carries our secret, checked before anything is stored."""
        ...

    def parse_webhook(self, body: bytes, content_type: str) -> list[CarrierEvent]:
        """Every status report in a stored body; `UnreadableWebhook` if there is none to read."""
        ...
