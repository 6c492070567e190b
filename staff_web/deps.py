"""What the staff pages are handed by the composition root, instead of the whole runtime."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from application.printing import Printer, PrintSetup
from application.services import OrderService
from carriers.base import Carrier


@dataclass(frozen=True, slots=True)
class PagesDeps:
    orders: OrderService
    shipping: Mapping[str, Carrier]  # by name, the carriers with an API token: quotes, `ship`
    printer: Printer
    printing: PrintSetup  # also the shop: its name, its language
    telegram_bot_token: str | None  # checks the Mini App's signed start data
    public_url: str  # https: the session cookie is Secure

    @property
    def language(self) -> str:
        """`CHOTDON_LANGUAGE`: every word of the pages."""
        return self.printing.shop.language


PAGES = web.AppKey("pages", PagesDeps)
