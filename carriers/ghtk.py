"""GHTK (Giao Hàng Tiết Kiệm) behind the `Carrier` protocol.

Why it looks the way it does (facts from `../shared/reference/carriers.md` §2):

- GHTK takes places by *name* (province, district, ward strings), so there is no master data
  to look up or cache: GHTK itself says no to a place it does not know, and its message (which
  names the place) reaches staff as a REFUSED error.
- The 2025 two-level addresses (province and ward, no district): the reference says nothing
  about them for GHTK (UNCONFIRMED). We send what is documented, every address field, with the
  district empty, and let GHTK's own answer speak if it wants one.
- Units differ per endpoint: `products[].weight` is kilograms while the fee API (and the status
  API) count grams. Our weights are grams everywhere; `_kg` is the one place they become kg.
- `order.id` is our order code; GHTK treats it as its duplicate key and echoes it as
  `partner_id`, which is also how we look a shipment up after a lost answer
  (`/services/shipment/v2/partner_id:<code>`).
- GHTK refuses inside `{success: false, message}` envelopes, not with HTTP codes. Cancel says
  no the same way for "already cancelled" and "already picked up", so a refused cancel is
  explained by reading the parcel's status (1, 2 and 12 are the only cancellable ones).
- Webhooks are form-encoded in the docs but JSON in the sample, carry no signature (only the
  `hash` we put in the callback URL) and no event id: the dedupe key is
  label_id+status_id+action_time. Status 6 is GHTK settling the collected COD with the shop.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote as url_quote

import httpx

from carriers import wire
from carriers.base import (
    Address,
    CarrierError,
    CarrierEvent,
    CarrierStatus,
    ErrorKind,
    Instruction,
    ParcelItem,
    Quote,
    Shipment,
    ShipmentOrder,
    UnreadableWebhook,
    WebhookRequest,
)

NAME = "ghtk"
CREATE_PATH = "/services/shipment/order/"
FEE_PATH = "/services/shipment/fee"
STATUS_PATH = "/services/shipment/v2/"
CANCEL_PATH = "/services/shipment/cancel/"
LABEL_PATH = "/services/label/"
API_VERSION = "1.5"
NO_HAMLET = "Khác"  # GHTK's own sample value for "no hamlet"; commonly required
DELIVER_STANDARD = "none"  # deliver_option: "xteam" is same-day XFAST
PICK_BY_COURIER = "cod"  # pick_option: a courier picks up at the shop
SHOP_PAYS_FEE = "1"  # is_freeship: the buyer pays pick_money only (our COD includes the fee)
LABEL_NOT_FOUND = 40102
PAPER_SIZES = frozenset({"A5", "A6"})
ORIENTATIONS = frozenset({"portrait", "landscape"})

_MOVING = CarrierStatus.IN_TRANSIT
_ALERT = CarrierStatus.ALERT  # "no change" and "no change + alert" alike: recorded for staff

# status_id -> our status (§2.5; codes confirmed only by independent integrations).
STATUS_TABLE: dict[int, CarrierStatus] = {
    -1: CarrierStatus.CANCELLED,
    1: _ALERT,  # not yet received by GHTK
    2: _ALERT,  # received by GHTK
    12: _ALERT,  # pickup dispatched / picking up
    8: _ALERT,  # pickup postponed
    7: _ALERT,  # could not pick up (often ends as a cancel)
    3: _MOVING,  # picked up / in warehouse
    4: _MOVING,  # out for delivery
    10: _MOVING,  # delivery delayed
    9: CarrierStatus.FAILED,  # could not deliver
    5: CarrierStatus.DELIVERED,  # delivered, not yet reconciled
    6: CarrierStatus.DELIVERED,  # reconciled: the COD is settled with the shop
    20: CarrierStatus.RETURNING,  # courier carrying the goods back
    21: CarrierStatus.RETURNED,  # returned to the shop
    11: CarrierStatus.RETURNED,  # return debt reconciled
    13: _ALERT,  # compensation (lost or damaged goods): a claim, terminal in practice
    # Shipper-level reports, not order statuses (SECONDARY): wait for GHTK's own status.
    123: _ALERT,  # shipper reports picked up
    127: _ALERT,  # shipper reports could not pick up
    128: _ALERT,  # shipper reports pickup delay
    45: _ALERT,  # shipper reports delivered (wait for 5)
    49: _ALERT,  # shipper reports could not deliver (wait for 9)
    410: _ALERT,  # shipper reports delivery delay
}
CANCELLABLE = frozenset({1, 2, 12})  # before pickup (OFFICIAL)
CANCELLED = -1
COD_SETTLED = 6

# What a code means, for staff, where our status alone does not say it.
_NOTES: dict[int, str] = {
    1: "GHTK has not received the order yet",
    2: "GHTK received the order",
    12: "GHTK is picking the parcel up",
    8: "GHTK postponed the pickup",
    7: "GHTK could not pick the parcel up",
    10: "GHTK delayed the delivery",
    6: "GHTK settled the COD with the shop",
    11: "GHTK reconciled the return",
    13: "GHTK compensates the shop (goods lost or damaged): check the claim",
    123: "the courier reports the parcel picked up",
    127: "the courier reports the pickup failed",
    128: "the courier reports the pickup delayed",
    45: "the courier reports the parcel delivered (GHTK has not confirmed)",
    49: "the courier reports the delivery failed (GHTK has not confirmed)",
    410: "the courier reports the delivery delayed",
}

# GHTK has no field for what the buyer may do on the doorstep (not in the reference): a note.
_INSTRUCTION_NOTES: dict[Instruction, str] = {
    Instruction.ALLOW_VIEWING: "Cho xem hàng, không cho thử",
    Instruction.ALLOW_TRYING: "Cho thử hàng",
    Instruction.NO_VIEWING: "Không cho xem hàng",
}


class GhtkCarrier:
    name = NAME

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        token: str,
        client_source: str | None = None,
        webhook_hash: str | None = None,
        timeout: float = wire.TIMEOUT_S,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._token = token
        self._client_source = client_source
        self._webhook_hash = webhook_hash
        self._timeout = timeout

    # -- API ---------------------------------------------------------------------------------

    async def quote(self, order: ShipmentOrder) -> Quote:
        data = await self._ok("GET", FEE_PATH, "fee", params=_fee_query(order))
        fee = data.get("fee")
        if not isinstance(fee, dict):
            raise CarrierError(NAME, f"fee answered without a fee: {str(data)[:200]}")
        return Quote(
            NAME, _total_fee(fee.get("fee"), fee.get("insurance_fee")), _text(fee.get("name"))
        )

    async def create_shipment(self, order: ShipmentOrder) -> Shipment:
        body = {"products": _products(order), "order": _order_fields(order)}
        data = await self._ok("POST", CREATE_PATH, "create", params={"ver": API_VERSION}, json=body)
        made = data.get("order")
        label = _text(made.get("label")) if isinstance(made, dict) else ""
        if not isinstance(made, dict) or not label:
            raise CarrierError(NAME, f"create answered without a label: {str(data)[:200]}")
        # `estimated_deliver_time` is free text ("Chiều 2025-03-06", format UNCONFIRMED): unused.
        return Shipment(
            NAME,
            label,
            _text(made.get("partner_id")) or order.order_code,
            _total_fee(made.get("fee"), made.get("insurance_fee")),
        )

    async def find_shipment(self, order_code: str) -> Shipment | None:
        """The live shipment GHTK made for our order code (status API by `partner_id`). A
        cancelled one is no shipment: the order still needs one."""
        found = await self._status_of(f"partner_id:{order_code}")
        if found is None or _int(found.get("status")) == CANCELLED:
            return None
        return Shipment(
            NAME,
            _text(found.get("label_id")),
            _text(found.get("partner_id")) or order_code,
            _total_fee(found.get("ship_money"), found.get("insurance")),
        )

    async def cancel(self, shipment: Shipment) -> None:
        reference = _reference(shipment)
        data = await self._request("POST", CANCEL_PATH + _path_part(reference))
        if _succeeded(data):
            return
        message = _message(data, "cancel refused")
        found = await self._status_of(reference)
        if found is None:
            raise CarrierError(NAME, message, kind=ErrorKind.NOT_FOUND, details=data)
        status = _int(found.get("status"))
        if status == CANCELLED:
            return  # already cancelled (a retried cancel): what was asked is done
        if status in CANCELLABLE:
            raise CarrierError(NAME, message, details=data)
        where = _text(found.get("status_text")) or f"status {status}"
        raise CarrierError(
            NAME, f"{message} ({where})", kind=ErrorKind.ALREADY_PICKED, details=data
        )

    async def label(
        self, shipment: Shipment, *, paper: str = "A6", orientation: str = "portrait"
    ) -> bytes | None:
        """GHTK's label as a PDF; `paper` "A5" or "A6", `orientation` "portrait" or
        "landscape" (GHTK's defaults are portrait A6). None when GHTK hands back no bytes."""
        if paper not in PAPER_SIZES or orientation not in ORIENTATIONS:
            raise ValueError(
                f"paper in {sorted(PAPER_SIZES)}, orientation in {sorted(ORIENTATIONS)}"
            )
        response = await wire.send(
            self._http,
            NAME,
            "GET",
            f"{self._base}{LABEL_PATH}{_path_part(shipment.tracking_code)}",
            headers=self._headers(),
            params={"original": orientation, "paper_size": paper},
            timeout=self._timeout,
        )
        if "pdf" in response.headers.get("content-type", "") or response.content[:4] == b"%PDF":
            return response.content or None
        data = wire.json_of(NAME, response)
        missing = isinstance(data, dict) and _int(data.get("error_code")) == LABEL_NOT_FOUND
        kind = ErrorKind.NOT_FOUND if missing else ErrorKind.REFUSED
        raise CarrierError(
            NAME, _message(data, "no label"), kind=kind, status=response.status_code, details=data
        )

    # -- webhooks ----------------------------------------------------------------------------

    def authenticate(self, request: WebhookRequest) -> bool:
        """The callback URL we give GHTK carries `?hash=<secret>`; nothing else is signed."""
        return wire.same_secret(request.query.get("hash"), self._webhook_hash)

    def parse_webhook(self, body: bytes, content_type: str) -> list[CarrierEvent]:
        return [_event(wire.decode_body(body, content_type))]

    # -- HTTP --------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        # The reference lists both headers (OFFICIAL); whether a plain shop token works without
        # X-Client-Source is UNCONFIRMED, so it is sent whenever it is configured.
        headers = {"Token": self._token}
        if self._client_source:
            headers["X-Client-Source"] = self._client_source
        return headers

    async def _request(
        self, method: str, path: str, *, params: Any = None, json: Any = None
    ) -> dict[str, Any]:
        response = await wire.send(
            self._http,
            NAME,
            method,
            f"{self._base}{path}",
            headers=self._headers(),
            params=params,
            json=json,
            timeout=self._timeout,
        )
        data = wire.json_of(NAME, response)
        if not isinstance(data, dict):
            raise CarrierError(
                NAME, f"unexpected answer: {str(data)[:200]}", status=response.status_code
            )
        return data

    async def _ok(
        self, method: str, path: str, what: str, *, params: Any = None, json: Any = None
    ) -> dict[str, Any]:
        """The envelope of a call that must succeed; GHTK's refusal as REFUSED, its words kept."""
        data = await self._request(method, path, params=params, json=json)
        if not _succeeded(data):
            raise CarrierError(NAME, _message(data, f"{what} refused"), details=data)
        return data

    async def _status_of(self, reference: str) -> dict[str, Any] | None:
        """The status API's order, or None when GHTK has none. The status API says "not found"
        only as a refusal envelope (its wording UNCONFIRMED), so any refusal here means none."""
        data = await self._request("GET", STATUS_PATH + _path_part(reference))
        if not _succeeded(data):
            return None
        found = data.get("order")
        found = found if isinstance(found, dict) else data  # wrapper key UNCONFIRMED
        return found if _text(found.get("label_id")) else None


# -- request bodies ---------------------------------------------------------------------------


def _kg(grams: float) -> float:
    """The one grams -> kilograms conversion: GHTK's `products[].weight` is kg."""
    return round(grams / 1000, 3)


def _products(order: ShipmentOrder) -> list[dict[str, Any]]:
    """One product per line, weight per unit (the docs' samples all have quantity 1, so per
    unit vs per line is UNCONFIRMED). Lines without a weight share the parcel's weight."""
    items = order.items or (ParcelItem(f"Đơn {order.order_code}", 1, 0, order.weight_g),)
    units = sum(item.quantity for item in items) or 1
    unweighed = any(item.weight_g <= 0 for item in items)
    products = []
    for item in items:
        grams = order.weight_g / units if unweighed else item.weight_g
        product: dict[str, Any] = {
            "name": item.name,
            "weight": _kg(grams),
            "quantity": item.quantity,
        }
        if item.sku:
            product["product_code"] = item.sku
        products.append(product)
    return products


def _order_fields(order: ShipmentOrder) -> dict[str, Any]:
    return {
        "id": order.order_code,
        **_place("pick_", order.sender.address),
        "pick_name": order.sender.name,
        "pick_tel": order.sender.phone,
        "pick_address": order.sender.address.street,
        **_place("", order.receiver.address),
        "name": order.receiver.name,
        "tel": order.receiver.phone,
        "address": order.receiver.address.street,
        "hamlet": NO_HAMLET,
        "pick_money": order.cod_amount,
        "is_freeship": SHOP_PAYS_FEE,
        "value": order.goods_value,
        "pick_option": PICK_BY_COURIER,
        "deliver_option": DELIVER_STANDARD,
        "note": _note(order),
    }


def _fee_query(order: ShipmentOrder) -> dict[str, Any]:
    return {
        **_place("pick_", order.sender.address),
        "pick_address": order.sender.address.street,
        **_place("", order.receiver.address),
        "address": order.receiver.address.street,
        "weight": order.weight_g,  # grams here, unlike products[].weight
        "value": order.goods_value,
        "deliver_option": DELIVER_STANDARD,
    }


def _place(prefix: str, address: Address) -> dict[str, str]:
    """Province, district and ward names. A two-level address sends an empty district: GHTK's
    handling of the 2025 scheme is UNCONFIRMED and the fee API lists `district` as required."""
    if not address.province.strip() or not (address.ward.strip() or address.district.strip()):
        who = "sender" if prefix else "receiver"
        raise CarrierError(NAME, f"{who} address is incomplete: {address.one_line() or 'empty'}")
    return {
        f"{prefix}province": address.province,
        f"{prefix}district": address.district,
        f"{prefix}ward": address.ward,
    }


def _note(order: ShipmentOrder) -> str:
    return ". ".join(part for part in (_INSTRUCTION_NOTES[order.instruction], order.note) if part)


def _reference(shipment: Shipment) -> str:
    return shipment.tracking_code or f"partner_id:{shipment.order_code}"


def _path_part(reference: str) -> str:
    return url_quote(reference, safe=".:-_")


# -- answers ----------------------------------------------------------------------------------


def _succeeded(data: Mapping[str, Any]) -> bool:
    return data.get("success") is True or _text(data.get("success")).lower() in ("true", "1")


def _message(data: Any, fallback: str) -> str:
    message = _text(data.get("message")) if isinstance(data, dict) else ""
    return message or fallback


def _total_fee(fee: Any, insurance: Any) -> int:
    """What the shop pays: GHTK lists `insurance_fee` beside `fee`; whether `fee` already
    includes it is UNCONFIRMED, so both are counted."""
    return (_int(fee) or 0) + (_int(insurance) or 0)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(value: Any) -> int | None:
    """Whole numbers; GHTK sends some as text ("350000"), form bodies send all as text."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return round(float(_text(value)))
    except ValueError:
        return None


# -- webhooks ---------------------------------------------------------------------------------

# A form body whose `+07:00` was not percent-encoded decodes to " 07:00".
_LOST_PLUS = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def _event(fields: Mapping[str, Any]) -> CarrierEvent:
    label = _text(fields.get("label_id"))
    raw = _raw_status(fields.get("status_id"))
    if not label or not raw:
        raise UnreadableWebhook("GHTK webhook without label_id or status_id")
    at = wire.parse_time(_LOST_PLUS.sub(r"\1+\2", _text(fields.get("action_time"))))
    if at is None:
        raise UnreadableWebhook(f"GHTK webhook without a readable action_time for {label}")
    status, note = _status(raw)
    return CarrierEvent(
        carrier=NAME,
        dedupe_key=f"{label}:{raw}:{at.isoformat()}",
        raw_status=raw,
        status=status,
        at=at,
        tracking_code=label,
        order_code=_text(fields.get("partner_id")) or None,
        cod_amount=_int(fields.get("pick_money")),
        cod_transferred=raw == str(COD_SETTLED),
        reason=_reason(note, fields),
    )


def _raw_status(value: Any) -> str:
    """The code as GHTK's table writes it ("5", "-1"), whatever the encoding sent."""
    text = _text(value)
    return str(int(text)) if re.fullmatch(r"[+-]?\d+", text) else text


def _status(raw: str) -> tuple[CarrierStatus, str]:
    """Never raises: a code not in the table is an alert for staff."""
    code = int(raw) if re.fullmatch(r"-?\d+", raw) else None
    mapped = STATUS_TABLE.get(code) if code is not None else None
    if code is None or mapped is None:
        return _ALERT, f"unknown status {raw}"
    return mapped, _NOTES.get(code, "")


def _reason(note: str, fields: Mapping[str, Any]) -> str:
    reason = _text(fields.get("reason"))
    code = _text(fields.get("reason_code"))
    if code:
        reason = f"{reason} (reason code {code})" if reason else f"reason code {code}"
    parts = [note, reason]
    if _int(fields.get("return_part_package")) == 1:
        parts.append("partial delivery: part of the parcel goes back to the shop")
    return "; ".join(part for part in parts if part)
