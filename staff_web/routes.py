"""Everything the web pages add to the service's app, in one call from `chotdon.app`."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from staff_web import favicon, pages, security

STATIC = Path(__file__).parent / "static"


def setup(app: web.Application) -> None:
    security.setup(app)
    pages.add_routes(app)
    favicon.add_routes(app)
    app.router.add_static("/static/", STATIC, name="static", append_version=True)
