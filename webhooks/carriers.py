"""Carriers' status webhooks: authenticated per carrier, stored, then answered 200.

Each carrier has its own idea of a secret (CONTRACT.md: GHN a `token` query parameter, GHTK a
`hash` one, Viettel Post a `TOKEN` field in the body, Ahamove an `apikey` or bearer header).
Nothing unauthenticated is stored. What an authenticated body means is the inbox processor's
business, so a body we cannot read is still stored and answered 200: carriers retry anything
else, some for ever, and what they said must reach staff rather than vanish. Authentication
answers yes or no whatever was sent: a secret of any type or encoding is a 401, never a 500.
"""

from __future__ import annotations

import logging

from aiohttp import web

from application.carrier_reports import source_of
from carriers.base import Carrier, WebhookRequest
from kernel.http.errors import error_body
from kernel.http.limits import read_limited
from kernel.inbox.writer import InboxUnavailable
from orders.shipper_kinds import CARRIERS
from webhooks.deps import RECEIVERS

log = logging.getLogger(__name__)

# A status report is a few KiB; Ahamove's, the largest, carries the whole order.
MAX_BODY_BYTES = 256 * 1024


async def receive(request: web.Request) -> web.StreamResponse:
    name = request.match_info["carrier"]
    if name not in CARRIERS:
        return error_body("not_found", f"No carrier called {name!r}.", 404)
    receivers = request.app[RECEIVERS]
    carrier = receivers.carriers.get(name)
    if carrier is None:
        log.warning(
            "%s webhook refused from %s: no webhook secret configured", name, request.remote
        )
        return error_body(
            "unauthorized", f"{name} webhooks are not configured here; nothing stored.", 401
        )
    body = await read_limited(request, MAX_BODY_BYTES)
    if body is None:
        return error_body(
            "too_large", f"The body is larger than {MAX_BODY_BYTES} bytes; nothing stored.", 413
        )
    delivery = WebhookRequest(
        body=body,
        content_type=request.content_type,
        query=dict(request.query),
        headers=dict(request.headers),
    )
    if not _authenticated(carrier, delivery):
        log.warning("%s webhook refused from %s: wrong or missing secret", name, request.remote)
        return error_body("unauthorized", "Wrong or missing secret; nothing stored.", 401)
    try:
        await receivers.inbox.store(source_of(name), body, request.content_type)
    except InboxUnavailable as error:
        log.warning("%s webhook refused, not stored: %s", name, error)
        return error_body("unavailable", "Not stored; send it again later.", 503)
    return web.json_response({"status": "stored"})


def _authenticated(carrier: Carrier, delivery: WebhookRequest) -> bool:
    """Each carrier's own check, which compares with `kernel.http.secrets` and so should never
    raise; should one still, what was sent is refused rather than answered 500."""
    try:
        return carrier.authenticate(delivery)
    except Exception as error:
        log.warning(
            "%s webhook: the secret check failed on what was sent (%s); refused",
            carrier.name,
            type(error).__name__,
        )
        return False
