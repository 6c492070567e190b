"""Every configured carrier's price for one order, side by side, cheapest first.

Asked at once, so the slowest carrier sets the wait, not their sum; a carrier that fails is
listed with its message instead of hiding the others' prices.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from carriers.base import Carrier, CarrierError, Contact, Instruction, Quote
from carriers.parcels import parcel_from_snapshot, shop_contact
from chotdon.settings import Settings
from orders.views import OrderRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Comparison:
    quotes: list[Quote]  # cheapest first
    errors: dict[str, str]  # carrier -> what it said


def sender_of(settings: Settings) -> Contact:
    return shop_contact(settings.shop_name, settings.shop_phone, settings.shop_address)


def instruction_of(settings: Settings) -> Instruction:
    return Instruction(settings.delivery_instruction)


async def compare(
    carriers: Mapping[str, Carrier],
    order: OrderRow,
    weights: Mapping[str, int],
    settings: Settings,
) -> Comparison:
    parcel = parcel_from_snapshot(
        order, sender=sender_of(settings), weights=weights, instruction=instruction_of(settings)
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
