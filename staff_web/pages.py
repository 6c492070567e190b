"""The order screens of the seeds. Placeholder: filled in by the pages work."""

from __future__ import annotations

from aiohttp import web


def add_routes(app: web.Application) -> None:
    """Adds the page routes."""
