"""Who changed an order, and through which door: written on every event."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Source(StrEnum):
    STAFF = "staff"
    CARRIER = "carrier"
    SYSTEM = "system"
    API = "api"
    BUYER = "buyer"  # the buyer themself, answering in Messenger
    BANK = "bank"  # the bank's notification of a transfer


@dataclass(frozen=True)
class Actor:
    source: Source
    name: str
    staff_id: int | None = None

    @classmethod
    def api(cls, name: str = "api") -> Actor:
        return cls(Source.API, name)

    @classmethod
    def carrier(cls, carrier: str) -> Actor:
        return cls(Source.CARRIER, carrier)

    @classmethod
    def system(cls, name: str = "chotdon") -> Actor:
        return cls(Source.SYSTEM, name)

    @classmethod
    def buyer(cls, name: str = "messenger") -> Actor:
        return cls(Source.BUYER, name)

    @classmethod
    def bank(cls, name: str = "bank") -> Actor:
        return cls(Source.BANK, name)

    @property
    def is_person(self) -> bool:
        """Staff and API callers act by hand; carriers and the system follow events."""
        return self.source in (Source.STAFF, Source.API)
