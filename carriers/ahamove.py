"""Ahamove, the on-demand motorbike courier: one driver takes the parcel across town today.

Why it looks the way it does (reference `carriers.md` §4):

- Two API generations live side by side. v1 (`api.ahamove.com`, the only confirmed production
  host) wants the token as a query or form parameter and JSON arrays as strings inside
  form fields; v3 (`partner-api…`, production host UNCONFIRMED) wants `Authorization: Bearer`
  and plain JSON. The host picks the generation unless `api_version` says otherwise.
- An order is a trip: stop 0 is the pickup, stops 1..N are drop-offs, each with its own COD,
  `tracking_number` (our order code) and outcome. We send one drop-off per order, and read the
  webhook per stop: an order `COMPLETED` only means the driver finished the trip; whether the
  buyer got the parcel is the stop's `status`.
- Addresses are free text, no ids, so there is no master data to look up or cache.
- Ahamove does not refuse a second order with the same `tracking_number` (its own lookup
  sample shows two), so `create_shipment` looks for a live one first: after a lost answer the
  retry finds the order Ahamove did make instead of sending a second driver.
- Refusals arrive as HTTP 4xx with a short code (`NOT_AUTHORIZED`, `ORDER_NOT_FOUND`, ...);
  the body's exact shape is UNCONFIRMED, so the code and the words are read from the usual
  keys. v1 answers a bad token with 404 "Token not found".
- Cancel works only before pickup; the refusal (v1: 406 "order not in valid status") does not
  say why, so the order's own status does.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from carriers import wire
from carriers.base import (
    CarrierError,
    CarrierEvent,
    CarrierStatus,
    ErrorKind,
    Instruction,
    Quote,
    Shipment,
    ShipmentOrder,
    UnreadableWebhook,
    WebhookRequest,
)

NAME = "ahamove"
# The reference's typical motorbike service (§4.2). Service ids are city-specific ("SGN-" is
# Ho Chi Minh City, "HAN-" Hanoi): a shop elsewhere must configure its own.
DEFAULT_SERVICE_ID = "SGN-BIKE"
# `payment_method` enum is CODE, meanings UNCONFIRMED: BALANCE reads as the partner's prepaid
# wallet, which matches our model (the shop pays the fee, COD already includes shipping).
PAYMENT_METHOD = "BALANCE"
# Ahamove standardises cancel reasons on a page the reference did not copy; this is the
# wording of its own sample.
CANCEL_COMMENT = "Khách hàng muốn hủy đơn"
LOOKUP_DAYS = 7  # v3 searches the last 7 days by default; v1's list is asked for the same
LIST_PAGE = 100
LIST_PAGES = 10

_ALERT = CarrierStatus.ALERT

# Order `status` -> our status (§4.4). "No change" is ALERT: understood, moves nothing. A
# COMPLETED order is decided by its stop (STOP_STATUS_TABLE, SUB_STATUS_TABLE); a CANCELLED
# one after pickup becomes ALERT (see `_status`).
STATUS_TABLE: dict[str, CarrierStatus] = {
    "IDLE": _ALERT,  # scheduled, not yet sent to drivers
    "ASSIGNING": _ALERT,  # looking for a driver
    "ACCEPTED": _ALERT,  # a driver took it
    "CONFIRMING": _ALERT,  # only seen in the cancellable list: meaning UNCONFIRMED
    "PAYING": _ALERT,  # same: meaning UNCONFIRMED, so it moves nothing
    "IN PROCESS": CarrierStatus.IN_TRANSIT,  # picked up, on the way (note the space)
    "COMPLETED": _ALERT,  # the trip ended; the stop says how
    "CANCELLED": CarrierStatus.CANCELLED,  # by us, the driver, or auto-cancel (no driver)
    # The warehouse (hub) product's own statuses [A9]. chotdon ships instant orders, so one of
    # these means a misconfigured service: staff look, nothing moves.
    "TRANSPORTING": _ALERT,
    "PICKED_UP": _ALERT,
    "FAILED_1": _ALERT,
    "FAILED_2": _ALERT,
    "FAILED_3": _ALERT,
    "IN_RETURN": _ALERT,
    "RETURNED": _ALERT,
    "RETURN_FAILED": _ALERT,
}
WAREHOUSE_STATUSES = frozenset(
    {
        "TRANSPORTING",
        "PICKED_UP",
        "FAILED_1",
        "FAILED_2",
        "FAILED_3",
        "IN_RETURN",
        "RETURNED",
        "RETURN_FAILED",
    }
)
# `sub_status`: None keeps what the order status says.
SUB_STATUS_TABLE: dict[str, CarrierStatus | None] = {
    "": None,
    "BOARDED": None,  # ACCEPTED, driver near the pickup
    "COMPLETING": None,  # IN PROCESS, driver near the drop-off
    "IN_RETURN": CarrierStatus.RETURNING,  # COMPLETED, the failed parcel goes back to the shop
    "RETURNED": CarrierStatus.RETURNED,  # COMPLETED, the parcel is back at the shop
}
# A drop-off stop's `status` (i >= 1): its own outcome, whatever the order's status says.
STOP_STATUS_TABLE: dict[str, CarrierStatus | None] = {
    "": None,  # not reached yet
    "COMPLETED": CarrierStatus.DELIVERED,  # delivered and paid
    "FAILED": CarrierStatus.FAILED,  # buyer absent etc.; reason in `fail_comment`
}
PICKED_UP = frozenset({"IN PROCESS", "COMPLETED"})  # the driver has (or had) the parcel

_MEANINGS: dict[str, str] = {
    "IDLE": "scheduled, not yet sent to drivers",
    "ASSIGNING": "looking for a driver",
    "ACCEPTED": "a driver accepted",
    "BOARDED": "driver near the pickup",
    "CONFIRMING": "CONFIRMING (meaning not documented)",
    "PAYING": "PAYING (meaning not documented)",
    "IN PROCESS": "picked up, on the way",
    "COMPLETING": "driver near the drop-off",
    "IN_RETURN": "driver bringing the parcel back",
    "RETURNED": "parcel back at the shop",
}
_TIME_FIELDS = (
    "create_time",
    "accept_time",
    "board_time",
    "pickup_time",
    "complete_time",
    "cancel_time",
)
_STOP_TIME_FIELDS = ("complete_time", "fail_time", "return_time")
_AUTH_CODES = frozenset({"NOT_AUTHORIZED", "TOKEN_NOT_FOUND", "UNAUTHORIZED"})

_INSTRUCTIONS: dict[Instruction, str] = {
    Instruction.ALLOW_VIEWING: "Cho xem hàng, không cho thử",
    Instruction.ALLOW_TRYING: "Cho thử hàng",
    Instruction.NO_VIEWING: "Không cho xem hàng",
}


def api_version_of(base_url: str) -> int:
    """v3 lives on the `partner-api…` hosts (staging `partner-apistg.ahamove.com`), v1 on
    `api…`/`apistg…`."""
    return 3 if "partner-api" in (urlsplit(base_url).hostname or "") else 1


class AhamoveCarrier:
    name = NAME

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        token: str,
        service_id: str | None = None,
        webhook_key: str | None = None,
        timeout: float = wire.TIMEOUT_S,
        api_version: int | None = None,
    ) -> None:
        if api_version not in (None, 1, 3):
            raise ValueError(f"Ahamove API version must be 1 or 3, not {api_version!r}")
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._token = token
        self.service_id = service_id or DEFAULT_SERVICE_ID
        self._webhook_key = webhook_key
        self._timeout = timeout
        self.api_version: int = api_version or api_version_of(base_url)

    # -- protocol -------------------------------------------------------------------------

    async def quote(self, order: ShipmentOrder) -> Quote:
        fields = _order_fields(order, self.service_id)
        if self.api_version == 3:
            del fields["service_id"], fields["requests"]
            body = {**fields, "services": [{"_id": self.service_id, "requests": []}]}
            data = await self._call("POST", "/v3/orders/estimates", json=body)
            estimate = _estimate_for(data, self.service_id)
        else:
            data = await self._call("POST", "/v1/order/estimated_fee", form=_form(fields))
            estimate = data if isinstance(data, dict) else {}
        fee = _money(estimate.get("total_price"))
        if fee is None:
            raise CarrierError(
                NAME, _words(estimate) or "estimate without total_price", details=data
            )
        return Quote(carrier=NAME, fee=fee, service=self.service_id)

    async def create_shipment(self, order: ShipmentOrder) -> Shipment:
        existing = await self.find_shipment(order.order_code)
        if existing is not None:
            return existing  # a retry after a lost answer: Ahamove would take a second order
        fields = _order_fields(order, self.service_id)
        if self.api_version == 3:
            data = await self._call("POST", "/v3/orders", json=fields)
        else:
            data = await self._call("POST", "/v1/order/create", form=_form(fields))
        answer = data if isinstance(data, dict) else {}
        tracking = str(answer.get("order_id") or answer.get("_id") or "").strip()
        if not tracking:
            # Made or not, we cannot tell: retryable, and the retry's lookup will know.
            raise CarrierError(
                NAME, "create answered without order_id", kind=ErrorKind.UNAVAILABLE, details=data
            )
        return Shipment(
            carrier=NAME, tracking_code=tracking, order_code=order.order_code, fee=_fee_of(answer)
        )

    async def find_shipment(self, order_code: str) -> Shipment | None:
        """The newest live (not cancelled) Ahamove order carrying our code on a stop. v3 has a
        lookup by tracking number (path or query form UNCONFIRMED; the curl sample's path form
        is used); v1 has none, so the substitute is its order list of the last days, newest
        first, searched for the stop's `tracking_number`."""
        if self.api_version == 3:
            orders = await self._orders_by_tracking_v3(order_code)
        else:
            orders = await self._orders_by_tracking_v1(order_code)
        live = [
            entry
            for entry in orders
            if _carries(entry, order_code) and _text(entry.get("status")) != "CANCELLED"
        ]
        if not live:
            return None
        newest = max(live, key=lambda entry: _number(entry.get("create_time")) or 0.0)
        tracking = _text(newest.get("_id") or newest.get("order_id"))
        if not tracking:
            return None
        fee = _fee_of(newest) if _has_fee(newest) else _fee_of(await self._detail(tracking))
        return Shipment(carrier=NAME, tracking_code=tracking, order_code=order_code, fee=fee)

    async def cancel(self, shipment: Shipment) -> None:
        order_id = shipment.tracking_code
        try:
            if self.api_version == 3:
                await self._call(
                    "DELETE",
                    f"/v3/orders/{quote(order_id, safe='')}",
                    json={"comment": CANCEL_COMMENT},
                    about_order=True,
                )
            else:
                params = {"order_id": order_id, "comment": CANCEL_COMMENT}
                await self._call("GET", "/v1/order/cancel", params=params, about_order=True)
        except CarrierError as error:
            if error.kind is not ErrorKind.REFUSED:
                raise
            await self._explain_refused_cancel(order_id, error)

    def authenticate(self, request: WebhookRequest) -> bool:
        """Ahamove sends the header style we chose at registration: `apikey: <key>` or
        `Authorization: Bearer <key>` (Basic is offered too; not used here)."""
        if not self._webhook_key:
            return False
        apikey = wire.header(request.headers, "apikey")
        if apikey is not None and wire.same_secret(apikey.strip(), self._webhook_key):
            return True
        scheme, _, credentials = (wire.header(request.headers, "Authorization") or "").partition(
            " "
        )
        return scheme.lower() == "bearer" and wire.same_secret(
            credentials.strip(), self._webhook_key
        )

    def parse_webhook(self, body: bytes, content_type: str) -> list[CarrierEvent]:
        """One event per drop-off stop (ours have one), from the full order object."""
        order = wire.decode_body(body, content_type)
        order_id = _text(order.get("_id"))
        status = _text(order.get("status")).upper()
        path = order.get("path")
        if isinstance(path, str):  # tolerate a form-encoded body carrying the path as JSON
            path = wire.json_field(path, "path")
        missing = [name for name, value in (("_id", order_id), ("status", status)) if not value]
        if missing:
            raise UnreadableWebhook(f"Ahamove webhook without {', '.join(missing)}")
        if not isinstance(path, list) or len(path) < 2:
            raise UnreadableWebhook("Ahamove webhook without a drop-off stop in path")
        if not all(isinstance(stop, dict) for stop in path):
            raise UnreadableWebhook("Ahamove webhook path has a stop that is not an object")
        digest = hashlib.sha256(
            "|".join(_text(stop.get("status")) for stop in path).encode()
        ).hexdigest()[:16]
        return [_event(order, path[index], index, digest) for index in range(1, len(path))]

    # -- lookups --------------------------------------------------------------------------

    async def _orders_by_tracking_v3(self, order_code: str) -> list[dict[str, Any]]:
        path = f"/v3/orders/tracks/{quote(order_code, safe='')}"
        try:
            data = await self._call("GET", path, about_order=True)
        except CarrierError as error:
            if error.kind is ErrorKind.NOT_FOUND:
                return []  # ORDER_NOT_FOUND: none with this tracking number
            raise
        return _objects(data)

    async def _orders_by_tracking_v1(self, order_code: str) -> list[dict[str, Any]]:
        since = int(time.time()) - LOOKUP_DAYS * 86_400
        found: list[dict[str, Any]] = []
        for page in range(LIST_PAGES):
            params = {"from_time": since, "count": LIST_PAGE, "offset": page * LIST_PAGE}
            entries = _objects(await self._call("GET", "/v1/order/list", params=params))
            found.extend(entry for entry in entries if _carries(entry, order_code))
            if len(entries) < LIST_PAGE:
                break
        return found

    async def _detail(self, order_id: str) -> dict[str, Any]:
        if self.api_version == 3:
            data = await self._call(
                "GET", f"/v3/orders/{quote(order_id, safe='')}", about_order=True
            )
        else:
            params = {"order_id": order_id}
            data = await self._call("GET", "/v1/order/detail", params=params, about_order=True)
        return data if isinstance(data, dict) else {}

    async def _explain_refused_cancel(self, order_id: str, error: CarrierError) -> None:
        """The refusal does not say why; the order's status does."""
        try:
            detail = await self._detail(order_id)
        except CarrierError:
            raise error from None
        status = _text(detail.get("status")).upper()
        if status == "CANCELLED":
            return  # cancelled already (by us, the driver or no driver): what we wanted
        if status in PICKED_UP:
            raise CarrierError(
                NAME,
                f"{error.message} (order is {status}: the driver has the parcel)",
                kind=ErrorKind.ALREADY_PICKED,
                status=error.status,
                details=error.details,
            )
        raise error

    # -- HTTP -----------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        json: Any = None,
        about_order: bool = False,
    ) -> Any:
        """One call with the generation's auth. `about_order`: a 404 means no such order;
        elsewhere v1's 404 is its "Token not found"."""
        kwargs: dict[str, Any] = {"params": dict(params or {})}
        if self.api_version == 3:
            kwargs["headers"] = {"Authorization": f"Bearer {self._token}"}
        elif form is not None:
            form = {**form, "token": self._token}
        else:
            kwargs["params"]["token"] = self._token
        if form is not None:
            kwargs["data"] = form
        if json is not None:
            kwargs["json"] = json
        response = await wire.send(
            self._http, NAME, method, self._base_url + path, timeout=self._timeout, **kwargs
        )
        if response.status_code >= 400:
            raise _refusal(response, about_order=about_order)
        return wire.json_of(NAME, response)


