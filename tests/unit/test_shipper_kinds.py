"""The one list of carrier names agrees with every place a carrier is wired in: the registry
that builds them, the settings that offer them, and the carrier modules' own names."""

from __future__ import annotations

import httpx

from carriers.base import MemoryMasterData
from chotdon import carrier_setup
from chotdon.settings import Settings
from orders.shipper_kinds import CARRIERS, INDIVIDUAL, SHIPPER_KINDS


def _every_carrier_set_up() -> Settings:
    fields = {f"{name}_token": f"{name}-token" for name in CARRIERS}
    fields |= {
        "ghn_webhook_token": "w1",
        "ghtk_webhook_hash": "w2",
        "viettelpost_webhook_token": "w3",
        "ahamove_webhook_key": "w4",
    }
    return Settings(**fields)


async def test_a_shop_with_every_token_is_offered_exactly_the_listed_carriers() -> None:
    settings = _every_carrier_set_up()
    async with httpx.AsyncClient() as http:
        built = carrier_setup.build(settings, http, MemoryMasterData())
    assert list(built.shipping) == list(CARRIERS)
    assert list(built.webhooks) == list(CARRIERS)
    assert settings.configured_carriers() == list(CARRIERS)


def test_a_shop_with_no_token_is_offered_no_carrier() -> None:
    assert Settings().configured_carriers() == []


def test_an_individual_shipper_is_a_kind_but_not_a_carrier() -> None:
    assert (*CARRIERS, INDIVIDUAL) == SHIPPER_KINDS
    assert INDIVIDUAL not in CARRIERS
