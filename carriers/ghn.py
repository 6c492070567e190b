"""GHN (Giao Hàng Nhanh) behind the `Carrier` protocol.

Why it looks the way it does (facts from `../shared/reference/carriers.md` §1):

- GHN wants its own ids: `to_district_id` (int) and `to_ward_code` (a *string*) from its
  master-data lists. We match our names against those lists with `wire.name_key` and keep what
  we learn in `MasterData`, so a place is looked up once. GHN also documents a name-based create
  (`to_ward_name` …); `address_mode="names"` uses it for create (the fee endpoint has no name
  variant, so quotes always use ids).
- The 2025 two-level addresses (province and ward, no district): whether GHN takes the new
  codes is UNCONFIRMED, so we look for the ward in every district of the province and use the
  old district id it sits under.
- GHN answers refusals with HTTP 400 and a `{code, message, code_message}` envelope, and some
  auth refusals (bad ShopId) as plain envelopes; the ShopId ones count as AUTH here.
- Creating twice with one `client_order_code`: GHN's answer is not documented in the reference
  (one copy of the docs says it hands the existing order back). Either way a refused create is
  checked against `detail-by-client-code` before it is reported, so one order never gets two
  GHN shipments.
- Cancel: which statuses GHN still cancels, and how it says no, are UNCONFIRMED. A refusal
  (per-order `result: false` or an error envelope) is explained by reading the parcel's status:
  past pickup means ALREADY_PICKED, already `cancel` means done.
- Webhooks carry no signature; the callback URL we register carries `?token=<secret>`. Events
  have no id: the dedupe key is OrderCode+Type+Status+Time (reference §0), plus the COD
  transfer date when there is one, so the payout report is never taken for a repeat of the
  delivery report it may otherwise equal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from carriers import wire
from carriers.base import (
    Address,
    CarrierError,
    CarrierEvent,
    CarrierStatus,
    Contact,
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

NAME = "ghn"
SERVICE_TYPE_LIGHT = 2  # "hàng nhẹ": priced on the parcel's weight and box (5 is heavy goods)
PAYMENT_BY_SHOP = 1  # payment_type_id: 1 = the shop pays the fee, 2 = the buyer
# ShipmentOrder has no dimensions but GHN requires them for light goods; a small shop box.
BOX_CM = (20, 15, 10)
PRINT_PAPERS = {"A5": "printA5", "80x80": "print80x80", "52x70": "print52x70"}

_MOVING = CarrierStatus.IN_TRANSIT
_ALERT = CarrierStatus.ALERT  # "no change" and "no change + alert" alike: recorded for staff

STATUS_TABLE: dict[str, CarrierStatus] = {
    "ready_to_pick": _ALERT,  # created, waiting for pickup
    "picking": _ALERT,  # courier on the way to pick up
    "money_collect_picking": _ALERT,  # courier collecting money at pickup
    "picked": _MOVING,
    "storing": _MOVING,  # in a GHN warehouse
    "transporting": _MOVING,  # between hubs
    "sorting": _MOVING,
    "delivering": _MOVING,  # out for delivery
    "money_collect_delivering": _MOVING,  # courier collecting COD from the buyer
    "delivered": CarrierStatus.DELIVERED,
    "delivery_fail": CarrierStatus.FAILED,  # attempt failed; GHN retries or returns
    "waiting_to_return": CarrierStatus.RETURNING,
    "return": CarrierStatus.RETURNING,
    "return_transporting": CarrierStatus.RETURNING,
    "return_sorting": CarrierStatus.RETURNING,
    "returning": CarrierStatus.RETURNING,
    "return_fail": CarrierStatus.RETURNING,  # flagged for ops, see _NOTES
    "returned": CarrierStatus.RETURNED,
    "cancel": CarrierStatus.CANCELLED,
    "exception": _ALERT,
    "damage": _ALERT,
    "lost": _ALERT,
    "scrap": _ALERT,  # listed by one integration only: UNCONFIRMED
}
BEFORE_PICKUP = frozenset({"ready_to_pick", "picking", "money_collect_picking"})

_NOTES: dict[str, str] = {
    "return_fail": "GHN could not hand the return back to the shop",
    "exception": "GHN is handling an exception on this parcel",
    "damage": "GHN reports the goods damaged: claim compensation",
    "lost": "GHN reports the goods lost: claim compensation",
    "scrap": "GHN reports the parcel scrapped (status not confirmed)",
}

# Webhook `Type`s (the doc capitalises them, the sample does not: compared in lower case).
STATUS_TYPES = frozenset({"create", "switch_status"})
UPDATE_TYPES = frozenset({"update_weight", "update_cod", "update_fee"})

_REQUIRED_NOTES: dict[Instruction, str] = {
    Instruction.ALLOW_TRYING: "CHOTHUHANG",
    Instruction.ALLOW_VIEWING: "CHOXEMHANGKHONGTHU",
    Instruction.NO_VIEWING: "KHONGCHOXEMHANG",
}

# code_message values that mean our token or shop id is wrong, not the request.
_AUTH_CODES = frozenset(
    {
        "TOKEN_IS_REQUIRED",
        "TOKEN_IS_INVALID",
        "TOKEN_IS_EXPIRED",
        "SHOP_NOT_FOUND",
        "CLIENT_NOT_OWNER_OF_SHOP",
    }
)
# How GHN words "no such order" (the reference gives no code for it; these are its messages).
_NOT_FOUND_WORDS = ("khong ton tai", "khong tim thay", "not found", "code 404")
# GHN's "never" date (soc API) means "not yet".
_ZERO_DATES = ("0001-01-01", "null", "none")


@dataclass(frozen=True)
class Place:
    district_id: int
    ward_code: str


class GhnCarrier:
    name = NAME

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        token: str,
        shop_id: int,
        webhook_token: str | None = None,
        master_data: MasterData | None = None,
        timeout: float = wire.TIMEOUT_S,
        address_mode: Literal["ids", "names"] = "ids",
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        # Print pages live beside the API, without its `/shiip/public-api` prefix.
        self._print_base = self._base_url.removesuffix("/shiip/public-api")
        self._token = token
        self._shop_id = shop_id
        self._webhook_token = webhook_token
        self._master_data: MasterData = master_data or MemoryMasterData()
        self._timeout = timeout
        self._address_mode = address_mode

    # -- protocol -------------------------------------------------------------------------

    async def quote(self, order: ShipmentOrder) -> Quote:
        """GHN's fee for the route. No delivery estimate: GHN's leadtime endpoint wants a
        `service_id`, which we do not pick (we send `service_type_id`)."""
        sender = await self._place(order.sender.address)
        receiver = await self._place(order.receiver.address)
        body = {
            "service_type_id": SERVICE_TYPE_LIGHT,
            "from_district_id": sender.district_id,
            "from_ward_code": sender.ward_code,
            "to_district_id": receiver.district_id,
            "to_ward_code": receiver.ward_code,
            **_parcel(order),
            "insurance_value": order.goods_value,
            "cod_value": order.cod_amount,
        }
        data = _object(await self._call("v2/shipping-order/fee", body), "fee")
        return Quote(NAME, _money(data.get("total")), str(SERVICE_TYPE_LIGHT))

    async def create_shipment(self, order: ShipmentOrder) -> Shipment:
        body = await self._create_body(order)
        try:
            data = await self._call("v2/shipping-order/create", body)
        except CarrierError as error:
            if error.kind is not ErrorKind.REFUSED:
                raise
            # Perhaps refused because it exists (a retry after a lost answer): look first.
            existing = await self._find_quietly(order.order_code)
            if existing is None:
                raise
            return existing
        data = _object(data, "create")
        tracking = _text(data.get("order_code"))
        if not tracking:
            raise CarrierError(NAME, f"create answered without an order_code: {data}")
        return Shipment(
            NAME,
            tracking,
            order.order_code,
            _money(data.get("total_fee")),
            wire.parse_time(data.get("expected_delivery_time")),
        )

    async def find_shipment(self, order_code: str) -> Shipment | None:
        """`detail-by-client-code` (CODE: several integrations and a copy of GHN's docs); the
        fee comes from the order's fee detail (`soc`), which the order detail lacks."""
        try:
            data = await self._call(
                "v2/shipping-order/detail-by-client-code", {"client_order_code": order_code}
            )
        except CarrierError as error:
            if _is_not_found(error):
                return None
            raise
        detail = _first(data)
        tracking = _text(detail.get("order_code")) if detail else ""
        if not tracking:
            return None
        return Shipment(
            NAME,
            tracking,
            _text(detail.get("client_order_code")) or order_code,
            await self._fee_of(tracking),
            wire.parse_time(detail.get("leadtime")),
        )

    async def cancel(self, shipment: Shipment) -> None:
        tracking = shipment.tracking_code
        try:
            data = await self._call("v2/switch-status/cancel", {"order_codes": [tracking]})
        except CarrierError as error:
            if error.kind is not ErrorKind.REFUSED:
                raise
            await self._explain_refused_cancel(tracking, error.message, error)
            return
        result = next(
            (r for r in data or [] if isinstance(r, dict) and r.get("order_code") == tracking),
            None,
        )
        if result is not None and result.get("result") is True:
            return
        message = _text(result.get("message")) if result else ""
        await self._explain_refused_cancel(
            tracking, message or f"GHN did not confirm cancelling {tracking}", None
        )

    def authenticate(self, request: WebhookRequest) -> bool:
        """GHN signs nothing; the callback URL we give GHN carries `?token=<secret>`."""
        return wire.same_secret(request.query.get("token"), self._webhook_token)

    def parse_webhook(self, body: bytes, content_type: str) -> list[CarrierEvent]:
        return [_event(wire.decode_body(body, content_type))]

    # -- beyond the protocol --------------------------------------------------------------

    async def label(self, shipment: Shipment, *, paper: str = "A5") -> bytes | None:
        """GHN's printable label page: a short-lived print token, then the page for `paper`
        ("A5", "80x80" or "52x70"). None when GHN hands back an empty page."""
        if paper not in PRINT_PAPERS:
            raise ValueError(f"paper must be one of {sorted(PRINT_PAPERS)}")
        data = await self._call(
            "v2/a5/gen-token", {"order_codes": [shipment.tracking_code]}, shop=False
        )
        token = _text(_object(data, "gen-token").get("token"))
        if not token:
            raise CarrierError(NAME, f"gen-token answered without a token: {data}")
        response = await wire.send(
            self._http,
            NAME,
            "GET",
            f"{self._print_base}/a5/public-api/{PRINT_PAPERS[paper]}",
            params={"token": token},
            timeout=self._timeout,
        )
        if response.status_code != 200:
            raise CarrierError(
                NAME,
                f"label page answered HTTP {response.status_code}: {response.text[:200]}",
                status=response.status_code,
            )
        return response.content or None

    # -- calls ----------------------------------------------------------------------------

    async def _call(
        self,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        shop: bool = True,
    ) -> Any:
        headers = {"Token": self._token}
        if shop:
            headers["ShopId"] = str(self._shop_id)
        method = "GET" if body is None else "POST"
        response = await wire.send(
            self._http,
            NAME,
            method,
            f"{self._base_url}/{path}",
            json=body,
            params=params,
            headers=headers,
            timeout=self._timeout,
        )
        answer = wire.json_of(NAME, response)
        if not isinstance(answer, dict):
            raise CarrierError(
                NAME,
                f"unexpected answer (HTTP {response.status_code}): {str(answer)[:200]}",
                kind=ErrorKind.UNAVAILABLE,
                status=response.status_code,
            )
        if answer.get("code") == 200:
            return answer.get("data")
        raise _refusal(answer, response.status_code)

    async def _fee_of(self, tracking: str) -> int:
        data = _object(await self._call("v2/shipping-order/soc", {"order_code": tracking}), "soc")
        detail = data.get("detail")
        if not isinstance(detail, dict):
            detail = {}
        charged = sum(_money(v) for k, v in detail.items() if k != "coupon")
        return charged - _money(detail.get("coupon"))

    async def _find_quietly(self, order_code: str) -> Shipment | None:
        try:
            return await self.find_shipment(order_code)
        except CarrierError:
            return None

    async def _status_of(self, tracking: str) -> str:
        data = await self._call("v2/shipping-order/detail", {"order_code": tracking})
        return _text(_first(data).get("status")).lower()

    async def _explain_refused_cancel(
        self, tracking: str, message: str, cause: CarrierError | None
    ) -> None:
        """GHN said no to a cancel; what the parcel's status says about why. The statuses GHN
        still cancels in are UNCONFIRMED (the reference names ready_to_pick and picking)."""
        try:
            status = await self._status_of(tracking)
        except CarrierError as error:
            if _is_not_found(error):
                raise CarrierError(
                    NAME, message or error.message, kind=ErrorKind.NOT_FOUND
                ) from error
            if cause is not None:
                raise cause from error
            raise
        if status == "cancel":
            return  # cancelled already: what we wanted
        why = message or f"GHN refused to cancel {tracking}"
        if status and status not in BEFORE_PICKUP:
            raise CarrierError(
                NAME, f"{why} (status {status})", kind=ErrorKind.ALREADY_PICKED
            ) from cause
        raise CarrierError(NAME, why, details={"status": status}) from cause

    # -- building the order ---------------------------------------------------------------

    async def _create_body(self, order: ShipmentOrder) -> dict[str, Any]:
        body: dict[str, Any] = {
            "payment_type_id": PAYMENT_BY_SHOP,
            "required_note": _REQUIRED_NOTES[order.instruction],
            "client_order_code": order.order_code,
            **_contact("from", order.sender),
            **_contact("to", order.receiver, with_names=self._address_mode == "names"),
            "service_type_id": SERVICE_TYPE_LIGHT,
            **_parcel(order),
            "cod_amount": order.cod_amount,
            "insurance_value": order.goods_value,
            "note": order.note,
            "content": ", ".join(f"{item.quantity} x {item.name}" for item in order.items),
            "items": [
                {
                    "name": item.name,
                    "code": item.sku or "",
                    "quantity": item.quantity,
                    "price": item.unit_price,
                    "weight": item.weight_g,
                }
                for item in order.items
            ],
        }
        if self._address_mode == "ids":
            receiver = await self._place(order.receiver.address)
            body["to_district_id"] = receiver.district_id
            body["to_ward_code"] = receiver.ward_code
        return body

    # -- master data ----------------------------------------------------------------------

    async def _place(self, address: Address) -> Place:
        key = "place:" + "|".join(
            wire.name_key(part) for part in (address.province, address.district, address.ward)
        )
        cached = await self._master_data.get(NAME, key)
        if isinstance(cached, dict):
            return Place(int(cached["district_id"]), str(cached["ward_code"]))
        province_id = await self._province_id(address.province)
        if address.district:
            districts = await self._districts(province_id)
            district_id = _pick(districts, address.district, f"district {address.district!r}")
            wards = await self._wards(district_id)
            ward_code = _pick(wards, address.ward, f"ward {address.ward!r} in {address.district}")
            place = Place(int(district_id), str(ward_code))
        else:
            place = await self._ward_in_province(province_id, address)
        await self._master_data.put(
            NAME, key, {"district_id": place.district_id, "ward_code": place.ward_code}
        )
        return place

    async def _ward_in_province(self, province_id: int, address: Address) -> Place:
        """A two-level address: GHN's support for the new units is UNCONFIRMED, so the ward is
        looked for under every (old) district of the province. Two hits are refused."""
        wanted = wire.name_key(address.ward)
        found: list[Place] = []
        for district_id in sorted(set((await self._districts(province_id)).values())):
            code = (await self._wards(district_id)).get(wanted)
            if code is not None:
                found.append(Place(district_id, str(code)))
        if not found:
            raise _unknown_place(f"ward {address.ward!r} in {address.province}")
        if len(found) > 1:
            raise CarrierError(
                NAME,
                f"ward {address.ward!r} is ambiguous in {address.province}: it exists in "
                f"{len(found)} GHN districts; give the district",
            )
        return found[0]

    async def _province_id(self, name: str) -> int:
        provinces = await self._list(
            "provinces", "master-data/province", {}, "ProvinceID", "ProvinceName"
        )
        return int(_pick(provinces, name, f"province {name!r}"))

    async def _districts(self, province_id: int) -> dict[str, Any]:
        return await self._list(
            f"districts:{province_id}",
            "master-data/district",
            {"province_id": province_id},
            "DistrictID",
            "DistrictName",
        )

    async def _wards(self, district_id: int) -> dict[str, Any]:
        return await self._list(
            f"wards:{district_id}",
            "master-data/ward",
            {"district_id": district_id},
            "WardCode",
            "WardName",
        )

    async def _list(
        self, key: str, path: str, params: dict[str, Any], id_field: str, name_field: str
    ) -> dict[str, Any]:
        """One of GHN's lists as {name key: id}, names and their `NameExtension` spellings
        alike, fetched once and kept in MasterData."""
        cached = await self._master_data.get(NAME, key)
        if isinstance(cached, dict):
            return cached
        rows = await self._call(path, params=params, shop=False)
        index: dict[str, Any] = {}
        for row in rows if isinstance(rows, list) else []:
            if not isinstance(row, dict) or row.get(id_field) in (None, ""):
                continue
            names = [row.get(name_field), *(row.get("NameExtension") or [])]
            for name in names:
                if isinstance(name, str) and wire.name_key(name):
                    index.setdefault(wire.name_key(name), row[id_field])
        if index:  # an empty answer is not kept: it may be GHN's bad minute, not the truth
            await self._master_data.put(NAME, key, index)
        return index


# -- wire helpers ---------------------------------------------------------------------------


def _parcel(order: ShipmentOrder) -> dict[str, int]:
    length, width, height = BOX_CM
    return {"weight": order.weight_g, "length": length, "width": width, "height": height}


def _contact(role: str, contact: Contact, *, with_names: bool = True) -> dict[str, str]:
    """Name, phone, the whole address line (GHN geocodes it) and, unless the ids stand in for
    them, the place names (the sender's always: create takes no sender ids)."""
    address = contact.address
    fields = {
        f"{role}_name": contact.name,
        f"{role}_phone": contact.phone,
        f"{role}_address": address.one_line(),
    }
    if with_names:
        fields[f"{role}_ward_name"] = address.ward
        fields[f"{role}_province_name"] = address.province
        if address.district:
            fields[f"{role}_district_name"] = address.district
    return fields


def _pick(index: Mapping[str, Any], name: str, what: str) -> Any:
    found = index.get(wire.name_key(name)) if name.strip() else None
    if found is None:
        raise _unknown_place(what)
    return found


def _unknown_place(what: str) -> CarrierError:
    return CarrierError(NAME, f"GHN does not know the {what}", kind=ErrorKind.REFUSED)


def _refusal(answer: Mapping[str, Any], http_status: int) -> CarrierError:
    code = answer.get("code")
    code_message = _text(answer.get("code_message"))
    message = (
        _text(answer.get("message"))
        or _text(answer.get("code_message_value"))
        or code_message
        or f"GHN refused the request (HTTP {http_status})"
    )
    kind = ErrorKind.REFUSED
    if code in (401, 403) or code_message in _AUTH_CODES or "code=401" in message:
        kind = ErrorKind.AUTH
    elif isinstance(code, int) and (code >= 500 or code == 429):
        kind = ErrorKind.UNAVAILABLE
    return CarrierError(NAME, message, kind=kind, status=http_status, details=dict(answer))


def _is_not_found(error: CarrierError) -> bool:
    if error.kind is not ErrorKind.REFUSED:
        return False
    details = error.details if isinstance(error.details, dict) else {}
    if details.get("code") == 404:
        return True
    return any(words in _fold(error.message) for words in _NOT_FOUND_WORDS)


def _fold(text: str) -> str:
    """Lower case, no diacritics, punctuation as spaces: for matching GHN's wording."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CarrierError(NAME, f"{what} answered without data: {str(data)[:200]}")
    return data


def _first(data: Any) -> dict[str, Any]:
    """Order detail comes as an object, or (in GHN's own sample) as a list of one."""
    if isinstance(data, list):
        data = next((row for row in data if isinstance(row, dict)), None)
    return data if isinstance(data, dict) else {}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _money(value: Any) -> int:
    """Whole VND; GHN sends some amounts as text ("33000")."""
    if value in (None, "") or isinstance(value, bool):
        return 0
    try:
        return round(float(value))
    except (TypeError, ValueError):
        return 0


def _optional_int(value: Any) -> int | None:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return round(float(value))
    except (TypeError, ValueError):
        return None


def _is_set(date: Any) -> bool:
    text = _text(date).lower()
    return bool(text) and not text.startswith(_ZERO_DATES)


def _truthy(value: Any) -> bool:
    return value is True or _text(value).lower() in ("true", "1")


# -- webhooks -------------------------------------------------------------------------------


def _event(fields: Mapping[str, Any]) -> CarrierEvent:
    tracking = _text(fields.get("OrderCode"))
    raw = _text(fields.get("Status"))
    if not tracking:
        raise UnreadableWebhook("GHN webhook without OrderCode")
    if not raw:
        raise UnreadableWebhook(f"GHN webhook for {tracking} without Status")
    at = wire.parse_time(fields.get("Time"))
    if at is None:
        raise UnreadableWebhook(f"GHN webhook for {tracking} without a readable Time")
    kind = _text(fields.get("Type")).lower()
    transfer = fields.get("CODTransferDate")
    transferred = _is_set(transfer)
    key = f"{tracking}|{kind}|{raw.lower()}|{at.isoformat()}"
    if transferred:
        key += f"|cod_transferred:{_text(transfer)}"
    status, note = _meaning(kind, raw.lower(), fields)
    return CarrierEvent(
        carrier=NAME,
        dedupe_key=key,
        raw_status=raw,
        status=status,
        at=at,
        tracking_code=tracking,
        order_code=_text(fields.get("ClientOrderCode")) or None,
        cod_amount=_optional_int(fields.get("CODAmount")),
        cod_transferred=transferred,
        reason=_reason(note, fields),
    )


def _meaning(kind: str, status: str, fields: Mapping[str, Any]) -> tuple[CarrierStatus, str]:
    """A status report moves the order; a correction (COD, fee, weight) only tells staff."""
    if kind in UPDATE_TYPES:
        return _ALERT, _update_note(kind, fields)
    if kind and kind not in STATUS_TYPES:
        return _ALERT, f"unknown webhook type {kind} (status {status})"
    mapped = STATUS_TABLE.get(status)
    if mapped is None:
        return _ALERT, f"unknown status {status}"
    return mapped, _NOTES.get(status, "")


def _update_note(kind: str, fields: Mapping[str, Any]) -> str:
    if kind == "update_cod":
        return f"GHN changed the COD amount to {_money(fields.get('CODAmount')):,} đ"
    if kind == "update_fee":
        return f"GHN changed the fee to {_money(fields.get('TotalFee')):,} đ"
    weight = _money(fields.get("Weight"))
    converted = _money(fields.get("ConvertedWeight"))
    return f"GHN re-weighed the parcel: {weight} g, charged as {max(weight, converted)} g"


def _reason(note: str, fields: Mapping[str, Any]) -> str:
    reason = _text(fields.get("Reason"))
    code = _text(fields.get("ReasonCode"))
    words = f"{reason} ({code})" if reason and code else reason or _text(fields.get("Description"))
    parts = [note, words]
    if _truthy(fields.get("IsPartialReturn")):
        parts.append(f"partial delivery, return parcel {_text(fields.get('PartialReturnCode'))}")
    return "; ".join(part for part in parts if part)
