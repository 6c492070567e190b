"""The Pages chotdon acts for, read from the settings once (the composition root's part)."""

from __future__ import annotations

from chotdon.settings import Settings
from livestream.pages import FacebookPages


def facebook_pages(settings: Settings) -> FacebookPages:
    """Every Page with a token: `FACEBOOK_PAGE_ID`/`FACEBOOK_PAGE_ACCESS_TOKEN` and
    `FACEBOOK_PAGES` together, the latter winning for a Page in both."""
    return FacebookPages.of(
        settings.facebook_graph_url,
        pages=settings.facebook_page_tokens(),
        page_id=settings.facebook_page_id,
        access_token=settings.facebook_page_access_token,
    )


def known_page_ids(settings: Settings) -> frozenset[str]:
    """Page ids staff may name (`chotdon live open --page`): the configured Pages, and
    `FACEBOOK_PAGE_ID` even without a token."""
    single = {settings.facebook_page_id} if settings.facebook_page_id else set()
    return facebook_pages(settings).ids() | single


def only_page_id(settings: Settings) -> str | None:
    """The Page a live belongs to when nobody says: the only one configured."""
    known = known_page_ids(settings)
    return next(iter(known)) if len(known) == 1 else None
