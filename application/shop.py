"""The shop as its papers and parcels name it, handed in by the composition root so that the
use cases never read the service's settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from orders.vietqr import BankAccount

DeliveryInstruction = Literal["allow_viewing", "no_viewing", "allow_trying"]


@dataclass(frozen=True, slots=True)
class ShopProfile:
    """Who sends the parcels and signs the bills, and in which language staff read them."""

    name: str
    phone: str
    address: str
    delivery_instruction: DeliveryInstruction
    language: str
    # Where buyers send transfers (`CHOTDON_BANK_*`): VietQR codes on bills, tracking pages and
    # Messenger answers ask money into it; None when it is not set, and none are shown.
    bank: BankAccount | None = None
