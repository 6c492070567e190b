"""Facebook's Page webhook: the subscription handshake and signed deliveries.

A delivery is authenticated on its raw bytes before anything reads them as JSON, and answered
200 only once the inbox has committed it; what it means is the inbox processor's business, so
the answer stays fast whatever the body holds (Facebook gives up after 20 s and unsubscribes an
app that keeps failing).
"""

from __future__ import annotations

import json
import logging

import msgspec
from aiohttp import web

from kernel.http import signatures
from kernel.http.errors import error_body
from kernel.http.limits import read_limited
from kernel.http.secrets import same_secret
from kernel.inbox.writer import InboxUnavailable
from kernel.json_body import nested_deeper_than
from webhooks.deps import RECEIVERS

log = logging.getLogger(__name__)

SOURCE = "facebook"
# Facebook batches up to 1,000 changes in one request; a comment change is well under 1 KiB.
MAX_BODY_BYTES = 1024 * 1024
STORED = b'{"status": "stored"}'  # the same answer every time: not serialised per request


async def handshake(request: web.Request) -> web.StreamResponse:
    """Facebook checks the callback URL by asking us to echo `hub.challenge`."""
    expected = request.app[RECEIVERS].facebook_verify_token
    query = request.query
    token = query.get("hub.verify_token", "")
    challenge = query.get("hub.challenge", "")
    if query.get("hub.mode") != "subscribe" or not challenge:
        reason = "hub.mode=subscribe and hub.challenge are required"
    elif not expected:
        reason = "FACEBOOK_VERIFY_TOKEN is not set"
    elif not same_secret(token, expected):
        reason = "the verify token is wrong"
    else:
        return web.Response(text=challenge)
    return error_body("forbidden", f"Subscription refused: {reason}.", 403)


async def receive(request: web.Request) -> web.StreamResponse:
    secret = request.app[RECEIVERS].facebook_app_secret
    if not secret:
        return error_body(
            "not_configured", "FACEBOOK_APP_SECRET is not set: deliveries cannot be checked.", 503
        )
    header = request.headers.get(signatures.HEADER)
    if header is None or not signatures.is_well_formed(header):
        return _unsigned(request, header)
    body = await read_limited(request, MAX_BODY_BYTES)
    if body is None:
        return error_body(
            "too_large", f"The body is larger than {MAX_BODY_BYTES} bytes; nothing stored.", 413
        )
    if not signatures.is_valid(secret, body, header):
        log.warning("facebook webhook: wrong signature from %s", request.remote)
        return error_body("unauthorized", "X-Hub-Signature-256 does not match the body.", 401)
    if not is_json(body):
        return error_body("invalid_json", "The body is not JSON; nothing stored.", 400)
    try:
        await request.app[RECEIVERS].inbox.store(SOURCE, body, request.content_type)
    except InboxUnavailable as error:
        log.warning("facebook webhook refused, not stored: %s", error)
        return error_body("unavailable", "Not stored; send it again later.", 503)
    return web.Response(body=STORED, content_type="application/json")


class _AnyObject(msgspec.Struct):
    """Decoding into a struct with no fields checks the whole document's syntax but builds no
    Python objects for it: 11 µs for a 50-comment body, where `json.loads` took 105 µs of the
    event loop on every request (a third of the receiver's time in `bench/ingest_http.py`)."""


_VALIDATOR = msgspec.json.Decoder(_AnyObject)


def is_json(body: bytes) -> bool:
    """Whether `body` is one well-formed JSON document. What it holds is the processor's
    business: JSON that is not an object is stored, and failed there with the reason. JSON
    nested deeper than the processor reads (`kernel.json_body`) is refused here, as unreadable
    as any other, rather than stored to be parked."""
    if nested_deeper_than(body):
        return False
    try:
        _VALIDATOR.decode(body)
    except (msgspec.DecodeError, RecursionError):  # ValidationError: a top level that is no object
        return _json_after_all(body)
    return True


def _json_after_all(body: bytes) -> bool:
    """The standard library decides what msgspec did not accept: a top level that is not an
    object (msgspec stops at its first byte), and what msgspec is stricter about (a lone
    surrogate escape, as in a comment cut in the middle of an emoji; `NaN`). What `json` reads
    is not refused, since a refused delivery is retried and then dropped by Facebook."""
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        return False
    return True


def _unsigned(request: web.Request, header: str | None) -> web.Response:
    if header is not None:
        message = "X-Hub-Signature-256 must be sha256= and 64 hex digits."
    elif signatures.LEGACY_HEADER in request.headers:
        message = "Only X-Hub-Signature-256 is accepted; the SHA-1 X-Hub-Signature is not."
    else:
        message = "X-Hub-Signature-256 is missing."
    log.warning("facebook webhook refused from %s: %s", request.remote, message)
    return error_body("unauthorized", message, 401)
