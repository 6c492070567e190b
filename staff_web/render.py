"""Pages from Jinja2 templates, always HTML-escaped: buyers type anything into comments and
names, and every page shows it as text."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from staff_web.context import CSRF_FIELD, CSRF_KEY, STAFF_KEY
from staff_web.deps import PAGES

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,  # a missing value is a bug, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(request: web.Request, name: str, *, status: int = 200, **context: Any) -> web.Response:
    shop = request.app[PAGES].printing.shop
    template = environment().get_template(name)
    page = template.render(
        staff=request.get(STAFF_KEY),
        csrf_field=CSRF_FIELD,
        csrf_token=request.get(CSRF_KEY, ""),
        language=shop.language,
        shop_name=shop.name or "chotdon",
        **context,
    )
    response = web.Response(text=page, status=status, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"  # pages show orders as they are now
    return response
