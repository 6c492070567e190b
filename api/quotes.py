"""Quotes before shipping: what each configured carrier would charge for this order."""

from __future__ import annotations

from aiohttp import web

from api.deps import API
from api.params import order_id
from api.replies import reply
from application import quotes


async def order_quotes(request: web.Request) -> web.Response:
    api = request.app[API]
    order, weights = await api.orders.shippable(order_id(request))
    compared = await quotes.compare(api.shipping, order, weights, api.printing.shop)
    return reply(
        {
            "order_id": order.id,
            "quotes": [
                {
                    "carrier": quote.carrier,
                    "fee": quote.fee,
                    "service": quote.service,
                    "expected_delivery": quote.expected_delivery.isoformat()
                    if quote.expected_delivery
                    else None,
                }
                for quote in compared.quotes
            ],
            "errors": [
                {"carrier": carrier, "message": message}
                for carrier, message in sorted(compared.errors.items())
            ],
        }
    )
