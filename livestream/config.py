"""What comment ingest needs from the settings, as one small value.

The ingest code takes this instead of `Settings`, so the rules can be tested without building
the whole service's configuration, and so older settings objects without the ingest fields
still work (they get the defaults below).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_GRACE_MINUTES = 10


@dataclass(frozen=True)
class IngestConfig:
    page_id: str | None = None
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

    @property
    def hides_phones(self) -> bool:
        return self.page_token_set and self.hide_phone_comments

    @property
    def replies_privately(self) -> bool:
        return self.page_token_set and self.private_reply


def from_settings(settings: Any) -> IngestConfig:
    return IngestConfig(
        page_id=settings.facebook_page_id or None,
        hide_phone_comments=bool(getattr(settings, "hide_phone_comments", True)),
        private_reply=bool(getattr(settings, "private_reply", False)),
        grace_minutes=int(getattr(settings, "live_grace_minutes", DEFAULT_GRACE_MINUTES)),
        page_token_set=bool(settings.facebook_page_access_token),
        language=getattr(settings, "language", "vi"),
        instagram_auto_open=bool(getattr(settings, "instagram_auto_open", False)),
    )
