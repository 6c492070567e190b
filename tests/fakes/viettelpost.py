"""A local Viettel Post partner API (`/v2/...`), answering as partner.viettelpost.vn does.

Modelled on the reference (`../shared/reference/carriers.md` §3): the `{status, error,
message, data}` envelope, refusals as HTTP 200 with `error: true`, `Token` header on order
calls, public `categories` lists with VTP's upper-case field names, `createOrder` with the
fields, types and units VTP takes (ids, grams, whole VND), `getPrice`, `UpdateOrder` (TYPE 4
cancels while `ORDER_STATUS < 200`) and the UNCONFIRMED status pull
`getOrderStatusByOrderNumber`, which here answers for VTP's number and for the partner's
ORDER_NUMBER alike (`offers_status_pull = False` makes it a 404). The categories answer
without a token, as public code calls them. Not documented, so chosen here: the envelope's
`status` value on refusals (205), the wording of messages, and that a second createOrder with
the same ORDER_NUMBER is refused. A refused token is HTTP 401 with the envelope, or, with
`token_refusal_in_envelope`, HTTP 200 with `status: 401` in the envelope.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from tests.fakes.carrier_faults import Faults

REFUSED_STATUS = 205  # VTP's exact code for a refusal is not documented; `error: true` is
SERVICES = frozenset({"VCN", "VTK", "SCOD", "PHS", "VHT"})
CANCELLED = 107  # "partner cancelled via API"
PICKED_UP = 200

PROVINCES = [
    {"PROVINCE_ID": 1, "PROVINCE_CODE": "HNI", "PROVINCE_NAME": "Hà Nội"},
    {"PROVINCE_ID": 2, "PROVINCE_CODE": "HCM", "PROVINCE_NAME": "Hồ Chí Minh"},
    {"PROVINCE_ID": 32, "PROVINCE_CODE": "DNG", "PROVINCE_NAME": "Đà Nẵng"},
]
DISTRICTS = [
    {"DISTRICT_ID": 1, "DISTRICT_VALUE": "BDH", "DISTRICT_NAME": "QUẬN BA ĐÌNH", "PROVINCE_ID": 1},
    {
        "DISTRICT_ID": 2,
        "DISTRICT_VALUE": "HKM",
        "DISTRICT_NAME": "QUẬN HOÀN KIẾM",
        "PROVINCE_ID": 1,
    },
    {
        "DISTRICT_ID": 4,
        "DISTRICT_VALUE": "HBT",
        "DISTRICT_NAME": "QUẬN HAI BÀ TRƯNG",
        "PROVINCE_ID": 1,
    },
    {"DISTRICT_ID": 43, "DISTRICT_VALUE": "Q1", "DISTRICT_NAME": "QUẬN 1", "PROVINCE_ID": 2},
    {"DISTRICT_ID": 45, "DISTRICT_VALUE": "Q3", "DISTRICT_NAME": "QUẬN 3", "PROVINCE_ID": 2},
    {
        "DISTRICT_ID": 470,
        "DISTRICT_VALUE": "HCU",
        "DISTRICT_NAME": "QUẬN HẢI CHÂU",
        "PROVINCE_ID": 32,
    },
]
WARDS = [
    {"WARDS_ID": 101, "WARDS_NAME": "Phường Phúc Xá", "DISTRICT_ID": 1},
    {"WARDS_ID": 102, "WARDS_NAME": "Phường Trúc Bạch", "DISTRICT_ID": 1},
    {"WARDS_ID": 201, "WARDS_NAME": "Phường Hàng Bạc", "DISTRICT_ID": 2},
    {"WARDS_ID": 401, "WARDS_NAME": "Phường Phạm Đình Hổ", "DISTRICT_ID": 4},
    {"WARDS_ID": 402, "WARDS_NAME": "Phường Bạch Đằng", "DISTRICT_ID": 4},
    # The 2025 ward, filed by VTP under its old district.
    {"WARDS_ID": 499, "WARDS_NAME": "Phường Hai Bà Trưng", "DISTRICT_ID": 4},
    {"WARDS_ID": 4301, "WARDS_NAME": "Phường Bến Nghé", "DISTRICT_ID": 43},
    {"WARDS_ID": 4302, "WARDS_NAME": "Phường Bến Thành", "DISTRICT_ID": 43},
    {"WARDS_ID": 4501, "WARDS_NAME": "Phường 01", "DISTRICT_ID": 45},
    {"WARDS_ID": 47001, "WARDS_NAME": "Phường Thạch Thang", "DISTRICT_ID": 470},
]

CREATE_TEXT = (
    "ORDER_NUMBER",
    "SENDER_FULLNAME",
    "SENDER_ADDRESS",
    "SENDER_PHONE",
    "RECEIVER_FULLNAME",
    "RECEIVER_ADDRESS",
    "RECEIVER_PHONE",
    "PRODUCT_NAME",
)
PRICE_TYPES = ("HH", "TH")


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]  # case-insensitive
    json: Any


@dataclass
class VtpOrder:
    tracking: str  # VTP's ORDER_NUMBER
    reference: str  # the partner's ORDER_NUMBER
    body: dict[str, Any]
    price: dict[str, int]
    status: int = -100
    notes: list[str] = field(default_factory=list)


class Refusal(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FakeViettelPost:
    def __init__(self, *, token: str = "fake-vtp-token") -> None:
        self.token = token
        self.token_refusal_in_envelope = False
        self.offers_status_pull = True  # the pull endpoint is UNCONFIRMED; off, it is a 404
        self.orders: dict[str, VtpOrder] = {}  # by VTP tracking code
        self.requests: list[Recorded] = []
        self.master_data_calls = 0
        self.faults = Faults(envelope=self._refusal)
        self._numbers = itertools.count(12345678)

    # -- for tests ------------------------------------------------------------------------

    def order_for(self, reference: str) -> VtpOrder | None:
        return next((o for o in self.orders.values() if o.reference == reference), None)

    def set_status(self, tracking: str, status: int) -> None:
        self.orders[tracking].status = status

    def sent(self, path_end: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith(path_end)]

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record, self.faults.middleware])
        categories = "/v2/categories"
        app.router.add_get(f"{categories}/listProvince", self._provinces)
        app.router.add_get(f"{categories}/listProvinceById", self._provinces)
        app.router.add_get(f"{categories}/listDistrict", self._districts)
        app.router.add_get(f"{categories}/listWards", self._wards)
        app.router.add_post("/v2/order/getPrice", self._get_price)
        app.router.add_post("/v2/order/createOrder", self._create)
        app.router.add_post("/v2/order/UpdateOrder", self._update)
        app.router.add_get("/v2/order/getOrderStatusByOrderNumber", self._status_pull)
        return app

    # -- wire format ----------------------------------------------------------------------

    @staticmethod
    def _ok(data: Any) -> web.Response:
        return web.json_response({"status": 200, "error": False, "message": "OK", "data": data})

    @staticmethod
    def _refusal(message: str) -> web.Response:
        body = {"status": REFUSED_STATUS, "error": True, "message": message, "data": None}
        return web.json_response(body)

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body: Any = None
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                body = (await request.read()).decode(errors="replace")
        self.requests.append(
            Recorded(
                request.method,
                request.path,
                dict(request.query),
                CIMultiDict(request.headers),
                body,
            )
        )
        return await handler(request)

    def _token_refused(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Token") == self.token:
            return None
        body = {"status": 401, "error": True, "message": "Token không hợp lệ", "data": None}
        return web.json_response(body, status=200 if self.token_refusal_in_envelope else 401)

    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError as error:
            raise Refusal("Dữ liệu gửi lên không phải JSON") from error
        if not isinstance(body, dict):
            raise Refusal("Dữ liệu gửi lên không hợp lệ")
        return body

    # -- categories (public: no token needed) ---------------------------------------------

    async def _provinces(self, request: web.Request) -> web.Response:
        self.master_data_calls += 1
        return self._ok(PROVINCES)

    async def _districts(self, request: web.Request) -> web.Response:
        self.master_data_calls += 1
        province = _query_int(request, "provinceId")
        return self._ok([d for d in DISTRICTS if d["PROVINCE_ID"] == province])

    async def _wards(self, request: web.Request) -> web.Response:
        self.master_data_calls += 1
        district = _query_int(request, "districtId")
        return self._ok([w for w in WARDS if w["DISTRICT_ID"] == district])

    # -- orders ---------------------------------------------------------------------------

    async def _get_price(self, request: web.Request) -> web.Response:
        if refused := self._token_refused(request):
            return refused
        try:
            body = await self._body(request)
            for role in ("SENDER", "RECEIVER"):
                _check_district(body, role)
            _check_goods(body)
            if body.get("NATIONAL_TYPE") != 1:
                raise Refusal("NATIONAL_TYPE không hợp lệ (1: trong nước)")
        except Refusal as refusal:
            return self._refusal(refusal.message)
        return self._ok(_price(body))

    async def _create(self, request: web.Request) -> web.Response:
        if refused := self._token_refused(request):
            return refused
        try:
            body = await self._body(request)
            _check_order(body)
            if self.order_for(body["ORDER_NUMBER"]) is not None:
                raise Refusal(f"Mã đơn hàng ORDER_NUMBER {body['ORDER_NUMBER']} đã tồn tại")
        except Refusal as refusal:
            return self._refusal(refusal.message)
        tracking = f"18000{next(self._numbers):08d}"
        price = _price(body)
        self.orders[tracking] = VtpOrder(tracking, body["ORDER_NUMBER"], body, price)
        return self._ok(
            {
                "ORDER_NUMBER": tracking,
                "MONEY_COLLECTTION": body["MONEY_COLLECTION"],  # sic, as VTP spells it
                "EXCHANGE_WEIGHT": body["PRODUCT_WEIGHT"],
                "MONEY_TOTAL": price["MONEY_TOTAL"],
                "MONEY_TOTAL_FEE": price["MONEY_TOTAL_FEE"],
                "MONEY_FEE": price["MONEY_FEE"],
                "MONEY_COLLECTION_FEE": price["MONEY_COLLECTION_FEE"],
                "MONEY_OTHER_FEE": 0,
                "MONEY_VAS": 0,
                "MONEY_VAT": price["MONEY_VAT"],
                "KPI_HT": 48,
            }
        )

    async def _update(self, request: web.Request) -> web.Response:
        if refused := self._token_refused(request):
            return refused
        try:
            body = await self._body(request)
            kind = body.get("TYPE")
            if not _is_int(kind) or kind not in (1, 2, 3, 4, 5, 11):
                raise Refusal("TYPE không hợp lệ")
            order = self.orders.get(str(body.get("ORDER_NUMBER") or ""))
            if order is None:
                raise Refusal(f"Không tìm thấy vận đơn {body.get('ORDER_NUMBER')}")
            if kind == 4:
                _cancel(order)
            order.notes.append(str(body.get("NOTE") or ""))
        except Refusal as refusal:
            return self._refusal(refusal.message)
        return self._ok(None)

    async def _status_pull(self, request: web.Request) -> web.Response:
        if not self.offers_status_pull:
            raise web.HTTPNotFound()
        if refused := self._token_refused(request):
            return refused
        number = request.query.get("orderNumber", "")
        order = self.orders.get(number) or self.order_for(number)
        if order is None:
            return self._refusal(f"Không tìm thấy vận đơn {number}")
        return self._ok(
            [
                {
                    "ORDER_NUMBER": order.tracking,
                    "ORDER_REFERENCE": order.reference,
                    "ORDER_STATUS": order.status,
                    "MONEY_COLLECTION": order.body["MONEY_COLLECTION"],
                    "MONEY_TOTAL": order.price["MONEY_TOTAL"],
                }
            ]
        )


# -- checks, as VTP makes them --------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _query_int(request: web.Request, name: str) -> int | None:
    try:
        return int(request.query.get(name, ""))
    except ValueError:
        return None


def _int_field(body: dict[str, Any], name: str, *, minimum: int = 0) -> int:
    value = body.get(name)
    if not _is_int(value) or value < minimum:
        raise Refusal(f"{name} không hợp lệ (số nguyên >= {minimum}): {value!r}")
    return value


def _check_district(body: dict[str, Any], role: str) -> tuple[int, int]:
    province = _int_field(body, f"{role}_PROVINCE", minimum=1)
    district = _int_field(body, f"{role}_DISTRICT", minimum=1)
    if not any(p["PROVINCE_ID"] == province for p in PROVINCES):
        raise Refusal(f"{role}_PROVINCE {province} không tồn tại")
    if not any(d["DISTRICT_ID"] == district and d["PROVINCE_ID"] == province for d in DISTRICTS):
        raise Refusal(f"{role}_DISTRICT {district} không thuộc tỉnh {province}")
    return province, district


def _check_ward(body: dict[str, Any], role: str) -> None:
    _, district = _check_district(body, role)
    ward = _int_field(body, f"{role}_WARD", minimum=1)
    if not any(w["WARDS_ID"] == ward and w["DISTRICT_ID"] == district for w in WARDS):
        raise Refusal(f"{role}_WARD {ward} không thuộc quận/huyện {district}")


def _check_goods(body: dict[str, Any]) -> None:
    # Grams as an integer: a weight in kilograms (1.1) or zero is refused.
    _int_field(body, "PRODUCT_WEIGHT", minimum=1)
    _int_field(body, "PRODUCT_PRICE")
    _int_field(body, "MONEY_COLLECTION")
    _int_field(body, "PRODUCT_QUANTITY", minimum=1)
    if body.get("PRODUCT_TYPE") not in PRICE_TYPES:
        raise Refusal(f"PRODUCT_TYPE không hợp lệ: {body.get('PRODUCT_TYPE')!r}")
    if body.get("ORDER_SERVICE") not in SERVICES:
        raise Refusal(f"ORDER_SERVICE không hợp lệ: {body.get('ORDER_SERVICE')!r}")


def _check_order(body: dict[str, Any]) -> None:
    for name in CREATE_TEXT:
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            raise Refusal(f"{name} không được để trống")
    for role in ("SENDER", "RECEIVER"):
        _check_ward(body, role)
    _check_goods(body)
    payment = _int_field(body, "ORDER_PAYMENT", minimum=1)
    if payment > 4:
        raise Refusal(f"ORDER_PAYMENT không hợp lệ: {payment}")
    if body["MONEY_COLLECTION"] > 0 and payment in (1, 4):
        raise Refusal("MONEY_COLLECTION > 0 cần ORDER_PAYMENT 2 hoặc 3")
    try:
        datetime.strptime(str(body.get("DELIVERY_DATE")), "%d/%m/%Y %H:%M:%S")
    except ValueError as error:
        raise Refusal("DELIVERY_DATE không hợp lệ (dd/MM/yyyy HH:mm:ss)") from error
    items = body.get("LIST_ITEM")
    if not isinstance(items, list) or not items:
        raise Refusal("LIST_ITEM không được để trống")
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("PRODUCT_NAME"), str):
            raise Refusal("LIST_ITEM.PRODUCT_NAME không hợp lệ")
        for name in ("PRODUCT_PRICE", "PRODUCT_WEIGHT", "PRODUCT_QUANTITY"):
            _int_field(item, name)


def _cancel(order: VtpOrder) -> None:
    if order.status == CANCELLED:
        raise Refusal(f"Vận đơn {order.tracking} đã bị hủy")
    if order.status >= PICKED_UP:
        raise Refusal(f"Vận đơn {order.tracking} đã lấy hàng, không được hủy")
    order.status = CANCELLED


def _price(body: dict[str, Any]) -> dict[str, int]:
    """25,000 đ to 1 kg, 5,000 đ per further 500 g, 8% VAT; COD is free."""
    extra = max(0, math.ceil((body["PRODUCT_WEIGHT"] - 1_000) / 500))
    main = 25_000 + 5_000 * extra
    vat = round(main * 0.08)
    return {
        "MONEY_TOTAL_OLD": main + vat,
        "MONEY_TOTAL": main + vat,
        "MONEY_TOTAL_FEE": main,
        "MONEY_FEE": 0,
        "MONEY_COLLECTION_FEE": 0,
        "MONEY_OTHER_FEE": 0,
        "MONEY_VAS": 0,
        "MONEY_VAT": vat,
        "KPI_HT": 48,
    }