# -- requests -----------------------------------------------------------------------------


def _order_fields(order: ShipmentOrder, service_id: str) -> dict[str, Any]:
    """The create body; estimate takes the same. No `lat`/`lng`: the v3 table marks them
    required but the v1 samples omit them and we have no geocoder. UNCONFIRMED whether v3
    geocodes the text address itself; if it refuses, its message reaches staff as a refusal.
    Coordinates of 0 would put the pin in the Gulf of Guinea, so none are invented."""
    sender, receiver = order.sender, order.receiver
    remarks = " - ".join(part for part in (_INSTRUCTIONS[order.instruction], order.note) if part)
    pickup = {"address": sender.address.one_line(), "name": sender.name, "mobile": sender.phone}
    drop_off = {
        "address": receiver.address.one_line(),
        "name": receiver.name,
        "mobile": receiver.phone,
        "cod": order.cod_amount,  # collected at this stop, whole VND
        "item_value": order.goods_value,
        "tracking_number": order.order_code,  # echoed back on the stop: our reference
        "remarks": remarks,
    }
    return {
        "service_id": service_id,
        "path": [pickup, drop_off],
        "requests": [],
        "payment_method": PAYMENT_METHOD,
        "order_time": 0,  # now
        "remarks": f"Đơn {order.order_code}",
        "items": [
            {
                "_id": item.sku or f"SP{index}",
                "num": item.quantity,
                "name": item.name,
                "price": item.unit_price,
            }
            for index, item in enumerate(order.items, start=1)
        ],
        # Kilograms, as the sample's package_detail reads (unit UNCONFIRMED).
        "package_detail": [
            {"weight": round(max(order.weight_g, 1) / 1000, 3), "description": _description(order)}
        ],
    }


