"""What the receivers are handed by the composition root: where a body is stored, and the
secrets that prove who sent it. Nothing else of the service reaches them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from carriers.base import Carrier
from kernel.inbox.sqlite_landing import SqliteLandingWriter
from kernel.inbox.writer import InboxWriter


@dataclass(frozen=True, slots=True)
class ReceiverDeps:
    inbox: InboxWriter | SqliteLandingWriter
    carriers: Mapping[str, Carrier]  # by name, those with a webhook secret configured
    facebook_verify_token: str | None
    facebook_app_secret: str | None
    bank_webhook_key: str | None = None  # `CHOTDON_BANK_WEBHOOK_KEY`: unset, the bank gets 503


RECEIVERS = web.AppKey("receivers", ReceiverDeps)
