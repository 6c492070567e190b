"""Viettel Post (VTP) partner API, `Token: <jwt>` on every call.

Why it looks the way it does (reference `carriers.md` §3):

- VTP wants its own integer ids for province, district and ward, from public `categories`
  endpoints; we match names with `wire.name_key` and cache the lists (and each resolved place)
  through `MasterData`. A text-address variant exists (`createOrderNlp`, `getPriceNlp`) but its
  create path is UNCONFIRMED, so ids are used throughout.
- VTP's lists are three-level. For a 2025 two-level address (no district) the reference says
  nothing: UNCONFIRMED, we search every district of the province for the ward and refuse when
  the ward is in none or in several.
- Refusals usually come as HTTP 200 with `error: true` in the `{status, error, message, data}`
  envelope, so the envelope, not the HTTP status, decides.
- VTP offers no documented lookup by our order code (see `find_shipment`), so duplicates are
  guarded twice: an UNCONFIRMED status pull by number, and create's refusal of a second
  `ORDER_NUMBER` read as "it exists".
- Cancel is `UpdateOrder` TYPE 4 and only works before pickup (`ORDER_STATUS < 200`); VTP's
  refusal wording is not documented, so a refused cancel is explained by the parcel's status.
- Webhooks carry their secret in the body (`TOKEN`), not in a header; no event id, no zone on
  the time, and an `IS_RETURNING` flag that turns in-transit codes into the return leg.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

import httpx

from carriers import wire
from carriers.base import (
    Address,
    CarrierError,
    CarrierEvent,
    CarrierStatus,
    ErrorKind,
    Instruction,
    MasterData,
    MemoryMasterData,
    Quote,
    Shipment,
    ShipmentOrder,
    UnreadableWebhook,
    WebhookRequest,
)

NAME = "viettelpost"
SERVICE = "VCN"  # express; the service we quote and ship with
PRODUCT_TYPE = "HH"  # goods (TH: letters/documents)
TIME_FORMAT = "%d/%m/%Y %H:%M:%S"  # DELIVERY_DATE and ORDER_STATUSDATE

# ORDER_PAYMENT: 1 nothing collected; 2 goods and fee from the receiver; 3 goods value only
# (the shop pays the fee); 4 fee only. Our COD amount already includes whatever shipping the
# shop charges the buyer, so COD parcels are 3 and prepaid ones 1.
PAY_NOTHING = 1
PAY_COD_ONLY = 3

# UpdateOrder TYPE values (CODE): 1 confirm, 2 confirm return, 3 deliver again, 4 cancel,
# 5 take back, 11 delete a cancelled order.
UPDATE_CANCEL = 4

PICKED_UP_FROM = 200  # cancel is only allowed while ORDER_STATUS < 200 (SECONDARY)
POSTMAN_HAS_IT = 105  # below 200, yet the parcel is with the courier: a refusal means "too late"

_ALERT = CarrierStatus.ALERT
_MOVING = CarrierStatus.IN_TRANSIT

# ORDER_STATUS -> our status (§3.5). "No change" and "no change + alert" are both ALERT:
# understood, moves nothing, shown to staff.
STATUS_TABLE: dict[int, CarrierStatus] = {
    -100: _ALERT,  # new order, not yet approved by VTP
    -108: _ALERT,  # handed in at a post office by the sender
    -109: _ALERT,  # sent at a convenience-store point (CODE, one client)
    -110: _ALERT,  # same, handover in progress (CODE, one client)
    100: _ALERT,  # VTP received the order
    101: CarrierStatus.CANCELLED,  # VTP cancels the pickup (terminal)
    102: _ALERT,  # pending / pickup failed
    103: _ALERT,  # assigned to a post office for pickup
    104: _ALERT,  # assigned to a postman for pickup
    105: _MOVING,  # postman picked up
    106: _ALERT,  # partner asked to take goods back: semantics UNCONFIRMED
    107: CarrierStatus.CANCELLED,  # partner cancelled via API (terminal)
    200: _MOVING,  # picked up / received at origin post office
    201: CarrierStatus.CANCELLED,  # VTP cancels the order (terminal)
    202: _ALERT,  # waybill edited
    300: _MOVING,  # outbound manifest closed
    301: _MOVING,  # bag closed
    302: _MOVING,  # mail trip closed
    303: _MOVING,  # truck closed
    320: _MOVING,  # only in one client's map: UNCONFIRMED
    400: _MOVING,  # inbound manifest received
    401: _MOVING,  # bag received
    402: _MOVING,  # mail trip received
    403: _MOVING,  # truck received
    500: _MOVING,  # assigned to a postman for delivery
    501: CarrierStatus.DELIVERED,  # delivered (terminal)
    502: CarrierStatus.RETURNING,  # returning to origin post office
    503: CarrierStatus.CANCELLED,  # cancelled, or destroyed, at the customer's request (terminal)
    504: CarrierStatus.RETURNED,  # returned to sender (terminal)
    505: CarrierStatus.RETURNING,  # return requested
    506: CarrierStatus.FAILED,  # receiver away / no answer / reschedule
    507: CarrierStatus.FAILED,  # receiver will pick up at the post office
    508: _MOVING,  # re-delivery requested by the unit
    509: _MOVING,  # forwarded to another post office
    510: _MOVING,  # delivery assignment cancelled
    515: CarrierStatus.RETURNING,  # delivery post office approved the return
    550: _MOVING,  # re-delivery requested by the customer
    570: _MOVING,  # "delivering" in one client's map: UNCONFIRMED
}
CANCELLED_CODES = frozenset(
    code for code, s in STATUS_TABLE.items() if s is CarrierStatus.CANCELLED
)

_NOTES: dict[int, str] = {
    503: "VTP may mean the goods were destroyed at the customer's request",
    106: "partner asked VTP to take the goods back (meaning unconfirmed)",
}

_INSTRUCTIONS: dict[Instruction, str] = {
    Instruction.ALLOW_VIEWING: "Cho xem hàng, không cho thử",
    Instruction.ALLOW_TRYING: "Cho thử hàng",
    Instruction.NO_VIEWING: "Không cho xem hàng",
}


@dataclass(frozen=True)
class Place:
    province: int
    district: int
    ward: int


class ViettelPostCarrier:
    name = NAME

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        token: str,
        webhook_token: str | None = None,
        master_data: MasterData | None = None,
        timeout: float = wire.TIMEOUT_S,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._webhook_token = webhook_token
        self._master_data: MasterData = master_data or MemoryMasterData()
        self._timeout = timeout

    # -- protocol -------------------------------------------------------------------------

    async def quote(self, order: ShipmentOrder) -> Quote:
        sender = await self._place(order.sender.address)
        receiver = await self._place(order.receiver.address)
        body = {
            "SENDER_PROVINCE": sender.province,
            "SENDER_DISTRICT": sender.district,
            "RECEIVER_PROVINCE": receiver.province,
            "RECEIVER_DISTRICT": receiver.district,
            "PRODUCT_TYPE": PRODUCT_TYPE,
            "ORDER_SERVICE": SERVICE,
            "ORDER_SERVICE_ADD": "",
            "PRODUCT_WEIGHT": order.weight_g,
            "PRODUCT_PRICE": order.goods_value,
            "MONEY_COLLECTION": order.cod_amount,
            "PRODUCT_QUANTITY": _quantity(order),
            "PRODUCT_LENGTH": 0,
            "PRODUCT_WIDTH": 0,
            "PRODUCT_HEIGHT": 0,
            "NATIONAL_TYPE": 1,  # domestic
        }
        data = await self._call("POST", "/v2/order/getPrice", json=body)
        # KPI_HT (delivery time) is left out: its unit is UNCONFIRMED.
        return Quote(carrier=NAME, fee=_money(_object(data).get("MONEY_TOTAL")), service=SERVICE)

    async def create_shipment(self, order: ShipmentOrder) -> Shipment:
        body = await self._order_body(order)
        try:
            data = await self._call("POST", "/v2/order/createOrder", json=body)
        except CarrierError as error:
            if error.kind is not ErrorKind.REFUSED:
                raise
            # The wording of VTP's duplicate-ORDER_NUMBER refusal is not documented: any
            # refusal is checked against what VTP already holds for this order code.
            existing = await self._existing(order.order_code)
            if existing is None:
                raise
            return existing
        answer = _object(data)
        tracking = str(answer.get("ORDER_NUMBER") or "")
        if not tracking:
            raise CarrierError(NAME, "createOrder answered without ORDER_NUMBER", details=data)
        return Shipment(
            carrier=NAME,
            tracking_code=tracking,
            order_code=order.order_code,
            fee=_money(answer.get("MONEY_TOTAL")),
        )

    async def find_shipment(self, order_code: str) -> Shipment | None:
        """VTP documents no lookup by the partner's ORDER_NUMBER. The best substitute is the
        status pull `getOrderStatusByOrderNumber` (UNCONFIRMED path, and UNCONFIRMED whether it
        takes our reference as well as VTP's number); where VTP does not offer it, None, and
        create's refusal of a second ORDER_NUMBER is what keeps one order to one shipment."""
        entry = await self._lookup(order_code)
        if entry is None:
            return None
        reference = entry.get("ORDER_REFERENCE")
        if reference not in (None, "") and str(reference) != order_code:
            return None  # the pull answered for VTP's number, not for our order code
        tracking = str(entry.get("ORDER_NUMBER") or "")
        if not tracking:
            return None
        return Shipment(
            carrier=NAME,
            tracking_code=tracking,
            order_code=order_code,
            fee=_money(entry.get("MONEY_TOTAL")),
        )

    async def cancel(self, shipment: Shipment) -> None:
        body = {
            "TYPE": UPDATE_CANCEL,
            "ORDER_NUMBER": shipment.tracking_code,
            "NOTE": f"Shop huỷ đơn {shipment.order_code}",
        }
        try:
            await self._call("POST", "/v2/order/UpdateOrder", json=body)
        except CarrierError as error:
            if error.kind is not ErrorKind.REFUSED:
                raise
            await self._explain_refused_cancel(shipment, error)

    def authenticate(self, request: WebhookRequest) -> bool:
        """The secret we gave VTP comes back as the body's `TOKEN` (no HMAC, no header)."""
        if not self._webhook_token:
            return False
        try:
            fields = wire.decode_body(request.body, request.content_type)
        except UnreadableWebhook:
            return False
        return wire.same_secret(fields.get("TOKEN"), self._webhook_token)

    def parse_webhook(self, body: bytes, content_type: str) -> list[CarrierEvent]:
        fields = wire.decode_body(body, content_type)
        data = fields.get("DATA")
        if isinstance(data, str):  # a form-encoded body carries DATA as JSON text
            data = wire.json_field(data, "DATA")
        items = data if isinstance(data, list) else [data]
        objects = [item for item in items if isinstance(item, dict)]
        if not objects or len(objects) != len(items):
            raise UnreadableWebhook("no DATA object in the Viettel Post webhook")
        return [_event(item) for item in objects]

    # -- orders ---------------------------------------------------------------------------

    async def _order_body(self, order: ShipmentOrder) -> dict[str, Any]:
        sender = await self._place(order.sender.address)
        receiver = await self._place(order.receiver.address)
        cod = order.cod_amount
        note = " - ".join(part for part in (_INSTRUCTIONS[order.instruction], order.note) if part)
        return {
            "ORDER_NUMBER": order.order_code,
            # UNCONFIRMED: 0 = no registered pickup store, VTP takes the SENDER_* fields.
            "GROUPADDRESS_ID": 0,
            "CUS_ID": 0,
            "DELIVERY_DATE": datetime.now(wire.VIETNAM).strftime(TIME_FORMAT),
            **_contact("SENDER", order.sender.name, order.sender.phone, order.sender.address),
            "SENDER_PROVINCE": sender.province,
            "SENDER_DISTRICT": sender.district,
            "SENDER_WARD": sender.ward,
            "SENDER_LATITUDE": 0,
            "SENDER_LONGITUDE": 0,
            **_contact(
                "RECEIVER", order.receiver.name, order.receiver.phone, order.receiver.address
            ),
            "RECEIVER_PROVINCE": receiver.province,
            "RECEIVER_DISTRICT": receiver.district,
            "RECEIVER_WARD": receiver.ward,
            "RECEIVER_LATITUDE": 0,
            "RECEIVER_LONGITUDE": 0,
            "PRODUCT_NAME": _product_name(order),
            "PRODUCT_DESCRIPTION": _product_name(order),
            "PRODUCT_QUANTITY": _quantity(order),
            "PRODUCT_PRICE": order.goods_value,
            "PRODUCT_WEIGHT": order.weight_g,  # grams, as VTP wants
            "PRODUCT_LENGTH": 0,
            "PRODUCT_WIDTH": 0,
            "PRODUCT_HEIGHT": 0,
            "PRODUCT_TYPE": PRODUCT_TYPE,
            "ORDER_PAYMENT": PAY_COD_ONLY if cod > 0 else PAY_NOTHING,
            "ORDER_SERVICE": SERVICE,
            "ORDER_SERVICE_ADD": "",
            "ORDER_VOUCHER": "",
            "ORDER_NOTE": note,
            "MONEY_COLLECTION": cod,
            # Charges are computed by VTP; sent as 0. The insurance one uses VTP's double-R
            # spelling, as the Go client does (which spelling VTP accepts is UNCONFIRMED).
            "MONEY_TOTALFEE": 0,
            "MONEY_FEECOD": 0,
            "MONEY_FEEVAS": 0,
            "MONEY_FEEINSURRANCE": 0,
            "MONEY_FEE": 0,
            "MONEY_FEEOTHER": 0,
            "MONEY_TOTALVAT": 0,
            "MONEY_TOTAL": 0,
            # UNCONFIRMED whether LIST_ITEM prices are per unit or per line: per unit here.
            "LIST_ITEM": [
                {
                    "PRODUCT_NAME": item.name,
                    "PRODUCT_PRICE": item.unit_price,
                    "PRODUCT_WEIGHT": item.weight_g,
                    "PRODUCT_QUANTITY": item.quantity,
                }
                for item in order.items
            ],
        }

    async def _existing(self, order_code: str) -> Shipment | None:
        try:
            return await self.find_shipment(order_code)
        except CarrierError:
            return None

    async def _lookup(self, number: str) -> dict[str, Any] | None:
        """The status pull (UNCONFIRMED endpoint): the order VTP holds under `number`, or None
        when it holds none or does not offer the endpoint (HTTP 404)."""
        response = await self._send(
            "GET", "/v2/order/getOrderStatusByOrderNumber", params={"orderNumber": number}
        )
        if response.status_code == 404:
            return None
        try:
            data = self._read(response)
        except CarrierError as error:
            if error.kind is ErrorKind.REFUSED:
                return None  # VTP's "no such order"
            raise
        entries = data if isinstance(data, list) else [data]
        return next((entry for entry in entries if isinstance(entry, dict)), None)

    async def _explain_refused_cancel(self, shipment: Shipment, error: CarrierError) -> None:
        """VTP's refusal wording is undocumented, so the parcel's status says why."""
        try:
            entry = await self._lookup(shipment.tracking_code)
        except CarrierError:
            raise error from None
        if entry is None:
            raise CarrierError(NAME, error.message, kind=ErrorKind.NOT_FOUND, details=error.details)
        status = _int(entry.get("ORDER_STATUS"))
        if status in CANCELLED_CODES:
            return  # cancelled already: what we wanted
        if status is not None and (status >= PICKED_UP_FROM or status == POSTMAN_HAS_IT):
            raise CarrierError(
                NAME, error.message, kind=ErrorKind.ALREADY_PICKED, details=error.details
            )
        raise error

    # -- places ---------------------------------------------------------------------------

    async def _place(self, address: Address) -> Place:
        key = "place:" + "|".join(
            wire.name_key(part) for part in (address.province, address.district, address.ward)
        )
        cached = await self._master_data.get(NAME, key)
        if cached:
            return Place(*cached)
        if not address.ward:
            _refuse(f"no ward in the address {address.one_line()!r}")
        province = _match(await self._provinces(), address.province)
        if province is None:
            _refuse(f"Viettel Post does not know the province {address.province!r}")
        if address.district:
            district = _match(await self._districts(province), address.district)
            if district is None:
                _refuse(
                    f"Viettel Post does not know the district {address.district!r} "
                    f"in {address.province!r}"
                )
            ward = _match(await self._wards(district), address.ward)
            if ward is None:
                _refuse(
                    f"Viettel Post does not know the ward {address.ward!r} in "
                    f"{address.district!r}, {address.province!r}"
                )
        else:
            district, ward = await self._ward_without_district(province, address)
        place = Place(province, district, ward)
        await self._master_data.put(NAME, key, [place.province, place.district, place.ward])
        return place

    async def _ward_without_district(self, province: int, address: Address) -> tuple[int, int]:
        """UNCONFIRMED (the reference is silent on two-level addresses): VTP's lists still have
        districts, so the ward is looked for in every district of the province."""
        found: list[tuple[int, int]] = []
        for district, _ in await self._districts(province):
            ward = _match(await self._wards(district), address.ward)
            if ward is not None:
                found.append((district, ward))
        if not found:
            _refuse(f"Viettel Post does not know the ward {address.ward!r} in {address.province!r}")
        if len(set(found)) > 1:
            _refuse(
                f"the ward {address.ward!r} is in several districts of {address.province!r} at "
                "Viettel Post: the address needs its district"
            )
        return found[0]

    async def _provinces(self) -> list[tuple[int, str]]:
        return await self._category("provinces", "listProvince", {}, "PROVINCE_ID", "PROVINCE_NAME")

    async def _districts(self, province: int) -> list[tuple[int, str]]:
        return await self._category(
            f"districts:{province}",
            "listDistrict",
            {"provinceId": province},
            "DISTRICT_ID",
            "DISTRICT_NAME",
        )

    async def _wards(self, district: int) -> list[tuple[int, str]]:
        return await self._category(
            f"wards:{district}", "listWards", {"districtId": district}, "WARDS_ID", "WARDS_NAME"
        )

    async def _category(
        self, key: str, endpoint: str, params: dict[str, Any], id_field: str, name_field: str
    ) -> list[tuple[int, str]]:
        cached = await self._master_data.get(NAME, key)
        if cached is None:
            data = await self._call("GET", f"/v2/categories/{endpoint}", params=params)
            rows = data if isinstance(data, list) else []
            cached = [
                [row[id_field], str(row.get(name_field) or "")]
                for row in rows
                if isinstance(row, dict) and _int(row.get(id_field)) is not None
            ]
            await self._master_data.put(NAME, key, cached)
        return [(int(ident), name) for ident, name in cached]

    # -- HTTP -----------------------------------------------------------------------------

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await wire.send(
            self._http,
            NAME,
            method,
            self._base_url + path,
            headers={"Token": self._token},
            timeout=self._timeout,
            **kwargs,
        )

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._read(await self._send(method, path, **kwargs))

    def _read(self, response: httpx.Response) -> Any:
        """`data` of a success envelope; VTP's refusals (usually HTTP 200) as CarrierError."""
        code = response.status_code
        if 400 <= code < 500:
            try:
                body = response.json()
            except ValueError:
                raise CarrierError(
                    NAME, f"HTTP {code}: {response.text[:300]}", status=code
                ) from None
        else:
            body = wire.json_of(NAME, response)
        if not isinstance(body, dict):
            return body  # getPriceAll answers a bare array
        if _refused(body) or code >= 400:
            message = str(body.get("message") or f"refused (HTTP {code}) without a message")
            status = _int(body.get("status"))
            kind = ErrorKind.AUTH if status in (401, 403) else ErrorKind.REFUSED
            raise CarrierError(NAME, message, kind=kind, status=code, details=body)
        return body.get("data")


# -- webhook ------------------------------------------------------------------------------


def _event(data: dict[str, Any]) -> CarrierEvent:
    tracking = str(data.get("ORDER_NUMBER") or "").strip()
    status_value = data.get("ORDER_STATUS")
    raw = "" if status_value is None else str(status_value).strip()
    stamp = str(data.get("ORDER_STATUSDATE") or "").strip()
    missing = [
        name
        for name, value in (
            ("ORDER_NUMBER", tracking),
            ("ORDER_STATUS", raw),
            ("ORDER_STATUSDATE", stamp),
        )
        if not value
    ]
    if missing:
        raise UnreadableWebhook(f"Viettel Post webhook without {', '.join(missing)}")
    # UNCONFIRMED: ORDER_STATUSDATE has no zone; read as Vietnam time like every VTP time.
    at = wire.parse_time(stamp, TIME_FORMAT)
    if at is None:
        raise UnreadableWebhook(f"unreadable ORDER_STATUSDATE {stamp!r}")
    code = _int(raw)
    status, reason = _status(code, raw, data)
    reference = str(data.get("ORDER_REFERENCE") or "").strip()
    return CarrierEvent(
        carrier=NAME,
        dedupe_key=f"{tracking}:{raw}:{stamp}",
        raw_status=raw,
        status=status,
        at=at,
        tracking_code=tracking,
        order_code=reference or None,
        cod_amount=_int(data.get("MONEY_COLLECTION")),
        # No COD payout field is known for VTP (payouts are reconciled on its portal).
        cod_transferred=False,
        reason=reason,
    )


def _status(code: int | None, raw: str, data: dict[str, Any]) -> tuple[CarrierStatus, str]:
    words = [str(data.get(name) or "").strip() for name in ("STATUS_NAME", "NOTE")]
    if code is None or code not in STATUS_TABLE:
        return CarrierStatus.ALERT, "; ".join([f"unknown status {raw}", *filter(None, words)])
    status = STATUS_TABLE[code]
    if status is CarrierStatus.IN_TRANSIT and _truthy(data.get("IS_RETURNING")):
        status = CarrierStatus.RETURNING  # the same moves, on the way back to the shop
    return status, "; ".join(filter(None, [*words, _NOTES.get(code, "")]))


# -- small helpers ------------------------------------------------------------------------


def _refuse(message: str) -> NoReturn:
    raise CarrierError(NAME, message, kind=ErrorKind.REFUSED)


def _refused(body: dict[str, Any]) -> bool:
    if body.get("error") is True or str(body.get("error")).lower() == "true":
        return True
    status = _int(body.get("status"))
    return status is not None and status != 200


def _match(entries: list[tuple[int, str]], name: str) -> int | None:
    wanted = wire.name_key(name)
    return next((ident for ident, label in entries if wire.name_key(label) == wanted), None)


def _contact(role: str, name: str, phone: str, address: Address) -> dict[str, str]:
    return {
        f"{role}_FULLNAME": name,
        f"{role}_ADDRESS": address.one_line(),
        f"{role}_PHONE": phone,
        f"{role}_EMAIL": "",
    }


def _product_name(order: ShipmentOrder) -> str:
    return ", ".join(f"{item.name} x{item.quantity}" for item in order.items)[:250]


def _quantity(order: ShipmentOrder) -> int:
    return max(1, sum(item.quantity for item in order.items))


def _object(data: Any) -> dict[str, Any]:
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return data[0]
    return data if isinstance(data, dict) else {}


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _money(value: Any) -> int:
    """Whole VND; VTP sometimes writes amounts as decimals."""
    if isinstance(value, bool) or value in (None, ""):
        return 0
    try:
        return round(float(str(value).strip()))
    except ValueError:
        return 0


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "y", "yes")
