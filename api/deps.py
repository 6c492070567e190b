"""What the JSON API is handed by the composition root, instead of the whole runtime."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from application.printing import Printer, PrintSetup
from application.services import OrderService
from carriers.base import Carrier


@dataclass(frozen=True, slots=True)
class ApiDeps:
    orders: OrderService
    shipping: Mapping[str, Carrier]  # by name, the carriers with an API token: quotes, `ship`
    printer: Printer
    printing: PrintSetup  # also the shop, as its papers and parcels name it
    api_token: str | None


API = web.AppKey("api", ApiDeps)
