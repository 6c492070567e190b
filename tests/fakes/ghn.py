"""A local GHN public API (`/shiip/public-api/...` and the `/a5/public-api/print*` pages),
answering as online-gateway.ghn.vn does.

Modelled on the reference (`../shared/reference/carriers.md` §1): the `{code, message, data}`
envelope and HTTP 400 with `code_message` for refusals; `Token` on every call and `ShopId` on
order calls; master data with GHN's PascalCase fields (ProvinceID/ProvinceName,
DistrictID/DistrictName, WardCode as a string, NameExtension); create by ids or by names, with
the fields, types and units GHN takes (ints, grams, cm, whole VND, `required_note` enum); fee,
`detail`, `detail-by-client-code`, `soc`, cancel (`{order_codes}` -> per-order `result`) and
the print token. A refused token is HTTP 401 (`code: 401`), a wrong ShopId HTTP 400 with
`code_message: SHOP_NOT_FOUND`, as GHN answers them in public reports.

Not documented, so chosen here (each switchable where the carrier must cope with both):
- a second create with the same `client_order_code` is refused; with
  `duplicate_returns_existing` the existing order is handed back instead (one copy of GHN's
  docs reads that way);
- cancel is allowed before pickup only (`ready_to_pick`, `picking`, `money_collect_picking`)
  and refused per order (`result: false`); with `cancel_refusal_in_envelope` it is refused
  with an HTTP 400 envelope instead;
- the wording of messages, the fee formula and the order codes.
"""

from __future__ import annotations

import itertools
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from carriers.wire import name_key
from tests.fakes.carrier_faults import Faults

API = "/shiip/public-api"
PRINT = "/a5/public-api"
BEFORE_PICKUP = frozenset({"ready_to_pick", "picking", "money_collect_picking"})
REQUIRED_NOTES = frozenset({"CHOTHUHANG", "CHOXEMHANGKHONGTHU", "KHONGCHOXEMHANG"})
EXPECTED_DELIVERY = "2026-11-20T16:59:59Z"

PROVINCES = [
    {
        "ProvinceID": 201,
        "ProvinceName": "Hà Nội",
        "Code": "4",
        "NameExtension": ["Hà Nội", "TP.Hà Nội", "TP. Hà Nội", "Ha Noi", "HN"],
    },
    {
        "ProvinceID": 202,
        "ProvinceName": "Hồ Chí Minh",
        "Code": "8",
        "NameExtension": ["Hồ Chí Minh", "TP.Hồ Chí Minh", "TP Hồ Chí Minh", "HCM", "Sài Gòn"],
    },
    {
        "ProvinceID": 203,
        "ProvinceName": "Đà Nẵng",
        "Code": "511",
        "NameExtension": ["Đà Nẵng", "TP.Đà Nẵng", "Da Nang"],
    },
]
DISTRICTS = [
    {"DistrictID": 1484, "ProvinceID": 201, "DistrictName": "Quận Ba Đình", "NameExtension": []},
    {
        "DistrictID": 1489,
        "ProvinceID": 201,
        "DistrictName": "Quận Hoàn Kiếm",
        "NameExtension": ["Q. Hoàn Kiếm"],
    },
    {
        "DistrictID": 1490,
        "ProvinceID": 201,
        "DistrictName": "Quận Hai Bà Trưng",
        "NameExtension": ["Q. Hai Bà Trưng", "Hai Ba Trung"],
    },
    {"DistrictID": 1442, "ProvinceID": 202, "DistrictName": "Quận 1", "NameExtension": ["Q1"]},
    {"DistrictID": 1444, "ProvinceID": 202, "DistrictName": "Quận 3", "NameExtension": ["Q3"]},
    {"DistrictID": 1452, "ProvinceID": 202, "DistrictName": "Quận 10", "NameExtension": ["Q10"]},
    {"DistrictID": 1526, "ProvinceID": 203, "DistrictName": "Quận Hải Châu", "NameExtension": []},
]
WARDS = [
    {"WardCode": "1A0101", "DistrictID": 1484, "WardName": "Phường Phúc Xá"},
    {"WardCode": "1A0102", "DistrictID": 1484, "WardName": "Phường Trúc Bạch"},
    {"WardCode": "1A0201", "DistrictID": 1489, "WardName": "Phường Hàng Bạc"},
    {"WardCode": "1A0401", "DistrictID": 1490, "WardName": "Phường Phạm Đình Hổ"},
    {"WardCode": "1A0402", "DistrictID": 1490, "WardName": "Phường Bạch Đằng"},
    # The 2025 ward, filed by GHN under its old district.
    {"WardCode": "1A0499", "DistrictID": 1490, "WardName": "Phường Hai Bà Trưng"},
    {"WardCode": "20108", "DistrictID": 1442, "WardName": "Phường Bến Nghé"},
    {"WardCode": "20109", "DistrictID": 1442, "WardName": "Phường Bến Thành"},
    {"WardCode": "20301", "DistrictID": 1444, "WardName": "Phường 01"},
    {"WardCode": "21001", "DistrictID": 1452, "WardName": "Phường 01"},
    {"WardCode": "40101", "DistrictID": 1526, "WardName": "Phường Thạch Thang"},
]
for _ward in WARDS:
    _ward["NameExtension"] = [_ward["WardName"]]


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str  # without the `/shiip/public-api` prefix: "/v2/shipping-order/create"
    query: dict[str, str]
    headers: Mapping[str, str]  # case-insensitive
    json: Any


