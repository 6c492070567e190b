"""The shop as its papers and parcels name it, handed in by the composition root so that the
use cases never read the service's settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DeliveryInstruction = Literal["allow_viewing", "no_viewing", "allow_trying"]


@dataclass(frozen=True, slots=True)
class ShopProfile:
    """Who sends the parcels and signs the bills, and in which language staff read them."""

    name: str
    phone: str
    address: str
    delivery_instruction: DeliveryInstruction
    language: str
