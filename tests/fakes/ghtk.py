"""A local GHTK partner API answering as services.giaohangtietkiem.vn does, per the reference
(`../shared/reference/carriers.md` §2).

It checks the `Token` (and `X-Client-Source`, when the fake is given one) headers, the fields,
types and units the reference lists (products in kilograms, the fee API in whole grams),
refuses in GHTK's `{success: false, message, log_id}` envelope with a message naming the field
or place, keeps its shipments (so lookup by our `partner_id`, cancel and duplicate refusal
work), lets a test move a shipment on (`set_status`), serves PDF labels and records every
request. GHTK takes places by name, so there are no master-data endpoints; the fake knows a few
places and refuses others.

What the reference leaves open, and the fake decides: HTTP 401 for a refused token, HTTP 200
for every refusal envelope, the wording of messages, refusing a product over 20 kg (the usual
sign of grams sent as kg), accepting an empty district for a ward it knows in the 2025
two-level scheme, and refusing a second order with the same `order.id` even after a cancel.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from carriers.wire import name_key
from tests.fakes.carrier_faults import Faults, Handler

MAX_PRODUCT_KG = 20.0
FIRST_TRACKING_ID = 17373471

# (province, district) -> wards, the old three-level scheme.
THREE_LEVEL: dict[tuple[str, str], tuple[str, ...]] = {
    ("Thành phố Hồ Chí Minh", "Quận 1"): ("Phường Bến Nghé", "Phường Bến Thành"),
    ("Thành phố Hồ Chí Minh", "Quận 3"): ("Phường Võ Thị Sáu",),
    ("Thành phố Hà Nội", "Quận Hai Bà Trưng"): ("Phường Phạm Đình Hổ", "Phường Bạch Đằng"),
    ("Thành phố Hà Nội", "Quận Ba Đình"): ("Phường Điện Biên",),
    ("Thành phố Đà Nẵng", "Quận Hải Châu"): ("Phường Thạch Thang",),
}
# province -> wards, the 2025 two-level scheme.
TWO_LEVEL: dict[str, tuple[str, ...]] = {
    "Thành phố Hà Nội": ("Phường Hai Bà Trưng", "Phường Ba Đình"),
    "Thành phố Hồ Chí Minh": ("Phường Sài Gòn", "Phường Bến Thành"),
}

STATUS_TEXT = {
    -1: "Hủy đơn hàng",
    1: "Chưa tiếp nhận",
    2: "Đã tiếp nhận",
    3: "Đã lấy hàng/Đã nhập kho",
    4: "Đã điều phối giao hàng/Đang giao hàng",
    5: "Đã giao hàng/Chưa đối soát",
    6: "Đã đối soát",
    9: "Không giao được hàng",
    12: "Đang lấy hàng",
    20: "Đang trả hàng",
    21: "Đã trả hàng",
}
CANCELLABLE = frozenset({1, 2, 12})


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: CIMultiDictProxy[str]
    json: Any


@dataclass
class FakeShipment:
    label: str
    partner_id: str
    tracking_id: int
    fee: int
    insurance_fee: int
    weight_g: int
    pick_money: int
    value: int
    is_freeship: str
    order: dict[str, Any]
    products: list[dict[str, Any]]
    status_id: int = 2
    history: list[int] = field(default_factory=list)


class Refused(Exception):
    def __init__(self, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class FakeGhtk:
    def __init__(
        self, *, token: str = "fake-ghtk-token", client_source: str | None = "S22737331"
    ) -> None:
        self.token = token
        self.client_source = client_source
        self.shipments: dict[str, FakeShipment] = {}  # by partner_id (our order code)
        self.requests: list[Recorded] = []
        self.faults = Faults(envelope=self._refusal)
        self._logs = itertools.count(1)
        self._tracking_ids = itertools.count(FIRST_TRACKING_ID)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record, self.faults.middleware, self._auth])
        app.router.add_get("/services/shipment/fee", self._fee)
        app.router.add_post("/services/shipment/order", self._create)
        app.router.add_post("/services/shipment/order/", self._create)
        app.router.add_get("/services/shipment/v2/{ref}", self._status)
        app.router.add_post("/services/shipment/cancel/{ref}", self._cancel)
        app.router.add_get("/services/label/{label}", self._label)
        return app

    # -- for tests ---------------------------------------------------------------------------

    def sent(self, path_part: str) -> list[Recorded]:
        return [request for request in self.requests if path_part in request.path]

    def shipment_for(self, order_code: str) -> FakeShipment | None:
        return self.shipments.get(order_code)

    def set_status(self, order_code: str, status_id: int) -> None:
        shipment = self.shipments[order_code]
        shipment.history.append(shipment.status_id)
        shipment.status_id = status_id

    # -- wire format -------------------------------------------------------------------------

    def _refusal(self, message: str, status: int = 200) -> web.Response:
        body = {"success": False, "message": message, "log_id": f"fakelog{next(self._logs)}"}
        return web.json_response(body, status=status)

    def _ok(self, **fields: Any) -> web.Response:
        return web.json_response({"success": True, "message": "", **fields})

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body: Any = None
        raw = await request.read()  # cached: handlers read it again
        if raw and request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                body = raw.decode(errors="replace")
        self.requests.append(
            Recorded(
                request.method,
                request.path,
                dict(request.query),
                CIMultiDictProxy(CIMultiDict(request.headers)),
                body,
            )
        )
        try:
            return await handler(request)
        except Refused as refused:
            return self._refusal(refused.message, refused.status)

    @web.middleware
    async def _auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.headers.get("Token") != self.token:
            raise Refused("Token không hợp lệ hoặc đã hết hạn", 401)
        if self.client_source and request.headers.get("X-Client-Source") != self.client_source:
            raise Refused("X-Client-Source không hợp lệ", 401)
        return await handler(request)

    # -- endpoints ---------------------------------------------------------------------------

    async def _fee(self, request: web.Request) -> web.Response:
        query = request.query
        for name in ("pick_province", "pick_district", "province", "district", "weight"):
            if name not in query:
                raise Refused(f"Thiếu tham số {name}")
        if query.get("deliver_option") not in ("xteam", "none"):
            raise Refused("deliver_option phải là xteam hoặc none")
        weight = query["weight"]
        if not weight.isdigit() or int(weight) < 1:
            raise Refused(f"weight phải là số nguyên gram, nhận được {weight!r}")
        value = _whole(query.get("value", "0"), "value")
        _place(query, "pick_", "lấy hàng")
        _place(query, "", "giao hàng")
        name, fee = fee_for(query["pick_province"], query["province"], int(weight))
        fees = {"name": name, "fee": fee, "insurance_fee": insurance_for(value), "delivery": True}
        return self._ok(fee=fees)

    async def _create(self, request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            raise Refused("Fake GHTK takes JSON bodies only")
        try:
            body = await request.json()
        except ValueError as error:
            raise Refused(f"Body không phải JSON: {error}") from error
        products = _products(body.get("products") if isinstance(body, dict) else None)
        order = body.get("order")
        if not isinstance(order, dict):
            raise Refused("Thiếu thông tin order")
        _check_order(order)
        partner_id = order["id"]
        if partner_id in self.shipments:
            raise Refused(f"Mã đơn hàng {partner_id} đã tồn tại")
        grams = round(sum(p["weight"] * p["quantity"] for p in products) * 1000)
        area, fee = fee_for(order["pick_province"], order["province"], grams)
        tracking_id = next(self._tracking_ids)
        shipment = FakeShipment(
            label=f"S1.A1.{tracking_id}",
            partner_id=partner_id,
            tracking_id=tracking_id,
            fee=fee,
            insurance_fee=insurance_for(order.get("value", 0)),
            weight_g=grams,
            pick_money=order["pick_money"],
            value=order.get("value", 0),
            is_freeship=str(order.get("is_freeship", "0")),
            order=order,
            products=products,
        )
        self.shipments[partner_id] = shipment
        made = {
            "partner_id": partner_id,
            "label": shipment.label,
            "area": 1 if area == "area1" else 2,
            "fee": shipment.fee,
            "insurance_fee": shipment.insurance_fee,
            "estimated_pick_time": "Sáng 2025-03-05",
            "estimated_deliver_time": "Chiều 2025-03-06",
            "products": [],
            "status_id": shipment.status_id,
            "tracking_id": tracking_id,
            "sorting_code": "HN-HBT-01",
        }
        return self._ok(order=made, warning_message="")

    async def _status(self, request: web.Request) -> web.Response:
        shipment = self._find(request.match_info["ref"])
        if shipment is None:
            raise Refused("Không tìm thấy đơn hàng")
        return self._ok(
            order={
                "label_id": shipment.label,
                "partner_id": shipment.partner_id,
                "status": str(shipment.status_id),
                "status_text": STATUS_TEXT.get(shipment.status_id, ""),
                "created": "2025-03-05 09:12:44",
                "modified": "2025-03-05 09:12:44",
                "message": shipment.order.get("note", ""),
                "pick_date": "2025-03-05",
                "deliver_date": "2025-03-06",
                "customer_fullname": shipment.order["name"],
                "customer_tel": shipment.order["tel"],
                "address": shipment.order["address"],
                "storage_day": 3,
                "ship_money": shipment.fee,
                "insurance": shipment.insurance_fee,
                "value": shipment.value,
                "weight": shipment.weight_g,  # grams here
                "pick_money": shipment.pick_money,
                "is_freeship": int(shipment.is_freeship),
            }
        )

    async def _cancel(self, request: web.Request) -> web.Response:
        shipment = self._find(request.match_info["ref"])
        if shipment is None:
            raise Refused("Không tìm thấy đơn hàng")
        if shipment.status_id == -1:
            raise Refused("Đơn hàng đã bị hủy")
        if shipment.status_id not in CANCELLABLE:
            raise Refused("Đơn hàng đã lấy hàng, không thể hủy")
        self.set_status(shipment.partner_id, -1)
        return self._ok(log_id=f"fakelog{next(self._logs)}")

    async def _label(self, request: web.Request) -> web.Response:
        if request.query.get("original", "portrait") not in ("portrait", "landscape"):
            raise Refused("original phải là portrait hoặc landscape")
        if request.query.get("paper_size", "A6") not in ("A5", "A6"):
            raise Refused("paper_size phải là A5 hoặc A6")
        shipment = self._find(request.match_info["label"])
        if shipment is None:
            return web.json_response(
                {"success": False, "message": "Không tìm thấy vận đơn", "error_code": 40102}
            )
        pdf = b"%PDF-1.4\n% fake GHTK label " + shipment.label.encode() + b"\n%%EOF\n"
        return web.Response(body=pdf, content_type="application/pdf")

    def _find(self, ref: str) -> FakeShipment | None:
        if ref.startswith("partner_id:"):
            return self.shipments.get(ref.removeprefix("partner_id:"))
        return next((s for s in self.shipments.values() if s.label == ref), None)


# -- checks -------------------------------------------------------------------------------------


def fee_for(pick_province: str, province: str, grams: int) -> tuple[str, int]:
    """Same province is area1 (22,000 đ), else area2 (30,000 đ); 2,500 đ per 500 g over 500 g."""
    same = name_key(pick_province) == name_key(province)
    extra = max(0, math.ceil((grams - 500) / 500)) * 2_500
    return ("area1", 22_000 + extra) if same else ("area2", 30_000 + extra)


def insurance_for(value: int) -> int:
    """0.5 % of the declared value above 1,000,000 đ, nothing below."""
    return value * 5 // 1000 if value > 1_000_000 else 0


def _whole(text: str, name: str) -> int:
    if not text.isdigit():
        raise Refused(f"{name} phải là số nguyên, nhận được {text!r}")
    return int(text)


def _place(fields: Any, prefix: str, what: str) -> None:
    """Refuses a place the fake does not know, naming it. An empty district is taken for a
    ward of the 2025 two-level scheme (UNCONFIRMED at GHTK)."""
    province = str(fields.get(f"{prefix}province") or "")
    district = str(fields.get(f"{prefix}district") or "")
    ward = str(fields.get(f"{prefix}ward") or "")
    shown = ", ".join(part for part in (ward, district, province) if part)
    if district:
        wards = _lookup(THREE_LEVEL, (province, district))
    else:
        wards = _lookup(TWO_LEVEL, province) if ward else None
    if wards is None or (ward and name_key(ward) not in {name_key(w) for w in wards}):
        raise Refused(f"Địa chỉ {what} không hợp lệ: không tìm thấy {shown or '(trống)'}")


def _lookup(table: dict[Any, tuple[str, ...]], key: Any) -> tuple[str, ...] | None:
    def norm(value: Any) -> Any:
        return tuple(map(name_key, value)) if isinstance(value, tuple) else name_key(value)

    return next((wards for known, wards in table.items() if norm(known) == norm(key)), None)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _products(products: Any) -> list[dict[str, Any]]:
    if not isinstance(products, list) or not products:
        raise Refused("Thiếu danh sách sản phẩm (products)")
    for index, product in enumerate(products):
        where = f"products[{index}]"
        if not isinstance(product, dict) or not str(product.get("name") or "").strip():
            raise Refused(f"{where}.name là bắt buộc")
        weight = product.get("weight")
        if not _number(weight) or weight <= 0:
            raise Refused(f"{where}.weight phải là số kg lớn hơn 0")
        if weight > MAX_PRODUCT_KG:
            raise Refused(f"{where}.weight {weight} kg vượt quá {MAX_PRODUCT_KG:g} kg")
        quantity = product.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise Refused(f"{where}.quantity phải là số nguyên dương")
    return products


_REQUIRED_TEXT = ("id", "pick_name", "pick_tel", "pick_address", "name", "tel", "address")
_REQUIRED_KEYS = ("pick_province", "pick_district", "province", "district", "hamlet")


def _check_order(order: dict[str, Any]) -> None:
    for name in _REQUIRED_TEXT:
        if not isinstance(order.get(name), str) or not order[name].strip():
            raise Refused(f"order.{name} là bắt buộc")
    for name in _REQUIRED_KEYS:
        if not isinstance(order.get(name), str):
            raise Refused(f"order.{name} là bắt buộc")
    for name in ("pick_tel", "tel"):
        phone = order[name]
        if not (phone.isdigit() and len(phone) == 10 and phone.startswith("0")):
            raise Refused(f"order.{name} không phải số điện thoại hợp lệ: {phone}")
    pick_money = order.get("pick_money")
    if not isinstance(pick_money, int) or isinstance(pick_money, bool) or pick_money < 0:
        raise Refused("order.pick_money phải là số nguyên VND")
    value = order.get("value", 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Refused("order.value phải là số nguyên VND")
    if str(order.get("is_freeship", "0")) not in ("0", "1"):
        raise Refused("order.is_freeship phải là 0 hoặc 1")
    _place(order, "pick_", "lấy hàng")
    _place(order, "", "giao hàng")
