"""The carriers this shop has configured, built from its settings once per process."""

from __future__ import annotations

import httpx

from application.carrier_registry import Carriers
from carriers import wire
from carriers.ahamove import AhamoveCarrier
from carriers.base import Carrier, MasterData
from carriers.ghn import GhnCarrier
from carriers.ghtk import GhtkCarrier
from carriers.viettelpost import ViettelPostCarrier
from chotdon.settings import Settings


def build(
    settings: Settings,
    http: httpx.AsyncClient,
    places: MasterData,
    *,
    timeout: float = wire.TIMEOUT_S,
) -> Carriers:
    """`timeout` bounds each call to a carrier (seconds)."""
    every: list[tuple[Carrier, bool, bool]] = [
        (
            GhnCarrier(
                http,
                base_url=settings.ghn_api_url,
                token=settings.ghn_token or "",
                shop_id=settings.ghn_shop_id or 0,
                webhook_token=settings.ghn_webhook_token,
                master_data=places,
                timeout=timeout,
            ),
            bool(settings.ghn_token),
            bool(settings.ghn_webhook_token),
        ),
        (
            GhtkCarrier(
                http,
                base_url=settings.ghtk_api_url,
                token=settings.ghtk_token or "",
                client_source=settings.ghtk_client_source,
                webhook_hash=settings.ghtk_webhook_hash,
                timeout=timeout,
            ),
            bool(settings.ghtk_token),
            bool(settings.ghtk_webhook_hash),
        ),
        (
            ViettelPostCarrier(
                http,
                base_url=settings.viettelpost_api_url,
                token=settings.viettelpost_token or "",
                webhook_token=settings.viettelpost_webhook_token,
                master_data=places,
                timeout=timeout,
            ),
            bool(settings.viettelpost_token),
            bool(settings.viettelpost_webhook_token),
        ),
        (
            AhamoveCarrier(
                http,
                base_url=settings.ahamove_api_url,
                token=settings.ahamove_token or "",
                service_id=settings.ahamove_service_id,
                webhook_key=settings.ahamove_webhook_key,
                timeout=timeout,
            ),
            bool(settings.ahamove_token),
            bool(settings.ahamove_webhook_key),
        ),
    ]
    return Carriers(
        shipping={c.name: c for c, ships, _ in every if ships},
        webhooks={c.name: c for c, _, hooks in every if hooks},
    )
