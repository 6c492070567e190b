"""Every configured carrier's price for one order, side by side, cheapest first.

Asked at once, so the slowest carrier sets the wait, not their sum; a carrier that fails is
listed with its message instead of hiding the others' prices.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from application.shop import ShopProfile
from carriers.base import Carrier, CarrierError, Contact, Instruction, Quote
from carriers.parcels import parcel_from_snapshot, shop_contact
from orders.views import OrderRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Comparison:
    quotes: list[Quote]  # cheapest first
    errors: dict[str, str]  # carrier -> what it said


def sender_of(shop: ShopProfile) -> Contact:
    return shop_contact(shop.name, shop.phone, shop.address)


def instruction_of(shop: ShopProfile) -> Instruction:
    return Instruction(shop.delivery_instruction)


async def compare(
    carriers: Mapping[str, Carrier],
    order: OrderRow,
    weights: Mapping[str, int],
    shop: ShopProfile,
) -> Comparison:
    parcel = parcel_from_snapshot(
        order, sender=sender_of(shop), weights=weights, instruction=instruction_of(shop)
    )
    names = list(carriers)
    answers = await asyncio.gather(
        *(carriers[name].quote(parcel) for name in names), return_exceptions=True
    )
    quotes: list[Quote] = []
    errors: dict[str, str] = {}
    for name, answer in zip(names, answers, strict=True):
        if isinstance(answer, CarrierError):
            errors[name] = answer.message
        elif isinstance(answer, Exception):
            # A bug in one carrier's module must not hide the other carriers' prices.
            log.error("%s quote failed unexpectedly", name, exc_info=answer)
            errors[name] = f"could not get a price ({type(answer).__name__}); see the log"
        elif isinstance(answer, BaseException):
            raise answer
        else:
            quotes.append(answer)
    return Comparison(sorted(quotes, key=lambda q: (q.fee, q.carrier)), errors)
