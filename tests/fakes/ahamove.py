"""A local Ahamove API serving both generations, answering as api.ahamove.com (v1) and
partner-api(stg).ahamove.com (v3) do.

Modelled on the reference (`../shared/reference/carriers.md` §4) and Ahamove's API pages:
v1 takes the token as a query or form parameter and JSON arrays as text inside form fields
(`/v1/order/estimated_fee`, `/v1/order/create`, `/v1/order/list`, `/v1/order/detail`,
`/v1/order/cancel`); v3 takes `Authorization: Bearer` and JSON (`/v3/orders/estimates`,
`/v3/orders`, `/v3/orders/{id}`, `/v3/orders/tracks/{tracking_number}` or `?tracking_number=`,
`DELETE /v3/orders/{id}`). Orders are trips with per-stop COD, `tracking_number` and status;
cancel works only in IDLE, ASSIGNING, ACCEPTED, CONFIRMING, PAYING (406 otherwise, as v1
documents), needs a `comment` once ACCEPTED, and a second order with the same tracking number
is accepted, as Ahamove's own lookup sample shows two.

Chosen here, not documented: the error body `{"title": CODE, "description": words}` (the
pages list codes such as NOT_AUTHORIZED, ORDER_NOT_FOUND), a bad v1 token answered
404 TOKEN_NOT_FOUND ("Token not found") and a bad v3 one 401 NOT_AUTHORIZED, the v3 estimate
answer as a list of per-service estimates (v2's shape), the prices, and the small geocoder:
an address is found when its comma-separated parts name a known ward and province (and the
district, for three-level places); a pickup must lie in the service's city and drop-offs in
the pickup's city (an SGN-BIKE driver does not ride to Hanoi). `package_detail` weights are
kilograms, at most 30 for a bike. `requires_coordinates` makes v3 refuse stops without
`lat`/`lng` (its table marks them required; whether it enforces that is UNCONFIRMED).

Troubles (`faults.fail_next`) match `/<METHOD><path>`, so `path="POST/v3/orders"` reaches the
v3 create (and estimate) but not the GET lookup that create makes first.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import CIMultiDict

from carriers.wire import name_key
from tests.fakes.carrier_faults import Faults

CANCELLABLE = frozenset({"IDLE", "ASSIGNING", "ACCEPTED", "CONFIRMING", "PAYING"})
PAYMENT_METHODS = frozenset({"BALANCE", "CASH", "CASH_BY_RECIPIENT"})
SERVICES: dict[str, int] = {  # service id -> price of a two-stop trip
    "SGN-BIKE": 32_000,
    "SGN-ECO": 25_000,
    "SGN-TRUCK-1000": 150_000,
    "HAN-BIKE": 30_000,
    "HAN-ECO": 24_000,
    "DAD-BIKE": 28_000,
}
EXTRA_STOP = 5_000
PATH = web.RequestKey("path", str)
BIKE_MAX_KG = 30
LOOKUP_DAYS = 7

# (city, province, district, ward); district "" for the 2025 two-level wards.
PLACES = [
    ("SGN", "Hồ Chí Minh", "Quận 1", "Phường Bến Nghé"),
    ("SGN", "Hồ Chí Minh", "Quận 1", "Phường Bến Thành"),
    ("SGN", "Hồ Chí Minh", "Quận 10", "Phường 14"),
    ("SGN", "Hồ Chí Minh", "", "Phường Sài Gòn"),
    ("SGN", "Hồ Chí Minh", "", "Phường Bến Thành"),
    ("HAN", "Hà Nội", "Quận Hai Bà Trưng", "Phường Phạm Đình Hổ"),
    ("HAN", "Hà Nội", "Quận Hoàn Kiếm", "Phường Hàng Bạc"),
    ("HAN", "Hà Nội", "", "Phường Hai Bà Trưng"),
    ("HAN", "Hà Nội", "", "Phường Hoàn Kiếm"),
    ("DAD", "Đà Nẵng", "Quận Hải Châu", "Phường Thạch Thang"),
]


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]  # case-insensitive
    form: dict[str, str]
    json: Any


RECORDED = web.RequestKey("recorded", Recorded)


@dataclass
class AhaOrder:
    id: str
    service_id: str
    city: str
    path: list[dict[str, Any]]
    payment_method: str
    price: int
    create_time: float
    fields: dict[str, Any]  # the rest of what was sent (items, package_detail, remarks...)
    status: str = "ASSIGNING"
    sub_status: str = ""
    pickup_time: float = 0
    cancel_time: float = 0
    cancel_comment: str = ""
    cancel_by_user: bool = False
    history: list[str] = field(default_factory=list)

    @property
    def tracking_numbers(self) -> list[str]:
        return [str(stop.get("tracking_number") or "") for stop in self.path[1:]]

    def view(self) -> dict[str, Any]:
        """The order object, as order detail and webhooks show it."""
        return {
            "_id": self.id,
            "status": self.status,
            "sub_status": self.sub_status,
            "service_id": self.service_id,
            "city_id": self.city,
            "currency": "VND",
            "payment_method": self.payment_method,
            "create_time": self.create_time,
            "order_time": self.create_time,
            "pickup_time": self.pickup_time,
            "cancel_time": self.cancel_time,
            "cancel_by_user": self.cancel_by_user,
            "cancel_comment": self.cancel_comment,
            "total_price": self.price,
            "total_pay": self.price,
            "path": [dict(stop) for stop in self.path],
            **{k: v for k, v in self.fields.items() if k in ("items", "remarks")},
        }


class Refusal(Exception):
    def __init__(self, message: str, *, status: int = 400, code: str = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class FakeAhamove:
    def __init__(self, *, token: str = "fake-ahamove-token") -> None:
        self.token = token
        self.requires_coordinates = False  # v3's table marks lat/lng required: UNCONFIRMED
        self.orders: dict[str, AhaOrder] = {}
        self.requests: list[Recorded] = []
        self.faults = Faults(envelope=self._envelope)
        self._numbers = itertools.count(1)

    # -- for tests ------------------------------------------------------------------------

    def orders_for(self, tracking_number: str) -> list[AhaOrder]:
        return [o for o in self.orders.values() if tracking_number in o.tracking_numbers]

    def set_status(
        self, order_id: str, status: str, *, sub_status: str = "", stop_status: str = ""
    ) -> None:
        order = self.orders[order_id]
        order.status, order.sub_status = status, sub_status
        if status in ("IN PROCESS", "COMPLETED") and not order.pickup_time:
            order.pickup_time = time.time()
        for stop in order.path[1:]:
            stop["status"] = stop_status

    def sent(self, path_end: str, method: str | None = None) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.path.endswith(path_end) and (method is None or r.method == method)
        ]

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._keyed, self._record, self.faults.middleware])
        app.router.add_route("*", "/v1/order/estimated_fee", self._v1_estimate)
        app.router.add_route("*", "/v1/order/create", self._v1_create)
        app.router.add_get("/v1/order/list", self._v1_list)
        app.router.add_get("/v1/order/detail", self._v1_detail)
        app.router.add_get("/v1/order/cancel", self._v1_cancel)
        app.router.add_post("/v3/orders/estimates", self._v3_estimate)
        app.router.add_get("/v3/orders/tracks", self._v3_tracks)
        app.router.add_get("/v3/orders/tracks/{tracking_number}", self._v3_tracks)
        app.router.add_post("/v3/orders", self._v3_create)
        app.router.add_get("/v3/orders/{order_id}", self._v3_detail)
        app.router.add_delete("/v3/orders/{order_id}", self._v3_cancel)
        return app

    # -- wire format ----------------------------------------------------------------------

    @staticmethod
    def _error(status: int, code: str, message: str) -> web.Response:
        return web.json_response({"title": code, "description": message}, status=status)

    def _envelope(self, message: str) -> web.Response:
        return self._error(400, "BAD_REQUEST", message)

    @web.middleware
    async def _keyed(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Faults match on the path; prefixing the method lets a test reach one call."""
        request[PATH] = request.path
        url = request.rel_url
        keyed = url.with_path(f"/{request.method}{url.path}").with_query(url.query)
        return await handler(request.clone(rel_url=keyed))

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        raw = await request.read()
        form: dict[str, str] = {}
        body: Any = None
        if raw and request.content_type == "application/x-www-form-urlencoded":
            form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        elif raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
        recorded = Recorded(
            request.method,
            request[PATH],
            dict(request.query),
            CIMultiDict(request.headers),
            form,
            body,
        )
        self.requests.append(recorded)
        request[RECORDED] = recorded
        return await handler(request)

    async def _answer(self, request: web.Request, version: int, work: Any) -> web.Response:
        recorded: Recorded = request[RECORDED]
        try:
            self._check_token(recorded, version)
            return web.json_response(work(recorded))
        except Refusal as refusal:
            return self._error(refusal.status, refusal.code, refusal.message)

    def _check_token(self, recorded: Recorded, version: int) -> None:
        if version == 3:
            scheme, _, token = recorded.headers.get("Authorization", "").partition(" ")
            if scheme != "Bearer" or token != self.token:
                raise Refusal("Invalid token", status=401, code="NOT_AUTHORIZED")
            return
        token = recorded.query.get("token") or recorded.form.get("token")
        if token != self.token:
            raise Refusal("Token not found", status=404, code="TOKEN_NOT_FOUND")

    # -- v1 -------------------------------------------------------------------------------

    async def _v1_estimate(self, request: web.Request) -> web.Response:
        def work(recorded: Recorded) -> Any:
            fields = _v1_fields(recorded)
            service = _service(fields.get("service_id"))
            return _estimate(service, self._check_trip(fields, service, version=1))

        return await self._answer(request, 1, work)

    async def _v1_create(self, request: web.Request) -> web.Response:
        return await self._answer(
            request, 1, lambda recorded: self._create(_v1_fields(recorded), version=1)
        )

    async def _v1_list(self, request: web.Request) -> web.Response:
        def work(recorded: Recorded) -> Any:
            query = recorded.query
            since, until = _float(query.get("from_time"), 0), _float(query.get("to_time"), 1e12)
            count, offset = int(query.get("count") or 20), int(query.get("offset") or 0)
            found = [
                o.view()
                for o in sorted(self.orders.values(), key=lambda o: -o.create_time)
                if since <= o.create_time <= until
                and (not query.get("status") or o.status == query["status"])
            ]
            return found[offset : offset + count]

        return await self._answer(request, 1, work)

    async def _v1_detail(self, request: web.Request) -> web.Response:
        return await self._answer(
            request, 1, lambda recorded: self._order(recorded.query.get("order_id")).view()
        )

    async def _v1_cancel(self, request: web.Request) -> web.Response:
        def work(recorded: Recorded) -> Any:
            order = self._order(recorded.query.get("order_id"))
            self._cancel(order, recorded.query.get("comment", ""))
            return {}

        return await self._answer(request, 1, work)

    # -- v3 -------------------------------------------------------------------------------

    async def _v3_estimate(self, request: web.Request) -> web.Response:
        def work(recorded: Recorded) -> Any:
            body = _json_object(recorded)
            services = body.get("services")
            if not isinstance(services, list) or not services:
                raise Refusal("services is required")
            answers = []
            for entry in services:
                if not isinstance(entry, dict):
                    raise Refusal("services[] must be objects")
                service = _service(entry.get("_id"))
                if not isinstance(entry.get("requests", []), list):
                    raise Refusal(f"services[{service}].requests must be an array")
                stops = self._check_trip({**body, "requests": []}, service, version=3)
                answers.append({"_id": service, **_estimate(service, stops)})
            return answers

        return await self._answer(request, 3, work)

    async def _v3_create(self, request: web.Request) -> web.Response:
        return await self._answer(
            request, 3, lambda recorded: self._create(_json_object(recorded), version=3)
        )

    async def _v3_tracks(self, request: web.Request) -> web.Response:
        def work(recorded: Recorded) -> Any:
            tracking = request.match_info.get("tracking_number") or recorded.query.get(
                "tracking_number", ""
            )
            now = time.time()
            since = _float(recorded.query.get("from_time"), now - LOOKUP_DAYS * 86_400)
            until = _float(recorded.query.get("to_time"), now + 1)
            found = [
                {
                    "_id": o.id,
                    "path": [
                        {"address": o.path[0]["address"]},
                        *(
                            {
                                k: stop[k]
                                for k in ("address", "status", "tracking_number")
                                if k in stop
                            }
                            for stop in o.path[1:]
                        ),
                    ],
                    "status": o.status,
                    "service_id": o.service_id,
                    "create_time": o.create_time,
                }
                for o in sorted(self.orders.values(), key=lambda o: -o.create_time)
                if tracking in o.tracking_numbers and since <= o.create_time <= until
            ]
            if not found:
                raise Refusal("Order ID not found", status=404, code="ORDER_NOT_FOUND")
            return found

        return await self._answer(request, 3, work)

    async def _v3_detail(self, request: web.Request) -> web.Response:
        return await self._answer(
            request, 3, lambda recorded: self._order(request.match_info["order_id"]).view()
        )

    async def _v3_cancel(self, request: web.Request) -> web.Response:
        def work(recorded: Recorded) -> Any:
            order = self._order(request.match_info["order_id"])
            body = recorded.json if isinstance(recorded.json, dict) else {}
            self._cancel(order, str(body.get("comment") or ""))
            return {}

        return await self._answer(request, 3, work)

    # -- orders ---------------------------------------------------------------------------

    def _order(self, order_id: str | None) -> AhaOrder:
        order = self.orders.get(order_id or "")
        if order is None:
            raise Refusal("Order ID not found", status=404, code="ORDER_NOT_FOUND")
        return order

    def _create(self, fields: dict[str, Any], *, version: int) -> dict[str, Any]:
        service = _service(fields.get("service_id"))
        stops = self._check_trip(fields, service, version=version)
        requests = fields.get("requests")
        if not isinstance(requests, list):
            raise Refusal("requests is required (an array, may be empty)")
        _check_items(fields.get("items"))
        order_id = f"25AHM{next(self._numbers):03d}"
        order = AhaOrder(
            id=order_id,
            service_id=service,
            city=service.split("-")[0],
            path=[{**stop, "status": ""} for stop in stops],
            payment_method=fields["payment_method"],
            price=_price(service, stops),
            create_time=time.time(),
            fields={k: v for k, v in fields.items() if k not in ("path", "token")},
        )
        self.orders[order_id] = order
        return {
            "order_id": order_id,
            "status": order.status,
            "shared_link": f"https://cloudstg.ahamove.com/share-order/{order_id}/84900000000",
            "order": order.view(),
        }

    @staticmethod
    def _cancel(order: AhaOrder, comment: str) -> None:
        if order.status not in CANCELLABLE:
            raise Refusal("Order not in valid status", status=406, code="NOT_ACCEPTABLE")
        if order.status == "ACCEPTED" and not comment.strip():
            raise Refusal("comment is required when the order is ACCEPTED")
        order.status, order.cancel_comment = "CANCELLED", comment
        order.cancel_by_user, order.cancel_time = True, time.time()

    def _check_trip(
        self, fields: dict[str, Any], service: str, *, version: int
    ) -> list[dict[str, Any]]:
        """The checks create and estimate share: stops, payment, package."""
        if fields.get("payment_method") not in PAYMENT_METHODS:
            raise Refusal(f"payment_method is invalid: {fields.get('payment_method')!r}")
        order_time = fields.get("order_time", 0)
        if isinstance(order_time, bool) or not isinstance(order_time, int | float):
            raise Refusal("order_time must be a number (0 = now)")
        stops = _check_path(
            fields.get("path"), coordinates=version == 3 and self.requires_coordinates
        )
        cities = [_city_of(stop["address"]) for stop in stops]
        city = service.split("-")[0]
        if cities[0] != city:
            raise Refusal(
                f"Pickup address is outside the area of service {service}: {stops[0]['address']}",
                code="OUT_OF_SERVICE_AREA",
            )
        for stop, stop_city in zip(stops[1:], cities[1:], strict=True):
            if stop_city != city:
                raise Refusal(
                    f"Drop-off address is outside the area of service {service}: {stop['address']}",
                    code="OUT_OF_SERVICE_AREA",
                )
        _check_packages(fields.get("package_detail"), service)
        return stops


