"""Signing in (one-time login links, Telegram Mini App init data), session cookies, CSRF and
staff-only access for the pages. Placeholder: filled in by the sign-in work."""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    """Adds the middleware and the sign-in routes."""
