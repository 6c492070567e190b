"""Route table of the JSON API (filled in by the API modules)."""

from aiohttp import web


def add_routes(app: web.Application) -> None:
    pass