# -- checks, as Ahamove makes them --------------------------------------------------------


def _v1_fields(recorded: Recorded) -> dict[str, Any]:
    """v1's query or form fields, its JSON-text arrays decoded and numbers read."""
    raw = {**recorded.query, **recorded.form}
    fields: dict[str, Any] = dict(raw)
    for name in ("path", "requests", "items", "package_detail"):
        if name in raw:
            try:
                fields[name] = json.loads(raw[name])
            except ValueError as error:
                raise Refusal(f"{name} is not valid JSON") from error
    if "order_time" in raw:
        fields["order_time"] = _float(raw["order_time"], None)
    return fields


def _json_object(recorded: Recorded) -> dict[str, Any]:
    if not isinstance(recorded.json, dict):
        raise Refusal("body must be a JSON object")
    return recorded.json


def _service(value: Any) -> str:
    if value not in SERVICES:
        raise Refusal(f"service_id is invalid: {value!r}", code="INVALID_SERVICE")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_path(path: Any, *, coordinates: bool) -> list[dict[str, Any]]:
    if not isinstance(path, list) or len(path) < 2:
        raise Refusal("path needs a pickup and at least one drop-off")
    for index, stop in enumerate(path):
        if not isinstance(stop, dict):
            raise Refusal(f"path[{index}] must be an object")
        for name in ("address", "name", "mobile"):
            value = stop.get(name)
            if not isinstance(value, str) or not value.strip():
                raise Refusal(f"path[{index}].{name} is required")
        for name in ("lat", "lng"):
            value = stop.get(name)
            if value is None and coordinates:
                raise Refusal(f"path[{index}].{name} is required")
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise Refusal(f"path[{index}].{name} must be a number")
        for name in ("cod", "item_value"):
            value = stop.get(name)
            if value is not None and (not _is_int(value) or value < 0):
                raise Refusal(f"path[{index}].{name} must be a whole amount of VND: {value!r}")
        tracking = stop.get("tracking_number")
        if tracking is not None and not isinstance(tracking, str):
            raise Refusal(f"path[{index}].tracking_number must be a string")
        if _city_of(stop["address"]) is None:
            raise Refusal(f"Cannot find the address: {stop['address']}", code="INVALID_ADDRESS")
    return path


