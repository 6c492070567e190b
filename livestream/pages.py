"""The Facebook Pages chotdon acts for, each with its own Page access token.

A shop may run lives on several Pages (`FACEBOOK_PAGES`, beside or instead of
`FACEBOOK_PAGE_ID` / `FACEBOOK_PAGE_ACCESS_TOKEN`). A token only works for its own Page's
objects, so whatever acts on a comment or a buyer asks this registry for the Page the live or
the conversation belongs to. It is built once, in the composition root, from the settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from livestream.graph import GraphPage

FROM_PAGES = "FACEBOOK_PAGES"
FROM_PAGE_ID = "FACEBOOK_PAGE_ID"


@dataclass(frozen=True, slots=True)
class ConfiguredPage:
    """One Page as configured: its Graph access and which setting named it (for
    `chotdon pages list`)."""

    page: GraphPage
    origin: str  # FROM_PAGES or FROM_PAGE_ID

    @property
    def page_id(self) -> str | None:
        return self.page.page_id


class FacebookPages:
    """Pages by id, in the order they were configured.

    A single token configured without `FACEBOOK_PAGE_ID` is a Page whose id chotdon does not
    know (Graph calls go to `me`): it is the only Page, so it answers for any Page id.
    """

    def __init__(self, pages: Iterable[ConfiguredPage] = ()) -> None:
        self._pages: list[ConfiguredPage] = []
        seen: dict[str | None, int] = {}
        for entry in pages:
            if entry.page_id in seen:  # the later one wins: FACEBOOK_PAGES over FACEBOOK_PAGE_ID
                self._pages[seen[entry.page_id]] = entry
            else:
                seen[entry.page_id] = len(self._pages)
                self._pages.append(entry)

    @classmethod
    def of(
        cls,
        graph_url: str,
        *,
        pages: Mapping[str, str] | None = None,
        page_id: str | None = None,
        access_token: str | None = None,
    ) -> FacebookPages:
        """The union of the single-Page settings and `FACEBOOK_PAGES` (`pages`: id -> token);
        `FACEBOOK_PAGES` wins for a Page named in both. A `FACEBOOK_PAGE_ID` without a token
        is not a Page chotdon can act for, and is left out."""
        entries: list[ConfiguredPage] = []
        if access_token:
            single = GraphPage(graph_url, access_token, page_id or None)
            entries.append(ConfiguredPage(single, FROM_PAGE_ID))
        for pid, token in (pages or {}).items():
            entries.append(ConfiguredPage(GraphPage(graph_url, token, pid), FROM_PAGES))
        # A token without its id beside named Pages cannot be told apart from them: it is
        # kept (Graph calls go to `me`) but answers for no other id (`for_page`).
        return cls(entries)

    def for_page(self, page_id: str | None) -> GraphPage | None:
        """The Page with this id, or None when it is not configured (None: the only Page)."""
        if page_id is None:
            return self.only()
        for entry in self._pages:
            if entry.page_id == page_id:
                return entry.page
        alone = self.only()
        if alone is not None and alone.page_id is None:
            return alone
        return None

    def only(self) -> GraphPage | None:
        """The Page when exactly one is configured, else None."""
        return self._pages[0].page if len(self._pages) == 1 else None

    def all(self) -> list[GraphPage]:
        return [entry.page for entry in self._pages]

    def entries(self) -> list[ConfiguredPage]:
        return list(self._pages)

    def ids(self) -> frozenset[str]:
        """The ids of the configured Pages (the ones known by id)."""
        return frozenset(entry.page_id for entry in self._pages if entry.page_id)

    def knows(self, page_id: str) -> bool:
        return page_id in self.ids()

    def __bool__(self) -> bool:
        return bool(self._pages)

    def __len__(self) -> int:
        return len(self._pages)