def _form(fields: dict[str, Any]) -> dict[str, str]:
    """v1's form: arrays and objects as JSON text inside the fields."""
    return {
        key: value
        if isinstance(value, str)
        else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        for key, value in fields.items()
    }


def _description(order: ShipmentOrder) -> str:
    return ", ".join(f"{item.name} x{item.quantity}" for item in order.items)[:250]


# -- answers ------------------------------------------------------------------------------


def _refusal(response: httpx.Response, *, about_order: bool) -> CarrierError:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    fields = body if isinstance(body, dict) else {}
    code = _text(fields.get("title") or fields.get("code") or fields.get("error")).upper()
    message = _words(fields) or code or f"HTTP {status}: {response.text[:300]}"
    if code in _AUTH_CODES or status == 402:  # v1 cancel's 402 "Not allowed: not authorized"
        kind = ErrorKind.AUTH
    elif code == "ORDER_NOT_FOUND" or (status == 404 and about_order):
        kind = ErrorKind.NOT_FOUND
    elif status == 404:
        kind = ErrorKind.AUTH  # v1: "404 Not Found - Token not found"
    else:
        kind = ErrorKind.REFUSED
    return CarrierError(NAME, message, kind=kind, status=status, details=body)


def _words(fields: dict[str, Any]) -> str:
    for key in ("description", "message", "detail", "error_message"):
        value = fields.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _estimate_for(data: Any, service_id: str) -> dict[str, Any]:
    """v3 estimates several services at once; the answer's shape is UNCONFIRMED: a list of
    per-service estimates (as v2's is) keyed `_id` or `service_id`, the numbers at the top or
    under `data`."""
    if isinstance(data, dict) and "total_price" in data:
        return data
    entries = _objects(data)
    for entry in entries:
        if _text(entry.get("_id") or entry.get("service_id")) == service_id:
            inner = entry.get("data")
            return {**entry, **inner} if isinstance(inner, dict) else entry
    if len(entries) == 1:
        return entries[0]
    return {}


