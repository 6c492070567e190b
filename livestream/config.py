"""What comment ingest needs from the settings, as one small value.

The ingest code takes this instead of `Settings`, so the rules can be tested without building
the whole service's configuration, and so older settings objects without the ingest fields
still work (they get the defaults below).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orders.vietqr import BankAccount

DEFAULT_GRACE_MINUTES = 10


@dataclass(frozen=True)
class IngestConfig:
    page_id: str | None = None
    # Every configured Page (FACEBOOK_PAGES and FACEBOOK_PAGE_ID): their comments and messages
    # are the shop's own.
    page_ids: frozenset[str] = frozenset()
    # The Page a live belongs to when nothing says which: the only one configured.
    only_page_id: str | None = None
    # Hide comments that carry a phone number, so other viewers cannot read it.
    hide_phone_comments: bool = True
    # Answer each comment that made or changed a draft in the buyer's Messenger.
    private_reply: bool = False
    # After Facebook says the live stopped, comments still order for this long.
    grace_minutes: int = DEFAULT_GRACE_MINUTES
    # Without a Page token nothing can be done on Facebook, so no job is queued.
    page_token_set: bool = False
    language: str = "vi"
    # A comment on an Instagram live nobody opened opens it (else it is kept, flagged late).
    instagram_auto_open: bool = False
    # The shop's receiving account (`CHOTDON_BANK_*`) and public address (`CHOTDON_PUBLIC_URL`):
    # a buyer confirming an order that asks a transfer is told where to send it, with a link
    # to its VietQR image. Handed in by the composition root (`chotdon.live_wiring`).
    bank: BankAccount | None = None
    public_url: str = ""

    def is_page(self, from_id: str) -> bool:
        """Written by one of the shop's Pages, not by a buyer."""
        return bool(from_id) and (from_id == self.page_id or from_id in self.page_ids)

    @property
    def hides_phones(self) -> bool:
        return self.page_token_set and self.hide_phone_comments

    @property
    def replies_privately(self) -> bool:
        return self.page_token_set and self.private_reply


def from_settings(settings: Any) -> IngestConfig:
    tokens: dict[str, str] = (
        settings.facebook_page_tokens() if hasattr(settings, "facebook_page_tokens") else {}
    )
    single = settings.facebook_page_id or None
    page_ids = frozenset([*tokens, *([single] if single else [])])
    only = next(iter(page_ids)) if len(page_ids) == 1 else None
    return IngestConfig(
        page_id=single,
        page_ids=page_ids,
        only_page_id=only,
        hide_phone_comments=bool(getattr(settings, "hide_phone_comments", True)),
        private_reply=bool(getattr(settings, "private_reply", False)),
        grace_minutes=int(getattr(settings, "live_grace_minutes", DEFAULT_GRACE_MINUTES)),
        page_token_set=bool(settings.facebook_page_access_token or tokens),
        language=getattr(settings, "language", "vi"),
        instagram_auto_open=bool(getattr(settings, "instagram_auto_open", False)),
    )