@dataclass
class GhnOrder:
    order_code: str  # GHN's tracking code
    client_order_code: str
    body: dict[str, Any]
    district_id: int
    ward_code: str
    fee: dict[str, int]
    status: str = "ready_to_pick"
    log: list[str] = field(default_factory=list)

    @property
    def total_fee(self) -> int:
        return sum(v for k, v in self.fee.items() if k != "coupon") - self.fee["coupon"]


class Refusal(Exception):
    def __init__(self, message: str, code_message: str = "USER_ERR_COMMON", code: int = 400):
        super().__init__(message)
        self.message = message
        self.code_message = code_message
        self.code = code


class FakeGhn:
    def __init__(self, *, token: str = "fake-ghn-token", shop_id: int = 885) -> None:
        self.token = token
        self.shop_id = shop_id
        self.duplicate_returns_existing = False
        self.cancel_refusal_in_envelope = False
        self.orders: dict[str, GhnOrder] = {}  # by GHN order code
        self.requests: list[Recorded] = []
        self.master_data_calls = 0
        self.print_tokens: dict[str, list[str]] = {}
        self.faults = Faults(envelope=lambda message: _refusal(Refusal(message)))
        self._numbers = itertools.count(1)

    # -- for tests ------------------------------------------------------------------------

    def order_for(self, client_order_code: str) -> GhnOrder | None:
        return next(
            (o for o in self.orders.values() if o.client_order_code == client_order_code), None
        )

    def set_status(self, order_code: str, status: str) -> None:
        self.orders[order_code].status = status
        self.orders[order_code].log.append(status)

    def sent(self, path_end: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith(path_end)]

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record, self.faults.middleware])
        for path, handler in (
            ("/master-data/province", self._provinces),
            ("/master-data/district", self._districts),
            ("/master-data/ward", self._wards),
        ):
            app.router.add_get(API + path, handler)
            app.router.add_post(API + path, handler)
        for path, handler, needs_shop in (
            ("/v2/shipping-order/fee", self._fee, True),
            ("/v2/shipping-order/create", self._create, True),
            ("/v2/shipping-order/detail", self._detail, False),
            ("/v2/shipping-order/detail-by-client-code", self._detail_by_client_code, False),
            ("/v2/shipping-order/soc", self._soc, True),
            ("/v2/switch-status/cancel", self._cancel, True),
            ("/v2/a5/gen-token", self._gen_token, False),
        ):
            app.router.add_post(API + path, self._order_call(handler, needs_shop))
        for paper in ("printA5", "print80x80", "print52x70"):
            app.router.add_get(f"{PRINT}/{paper}", self._print)
        return app

    # -- wire format ----------------------------------------------------------------------

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
                request.path.removeprefix(API),
                dict(request.query),
                CIMultiDict(request.headers),
                body,
            )
        )
        return await handler(request)

    def _token_refused(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Token") == self.token:
            return None
        body = {"code": 401, "message": "Token is not valid!", "data": None}
        return web.json_response(body, status=401)

    def _shop_refused(self, request: web.Request) -> web.Response | None:
        if request.headers.get("ShopId") == str(self.shop_id):
            return None
        given = request.headers.get("ShopId", "")
        return _refusal(
            Refusal(
                f"ShopID is invalid: Lỗi gọi API: corev2_tenant_shop - Shop ID is invalid: {given}",
                "SHOP_NOT_FOUND",
            )
        )

    def _order_call(self, handler: Any, needs_shop: bool) -> Any:
        async def call(request: web.Request) -> web.Response:
            if refused := self._token_refused(request):
                return refused
            if needs_shop and (refused := self._shop_refused(request)):
                return refused
            try:
                body = await request.json()
            except ValueError:
                return _refusal(Refusal("code=400, message=Syntax error: body is not JSON"))
            if not isinstance(body, dict):
                return _refusal(Refusal("code=400, message=Syntax error: body is not an object"))
            try:
                return await handler(body)
            except Refusal as refusal:
                return _refusal(refusal)

        return call

    # -- master data ----------------------------------------------------------------------

    async def _provinces(self, request: web.Request) -> web.Response:
        self.master_data_calls += 1
        if refused := self._token_refused(request):
            return refused
        return _ok(PROVINCES)

    async def _districts(self, request: web.Request) -> web.Response:
        self.master_data_calls += 1
        if refused := self._token_refused(request):
            return refused
        province = await _param(request, "province_id")
        return _ok([d for d in DISTRICTS if province is None or d["ProvinceID"] == province])

    async def _wards(self, request: web.Request) -> web.Response:
        self.master_data_calls += 1
        if refused := self._token_refused(request):
            return refused
        district = await _param(request, "district_id")
        if district is None:
            return _refusal(Refusal("district_id is required"))
        return _ok([w for w in WARDS if w["DistrictID"] == district])

    # -- orders ---------------------------------------------------------------------------

    async def _fee(self, body: dict[str, Any]) -> web.Response:
        district, _ = _check_place(body, "to")
        if "from_district_id" in body:
            from_district, _ = _check_place(body, "from")
        else:
            from_district = 1442  # the shop's own address
        _check_service(body)
        _check_parcel(body)
        for name in ("insurance_value", "cod_value"):
            if name in body:
                _int(body, name)
        fee = _fee(body, from_district, district)
        total = sum(v for k, v in fee.items() if k != "coupon") - fee["coupon"]
        return _ok(
            {
                "total": total,
                "service_fee": fee["main_service"],
                "insurance_fee": fee["insurance"],
                "pick_station_fee": 0,
                "coupon_value": 0,
                "r2s_fee": 0,
                "document_return": 0,
                "double_check": 0,
                "cod_fee": 0,
                "pick_remote_areas_fee": 0,
                "deliver_remote_areas_fee": 0,
                "cod_failed_fee": 0,
            }
        )

    async def _create(self, body: dict[str, Any]) -> web.Response:
        for name in ("to_name", "to_phone", "to_address"):
            _text(body, name)
        if "to_district_id" in body or "to_ward_code" in body:
            district, ward = _check_place(body, "to")
        else:
            district, ward = _place_by_names(body, "to")
        _check_service(body)
        _check_parcel(body)
        if _int(body, "payment_type_id") not in (1, 2):
            raise Refusal("payment_type_id không hợp lệ (1 hoặc 2)")
        if body.get("required_note") not in REQUIRED_NOTES:
            raise Refusal("Sai thông tin Required Note")
        for name in ("cod_amount", "insurance_value"):
            if _int(body, name, required=False) < 0:
                raise Refusal(f"{name} không hợp lệ")
        client_code = body.get("client_order_code")
        if client_code is not None and (not isinstance(client_code, str) or len(client_code) > 50):
            raise Refusal("client_order_code không hợp lệ (chuỗi tối đa 50 ký tự)")
        existing = self.order_for(client_code) if client_code else None
        if existing is not None and not self.duplicate_returns_existing:
            raise Refusal(f"Mã đơn hàng của khách hàng client_order_code {client_code} đã tồn tại")
        order = existing or self._new_order(body, district, ward)
        return _ok(
            {
                "order_code": order.order_code,
                "sort_code": "19-60-06",
                "trans_type": "truck",
                "ward_encode": "",
                "district_encode": "",
                "fee": {**order.fee, "cod_failed_fee": 0},
                "total_fee": str(order.total_fee),  # text in GHN's own sample
                "expected_delivery_time": EXPECTED_DELIVERY,
            },
            message_display=f"Tạo đơn hàng thành công. Mã đơn hàng: {order.order_code}",
        )

    def _new_order(self, body: dict[str, Any], district: int, ward: str) -> GhnOrder:
        code = f"LK{next(self._numbers):04d}QX"
        fee = _fee(body, 1442, district)
        order = GhnOrder(code, body.get("client_order_code") or "", body, district, ward, fee)
        order.log.append(order.status)
        self.orders[code] = order
        return order

    async def _detail(self, body: dict[str, Any]) -> web.Response:
        order = self.orders.get(str(body.get("order_code") or ""))
        if order is None:
            raise _not_found()
        return _ok(_detail(order))

    async def _detail_by_client_code(self, body: dict[str, Any]) -> web.Response:
        order = self.order_for(str(body.get("client_order_code") or "")) if body else None
        if order is None:
            raise _not_found()
        return _ok(_detail(order))

    async def _soc(self, body: dict[str, Any]) -> web.Response:
        order = self.orders.get(str(body.get("order_code") or ""))
        if order is None:
            raise Refusal("Không tìm thấy thông tin đơn hàng", code=404)
        return _ok(
            {
                "order_code": order.order_code,
                "detail": dict(order.fee),
                "payment": [{"value": order.total_fee, "payment_type": 1}],
                "cod_collect_date": "0001-01-01T00:00:00Z",
            }
        )

    async def _cancel(self, body: dict[str, Any]) -> web.Response:
        codes = body.get("order_codes")
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise Refusal("order_codes không hợp lệ (mảng mã đơn hàng)")
        results = []
        for code in codes:
            order = self.orders.get(code)
            if order is None:
                message, ok = "Đơn hàng không tồn tại", False
            elif order.status in BEFORE_PICKUP:
                self.set_status(code, "cancel")
                message, ok = "OK", True
            else:
                message, ok = f"Không thể hủy đơn hàng ở trạng thái {order.status}", False
            if not ok and self.cancel_refusal_in_envelope:
                raise Refusal(message)
            results.append({"order_code": code, "result": ok, "message": message})
        return _ok(results)

    async def _gen_token(self, body: dict[str, Any]) -> web.Response:
        codes = body.get("order_codes")
        if not isinstance(codes, list) or not codes:
            raise Refusal("order_codes không hợp lệ")
        for code in codes:
            if code not in self.orders:
                raise Refusal(
                    "Lỗi gọi API: corev2_tenant_order_detail - code=404, "
                    "message=Đơn hàng không tồn tại"
                )
        token = str(uuid.uuid4())
        self.print_tokens[token] = list(codes)
        return _ok({"token": token})

    async def _print(self, request: web.Request) -> web.Response:
        codes = self.print_tokens.get(request.query.get("token", ""))
        if codes is None:
            return web.Response(status=400, text="Token không hợp lệ hoặc đã hết hạn")
        paper = request.path.rsplit("/", 1)[-1].removeprefix("print")
        pages = "".join(f"<section class='label {paper}'>{code}</section>" for code in codes)
        return web.Response(text=f"<html><body>{pages}</body></html>", content_type="text/html")


# -- answers --------------------------------------------------------------------------------


def _ok(data: Any, **extra: Any) -> web.Response:
    return web.json_response({"code": 200, "message": "Success", "data": data, **extra})


def _refusal(refusal: Refusal) -> web.Response:
    body = {
        "code": refusal.code,
        "message": refusal.message,
        "data": None,
        "code_message": refusal.code_message,
    }
    return web.json_response(body, status=400)


def _not_found() -> Refusal:
    return Refusal(
        "Lỗi gọi API: corev2_tenant_order_detail - code=404, message=Đơn hàng không tồn tại"
    )


def _detail(order: GhnOrder) -> dict[str, Any]:
    body = order.body
    return {
        "shop_id": 885,
        "order_code": order.order_code,
        "client_order_code": order.client_order_code,
        "status": order.status,
        "to_name": body.get("to_name"),
        "to_phone": body.get("to_phone"),
        "to_address": body.get("to_address"),
        "to_district_id": order.district_id,
        "to_ward_code": order.ward_code,
        "weight": body.get("weight"),
        "cod_amount": body.get("cod_amount", 0),
        "insurance_value": body.get("insurance_value", 0),
        "cod_collect_date": None,
        "cod_transfer_date": None,
        "is_cod_transferred": False,
        "required_note": body.get("required_note"),
        "leadtime": EXPECTED_DELIVERY,
        "log": [{"status": s, "updated_date": "2026-11-17T03:04:48.053Z"} for s in order.log],
    }


# -- checks, as GHN makes them --------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(body: Mapping[str, Any], name: str, *, required: bool = True) -> int:
    value = body.get(name)
    if value is None and not required:
        return 0
    if not _is_int(value):
        raise Refusal(f"{name} không hợp lệ (kiểu Int): {value!r}")
    return value


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise Refusal(f"{name} không được để trống")
    if len(value) > 1024:
        raise Refusal(f"{name} quá dài (tối đa 1024 ký tự)")
    return value


async def _param(request: web.Request, name: str) -> int | None:
    """GHN takes master-data filters in the query or in a JSON body."""
    value: Any = request.query.get(name)
    if value is None and request.can_read_body:
        try:
            value = (await request.json()).get(name)
        except (ValueError, AttributeError):
            value = None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _check_place(body: Mapping[str, Any], role: str) -> tuple[int, str]:
    district = _int(body, f"{role}_district_id")
    ward = body.get(f"{role}_ward_code")
    if not isinstance(ward, str) or not ward:
        raise Refusal(f"{role}_ward_code không hợp lệ (kiểu String): {ward!r}", "WARD_IS_INVALID")
    if not any(d["DistrictID"] == district for d in DISTRICTS):
        raise Refusal(f"{role}_district_id {district} không tồn tại", "DISTRICT_IS_INVALID")
    if not any(w["WardCode"] == ward and w["DistrictID"] == district for w in WARDS):
        raise Refusal(
            f"{role}_ward_code {ward} không thuộc {role}_district_id {district}", "WARD_IS_INVALID"
        )
    return district, ward


def _place_by_names(body: Mapping[str, Any], role: str) -> tuple[int, str]:
    province_name = _text(body, f"{role}_province_name")
    province = next(
        (
            p
            for p in PROVINCES
            if name_key(province_name) in {name_key(n) for n in p["NameExtension"]}
        ),
        None,
    )
    if province is None:
        raise Refusal(f"{role}_province_name không hợp lệ", "PROVINCE_NAME_NOT_VALID")
    district_name = body.get(f"{role}_district_name") or ""
    districts = [
        d
        for d in DISTRICTS
        if d["ProvinceID"] == province["ProvinceID"]
        and (not district_name or name_key(district_name) == name_key(d["DistrictName"]))
    ]
    if not districts:
        raise Refusal(f"{role}_district_name không hợp lệ", "DISTRICT_NAME_NOT_VALID")
    ward_key = name_key(_text(body, f"{role}_ward_name"))
    wards = [
        w
        for w in WARDS
        if name_key(w["WardName"]) == ward_key
        and any(w["DistrictID"] == d["DistrictID"] for d in districts)
    ]
    if len(wards) != 1:
        raise Refusal(
            f"Fail when get place name of {role} ward code: Lỗi gọi API: "
            "tenant_masterdata_get_ward_byname",
            "WARD_NAME_NOT_VALID",
        )
    return wards[0]["DistrictID"], wards[0]["WardCode"]


def _check_service(body: Mapping[str, Any]) -> None:
    if _int(body, "service_id", required=False):
        return
    if _int(body, "service_type_id") not in (2, 5):
        raise Refusal("service_type_id không hợp lệ (2: hàng nhẹ, 5: hàng nặng)")


def _check_parcel(body: Mapping[str, Any]) -> None:
    # Grams and centimetres as integers: a weight in kilograms (1.1) or zero is refused.
    weight = _int(body, "weight")
    if not 0 < weight <= 50_000:
        raise Refusal(f"Cân nặng không hợp lệ: {weight}")
    if body.get("service_type_id") == 2:
        for name in ("length", "width", "height"):
            if not 0 < _int(body, name) <= 200:
                raise Refusal(f"{name} không hợp lệ (1-200 cm)")


def _fee(body: Mapping[str, Any], from_district: int, to_district: int) -> dict[str, int]:
    """15,000 đ within a province, 30,000 đ across, 5,000 đ per 500 g above 1 kg of the
    heavier of weight and volume (L*W*H/5); insurance 0.5% of a declared value over 1M."""
    province_of = {d["DistrictID"]: d["ProvinceID"] for d in DISTRICTS}
    base = 15_000 if province_of.get(from_district) == province_of.get(to_district) else 30_000
    volume = body.get("length", 0) * body.get("width", 0) * body.get("height", 0) / 5
    charged = max(body["weight"], volume)
    main = base + 5_000 * max(0, math.ceil((charged - 1_000) / 500))
    insured = body.get("insurance_value") or 0
    insurance = insured * 5 // 1000 if insured > 1_000_000 else 0
    return {
        "main_service": main,
        "insurance": insurance,
        "station_do": 0,
        "station_pu": 0,
        "return": 0,
        "r2s": 0,
        "coupon": 0,
    }