def _city_of(address: str) -> str | None:
    parts = {name_key(part) for part in address.split(",")}
    for city, province, district, ward in PLACES:
        if {name_key(province), name_key(ward)} <= parts and (
            not district or name_key(district) in parts
        ):
            return city
    return None


def _check_items(items: Any) -> None:
    if items is None:
        return
    if not isinstance(items, list):
        raise Refusal("items must be an array")
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise Refusal(f"items[{index}].name is required")
        if not _is_int(item.get("num")) or item["num"] < 1:
            raise Refusal(f"items[{index}].num must be a whole number >= 1")
        if not _is_int(item.get("price")) or item["price"] < 0:
            raise Refusal(f"items[{index}].price must be a whole amount of VND")


def _check_packages(packages: Any, service: str) -> None:
    if packages is None:
        return
    if not isinstance(packages, list):
        raise Refusal("package_detail must be an array")
    for index, package in enumerate(packages):
        weight = package.get("weight") if isinstance(package, dict) else None
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise Refusal(f"package_detail[{index}].weight must be a positive number of kg")
        if service.endswith("-BIKE") and weight > BIKE_MAX_KG:
            raise Refusal(
                f"package_detail[{index}].weight {weight} kg is over the {BIKE_MAX_KG} kg a "
                f"bike carries ({service})"
            )


def _price(service: str, stops: list[dict[str, Any]]) -> int:
    return SERVICES[service] + EXTRA_STOP * (len(stops) - 2)


def _estimate(service: str, stops: list[dict[str, Any]]) -> dict[str, Any]:
    price = _price(service, stops)
    return {
        "distance": 4.68,
        "duration": 1291,
        "currency": "VND",
        "payment_method": "BALANCE",
        "distance_fee": price,
        "stop_fee": EXTRA_STOP * (len(stops) - 2),
        "total_fee": price,
        "total_pay": price,
        "subtotal_price": price,
        "total_price": price,
        "surge_rate": 1.0,
    }


def _float(value: Any, default: float | None) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default
