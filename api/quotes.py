"""Quotes before shipping: what each configured carrier would charge for this order."""

from __future__ import annotations

from aiohttp import web

from api.params import order_id
from api.replies import reply
from application import quotes
from chotdon.runtime import RUNTIME, SETTINGS


async def order_quotes(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    order, weights = await runtime.orders.shippable(order_id(request))
    compared = await quotes.compare(
        runtime.carriers.shipping, order, weights, request.app[SETTINGS]
    )
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
