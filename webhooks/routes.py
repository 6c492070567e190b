"""The receivers' URLs (CONTRACT.md, "HTTP routes")."""

from __future__ import annotations

from aiohttp import web

from webhooks import bank, carriers, facebook


def add_routes(app: web.Application) -> None:
    app.router.add_get("/webhooks/facebook", facebook.handshake)
    app.router.add_post("/webhooks/facebook", facebook.receive)
    app.router.add_post("/webhooks/carriers/{carrier}", carriers.receive)
    app.router.add_post("/webhooks/bank", bank.receive)
