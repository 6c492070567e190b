"""Routes for machines that watch the service: the load balancer and Prometheus."""

from __future__ import annotations

from aiohttp import web

from chotdon.database import database_answers
from chotdon.runtime import METRICS, RUNTIME


async def healthz(request: web.Request) -> web.Response:
    if await database_answers(request.app[RUNTIME].engine):
        return web.json_response({"status": "ok"})
    return web.json_response(
        {"status": "unavailable", "message": "The database does not answer."}, status=503
    )


async def metrics(request: web.Request) -> web.Response:
    registry = request.app[METRICS]
    return web.Response(body=registry.exposition(), headers={"Content-Type": registry.content_type})


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