def _fee_of(answer: dict[str, Any]) -> int:
    inner = answer.get("order")
    for source in (inner if isinstance(inner, dict) else {}, answer):
        for key in ("total_price", "total_pay", "total_fee"):
            fee = _money(source.get(key))
            if fee is not None:
                return fee
    return 0


def _has_fee(answer: dict[str, Any]) -> bool:
    inner = answer.get("order")
    sources = (inner if isinstance(inner, dict) else {}, answer)
    return any(_money(source.get("total_price")) is not None for source in sources)


def _carries(entry: dict[str, Any], order_code: str) -> bool:
    path = entry.get("path")
    stops = path[1:] if isinstance(path, list) else []
    return any(
        isinstance(stop, dict) and _text(stop.get("tracking_number")) == order_code
        for stop in stops
    )


# -- webhook ------------------------------------------------------------------------------


def _event(order: dict[str, Any], stop: dict[str, Any], index: int, digest: str) -> CarrierEvent:
    order_id = _text(order.get("_id"))
    status = _text(order.get("status")).upper()
    sub_status = _text(order.get("sub_status")).upper()
    stop_status = _text(stop.get("status")).upper()
    raw = (
        status
        + (f"/{sub_status}" if sub_status else "")
        + (f" stop:{stop_status}" if stop_status else "")
    )
    mapped, reason = _status(order, status, sub_status, stop_status, stop)
    reference = _text(stop.get("tracking_number"))
    return CarrierEvent(
        carrier=NAME,
        # The reference's key; the stop index keeps the events of one body apart.
        dedupe_key=f"{order_id}:{status}:{sub_status}:{digest}:{index}",
        raw_status=raw,
        status=mapped,
        at=_at(order, stop),
        tracking_code=order_id,
        order_code=reference or None,
        cod_amount=_money(stop.get("cod")),
        # No COD payout field is known for Ahamove (UNCONFIRMED): collected COD is settled
        # outside the webhook, so it never says "transferred".
        cod_transferred=False,
        reason=reason,
    )


