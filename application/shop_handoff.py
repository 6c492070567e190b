""" "Send to shop": the order handed to the shop's POS as signed JSON, through the outbox.

The POS can trust the body by recomputing `X-Chotdon-Signature` (HMAC-SHA256 of the raw body
with `SHOP_HANDOFF_SECRET`, as `sha256=<hex>`), and can ignore a repeat by its
`Idempotency-Key`, which stays the same on every retry of one hand-off. Any 2xx ends the job;
a 4xx other than 408 and 429 means the POS will never take this body, so it is not retried;
anything else is retried with backoff. The README documents the payload.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping

import httpx

from application.services import OrderService
from kernel.outbox.worker import Delivery, Handler, PermanentFailure
from orders.actors import Actor
from orders.outbox import SHOP_HANDOFF
from orders.views import OrderView

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Chotdon-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
EVENT = "order.sent_to_shop"
HANDED_TO_SHOP = "handed_to_shop"
HANDOFF_FAILED = "handoff_failed"
TIMEOUT_S = 15.0
_RETRYABLE_4XX = frozenset({408, 429})


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# The order as the API's JSON: the POS reads the object `GET /api/orders/{id}` answers with,
# and JSON is made only in the API adapter, so the composition root hands its encoder in.
Encode = Callable[[OrderView], Mapping[str, object]]


def handoff_body(order: Mapping[str, object], idempotency_key: str) -> bytes:
    document = {"event": EVENT, "idempotency_key": idempotency_key, "order": order}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def outbox_handlers(
    url: str | None,
    secret: str | None,
    orders: OrderService,
    http: httpx.AsyncClient,
    encode: Encode,
) -> dict[str, Handler]:
    """None without `SHOP_HANDOFF_URL`: the job is skipped and the chat, told by the order's
    change like for any other, is the whole hand-off."""
    if not url:
        return {}
    handoff = ShopHandoff(url, secret, orders, http, encode)
    return {SHOP_HANDOFF: handoff.deliver}


class ShopHandoff:
    def __init__(
        self,
        url: str,
        secret: str | None,
        orders: OrderService,
        http: httpx.AsyncClient,
        encode: Encode,
    ) -> None:
        self.url = url
        self.secret = secret
        self.orders = orders
        self.http = http
        self.encode = encode

    async def deliver(self, job: Delivery) -> None:
        order_id = int(job.payload["order_id"])
        order = self.encode(await self.orders.detail(order_id))
        body = handoff_body(order, job.idempotency_key)
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: job.idempotency_key}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret, body)
        try:
            answer = await self.http.post(
                self.url, content=body, headers=headers, timeout=TIMEOUT_S
            )
        except httpx.HTTPError as error:
            await self._passing(job, order_id, f"the POS did not answer: {error!r}")
            raise
        if answer.is_success:
            await self.orders.note(
                order_id, ACTOR, HANDED_TO_SHOP, {"http_status": answer.status_code}
            )
            return
        said = f"the POS answered HTTP {answer.status_code}: {answer.text[:300]}"
        if 400 <= answer.status_code < 500 and answer.status_code not in _RETRYABLE_4XX:
            await self.orders.note(order_id, ACTOR, HANDOFF_FAILED, {"message": said})
            raise PermanentFailure(said)
        await self._passing(job, order_id, said)
        raise RuntimeError(said)

    async def _passing(self, job: Delivery, order_id: int, said: str) -> None:
        log.warning("shop hand-off of order %s, attempt %s: %s", order_id, job.attempt, said)
        if job.is_last_attempt:
            details = {"message": said, "gave_up": True, "attempts": job.attempt}
            await self.orders.note(order_id, ACTOR, HANDOFF_FAILED, details)


ACTOR = Actor.system("shop-pos")
