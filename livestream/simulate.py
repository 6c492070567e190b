"""Facebook webhook bodies for comments, as Facebook would send them: for demos, load tests and
tests that go through the real receiver.

The shape follows the captured `feed` payloads in `reference/facebook_live.md` 1.5-1.6: the
comment is on the video post `{page-id}_{video-id}`, `created_time` in Unix seconds, and the
body's non-ASCII characters escaped, as Facebook does (`kernel.http.signatures.sign` signs
these bytes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

DEFAULT_PAGE_ID = "100000000000001"


@dataclass(frozen=True)
class SimulatedComment:
    video_id: str
    comment_id: str
    from_id: str
    from_name: str
    message: str
    created_time: int  # Unix seconds
    verb: str = "add"


def read_comment(data: Any) -> SimulatedComment:
    """One line of a simulation file; ValueError says what is wrong with it."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    texts: dict[str, str] = {}
    for key in ("video_id", "comment_id", "from_id", "from_name", "message", "verb"):
        value = data.get(key, "add" if key == "verb" else "")
        if isinstance(value, int) and not isinstance(value, bool) and key.endswith("_id"):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(f"{key} must be a string")
        texts[key] = value
    for key in ("video_id", "comment_id"):
        if not texts[key].strip():
            raise ValueError(f"{key} is missing")
    return SimulatedComment(**texts, created_time=unix_time(data.get("created_time")))


def unix_time(value: Any) -> int:
    """Unix seconds, or an ISO 8601 time (taken as UTC when it names no zone)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.isdigit():
            return int(text)
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"created_time {value!r} is neither ISO 8601 nor Unix seconds"
            ) from None
        return int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp())
    raise ValueError("created_time is missing")


def comment_change(comment: SimulatedComment, page_id: str) -> dict[str, Any]:
    post_id = f"{page_id}_{comment.video_id}"
    value: dict[str, Any] = {
        "from": {"id": comment.from_id, "name": comment.from_name},
        "post": {
            "status_type": "added_video",
            "is_published": True,
            "permalink_url": f"https://www.facebook.com/{page_id}/videos/{comment.video_id}/",
            "id": post_id,
        },
        "message": comment.message,
        "post_id": post_id,
        "comment_id": comment.comment_id,
        "created_time": comment.created_time,
        "item": "comment",
        "parent_id": post_id,
        "verb": comment.verb,
    }
    return {"field": "feed", "value": value}


def webhook_body(
    comments: Sequence[SimulatedComment],
    *,
    page_id: str = DEFAULT_PAGE_ID,
    sent_at: int | None = None,
    extra_changes: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    """One delivery holding `comments` (Facebook batches up to 1,000 changes in one)."""
    changes = [comment_change(c, page_id) for c in comments] + [dict(c) for c in extra_changes]
    sent = sent_at if sent_at is not None else int(datetime.now(UTC).timestamp())
    payload = {"object": "page", "entry": [{"id": page_id, "time": sent, "changes": changes}]}
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode("ascii")
