"""Where live comments come from, named once: every source ends as the same `CommentEvent`.

Facebook's webhook, the Graph catch-up poll and Instagram's webhook all store a body in the
inbox; the inbox handler reads it into `CommentEvent`s (`livestream.events`) carrying the
source, and `application.live_comments.apply_comments` applies them whatever their source.
Comments are keyed by their platform id, so a comment two sources deliver is applied once and
keeps the source that delivered it first (`Comment.source`). docs/comment-sources.md says how
to add a platform.

A polled comment is stored as the webhook would have sent it (a Page `feed` change, as
`livestream.simulate` builds them), with one extra top-level key naming the source: the inbox,
its replay tools and the handler need nothing new for it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from livestream.simulate import SimulatedComment, comment_change

WEBHOOK: Final = "webhook"  # Facebook's Page `feed` webhook
POLL: Final = "poll"  # GET /{video-id}/comments, for what the webhook missed
INSTAGRAM: Final = "instagram"  # Instagram's `live_comments` webhook
SOURCES: Final = (WEBHOOK, POLL, INSTAGRAM)

# The top-level key of an inbox body that says which source stored it; absent: the webhook.
SOURCE_KEY: Final = "chotdon_source"
# Bodies the service stores itself may name a source; a webhook body naming one is believed
# only for these (a signed Facebook body never carries the key).
TAGGED: Final = frozenset({POLL})


@dataclass(frozen=True, slots=True)
class PolledComment:
    """One comment of Graph's `/{video-id}/comments` answer."""

    id: str
    message: str
    from_id: str
    from_name: str
    created_time: datetime  # aware


def source_of(payload: Any) -> str:
    """The source a stored body names, or the webhook's."""
    tag = payload.get(SOURCE_KEY) if isinstance(payload, dict) else None
    return tag if isinstance(tag, str) and tag in TAGGED else WEBHOOK


def poll_body(page_id: str, video_id: str, comments: Sequence[PolledComment]) -> bytes:
    """The inbox body for comments the poll found: one `feed` change per comment, tagged."""
    changes = [
        comment_change(
            SimulatedComment(
                video_id=video_id,
                comment_id=comment.id,
                from_id=comment.from_id,
                from_name=comment.from_name,
                message=comment.message,
                created_time=int(comment.created_time.timestamp()),
            ),
            page_id,
        )
        for comment in comments
    ]
    payload = {
        "object": "page",
        SOURCE_KEY: POLL,
        "entry": [{"id": page_id, "time": _newest(comments), "changes": changes}],
    }
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _newest(comments: Sequence[PolledComment]) -> int:
    return max((int(c.created_time.timestamp()) for c in comments), default=0)