def _status(
    order: dict[str, Any], status: str, sub_status: str, stop_status: str, stop: dict[str, Any]
) -> tuple[CarrierStatus, str]:
    """The stop's outcome first, then the return sub-status, then the order's status."""
    raw = status + (f"/{sub_status}" if sub_status else "")
    if status not in STATUS_TABLE:
        return _ALERT, _join(f"unknown status {raw}", _words_of(order, stop))
    if sub_status not in SUB_STATUS_TABLE:
        return _ALERT, _join(f"unknown status {raw}", _words_of(order, stop))
    if stop_status not in STOP_STATUS_TABLE:
        return _ALERT, f"unknown status {raw} (stop {stop_status})"
    if status in WAREHOUSE_STATUSES:
        return _ALERT, f"{status}: a warehouse-product status, not expected for instant orders"
    stop_outcome = STOP_STATUS_TABLE[stop_status]
    if stop_outcome is CarrierStatus.DELIVERED:
        proof = stop.get("pod_info")
        return stop_outcome, proof.strip() if isinstance(proof, str) else ""
    returned = SUB_STATUS_TABLE[sub_status]
    if returned is not None:
        return returned, _join(_MEANINGS[sub_status], _text(stop.get("fail_comment")))
    if stop_outcome is CarrierStatus.FAILED:
        return stop_outcome, _text(stop.get("fail_comment")) or "delivery failed"
    if status == "COMPLETED":
        return _ALERT, "trip completed without an outcome for this stop"
    if status == "CANCELLED":
        return _cancelled(order)
    words = _MEANINGS.get(sub_status) or _MEANINGS.get(status, "")
    return STATUS_TABLE[status], _join(words, _driver(order))


