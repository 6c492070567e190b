"""A shop's POS receiving "send to shop" hand-offs, as a POS developer would write it: it
checks `X-Chotdon-Signature` against the raw body, keeps each `Idempotency-Key` once, and can
be told to be down (503) for its next requests."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from aiohttp import web


class FakePos:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.orders: dict[str, dict[str, Any]] = {}  # idempotency key -> body
        self.deliveries = 0  # every request that reached the handler
        self.keys: list[str] = []  # the Idempotency-Key of each of them, in order
        self.bodies: list[bytes] = []  # and its raw body
        self.signatures: list[str] = []  # and its X-Chotdon-Signature
        self.refused_signatures = 0
        self.down_for = 0
        self.reject_with: int | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/pos/orders", self._receive)
        return app

    async def _receive(self, request: web.Request) -> web.Response:
        self.deliveries += 1
        self.keys.append(request.headers.get("Idempotency-Key", ""))
        self.bodies.append(await request.read())
        self.signatures.append(request.headers.get("X-Chotdon-Signature", ""))
        if self.down_for:
            self.down_for -= 1
            return web.Response(status=503, text="POS is restarting")
        if self.reject_with:
            return web.json_response({"error": "unknown product"}, status=self.reject_with)
        body = await request.read()
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        given = request.headers.get("X-Chotdon-Signature", "")
        if not hmac.compare_digest(given, expected):
            self.refused_signatures += 1
            return web.json_response({"error": "bad signature"}, status=401)
        key = request.headers.get("Idempotency-Key", "")
        if not key:
            return web.json_response({"error": "Idempotency-Key required"}, status=400)
        self.orders.setdefault(key, json.loads(body))
        return web.json_response({"received": key}, status=201)
