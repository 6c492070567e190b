"""The bank's transfer notifications (SePay's webhook): authenticated, stored, then answered.

SePay posts every transfer on the shop's account with `Authorization: Apikey KEY`, and counts
only a 2xx with `{"success": true}` as delivered; anything else it sends again, up to seven
times over about five hours. So an authenticated body is answered `{"success": true}` only
once the inbox has committed it, and what it means is the inbox processor's business
(`application.bank_transfers`): a body we cannot read is still stored, and parked there with
its reason for a person, rather than refused here and retried for hours. Nothing
unauthenticated is stored, and the key is checked whatever the header holds (any encoding, any
length): a bad one is a 401, never a 500. The key never reaches a log line.
"""

from __future__ import annotations

import logging

from aiohttp import web

from kernel.http.errors import error_body
from kernel.http.limits import read_limited
from kernel.http.secrets import same_secret
from kernel.inbox.writer import InboxUnavailable
from webhooks.deps import RECEIVERS

log = logging.getLogger(__name__)

SOURCE = "bank"
SCHEME = "apikey"  # SePay writes `Apikey`; compared without case, as HTTP schemes are
# One transfer is well under 1 KiB; SePay sends one per request.
MAX_BODY_BYTES = 64 * 1024
SUCCESS = b'{"success": true}'  # SePay's own word for "delivered"


async def receive(request: web.Request) -> web.StreamResponse:
    receivers = request.app[RECEIVERS]
    key = receivers.bank_webhook_key
    if not key:
        log.warning(
            "bank webhook refused from %s: CHOTDON_BANK_WEBHOOK_KEY is not set", request.remote
        )
        return error_body(
            "not_configured",
            "CHOTDON_BANK_WEBHOOK_KEY is not set: transfers cannot be checked; nothing stored.",
            503,
        )
    if not authenticated(request.headers.get("Authorization"), key):
        log.warning("bank webhook refused from %s: wrong or missing key", request.remote)
        return error_body(
            "unauthorized", "Send the header 'Authorization: Apikey <key>'; nothing stored.", 401
        )
    body = await read_limited(request, MAX_BODY_BYTES)
    if body is None:
        return error_body(
            "too_large", f"The body is larger than {MAX_BODY_BYTES} bytes; nothing stored.", 413
        )
    try:
        await receivers.inbox.store(SOURCE, body, request.content_type)
    except InboxUnavailable as error:
        log.warning("bank webhook refused, not stored: %s", error)
        return error_body("unavailable", "Not stored; send it again later.", 503)
    return web.Response(body=SUCCESS, content_type="application/json")


def authenticated(header: object, key: str) -> bool:
    """`Apikey KEY` with our key, compared in constant time; any other header is a no."""
    if not isinstance(header, str):
        return False
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != SCHEME:
        return False
    return same_secret(given.strip(), key)