def _cancelled(order: dict[str, Any]) -> tuple[CarrierStatus, str]:
    comment = _text(order.get("cancel_comment"))
    who = "cancelled by us" if order.get("cancel_by_user") is True else "cancelled by Ahamove"
    if (_number(order.get("pickup_time")) or 0) > 0:
        return _ALERT, _join(
            "cancelled after pickup: the driver may still have the parcel", comment
        )
    return CarrierStatus.CANCELLED, _join(who, comment)


def _at(order: dict[str, Any], stop: dict[str, Any]) -> datetime:
    """Ahamove sends no event time, only the order's milestones (Unix seconds; 0 = not yet).
    They only grow as the trip goes on, so the latest is when this status began."""
    stamps = [_number(order.get(name)) for name in _TIME_FIELDS]
    stamps += [_number(stop.get(name)) for name in _STOP_TIME_FIELDS]
    latest = max((stamp for stamp in stamps if stamp and stamp > 0), default=None)
    at = wire.parse_time(latest) if latest is not None else None
    if at is None:
        raise UnreadableWebhook("Ahamove webhook without any time (create_time, ...)")
    return at


def _words_of(order: dict[str, Any], stop: dict[str, Any]) -> str:
    return _join(_text(stop.get("fail_comment")), _text(order.get("cancel_comment")))


def _driver(order: dict[str, Any]) -> str:
    name, phone = _text(order.get("supplier_name")), _text(order.get("supplier_id"))
    if not (name or phone):
        return ""
    return "driver " + " ".join(part for part in (name, phone) if part)


# -- small helpers ------------------------------------------------------------------------


def _join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _objects(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        for key in ("data", "orders", "items"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            return [data] if ("_id" in data or "order_id" in data) else []
    return [entry for entry in data if isinstance(entry, dict)] if isinstance(data, list) else []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _money(value: Any) -> int | None:
    """Whole VND, or None when absent or unreadable."""
    number = _number(value)
    return None if number is None else round(number)
