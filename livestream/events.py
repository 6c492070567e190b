"""Facebook Page webhook bodies as typed events: a pure function, no database, no network.

Facebook batches many changes in one body and its shapes are loosely documented
(`../shared/reference/facebook_live.md` 1.4-1.7), so one odd change must not cost the others:
a malformed change is skipped and described in `problems`, and only a body that is not a Page
webhook at all is refused (`Unprocessable`: retrying it cannot help).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kernel.inbox.processor import Unprocessable
from kernel.json_body import load_json
from kernel.storable import storable
from livestream.sources import WEBHOOK, source_of

COMMENT_VERBS = frozenset({"add", "edited", "remove", "hide", "unhide"})
# Spellings from the same documented enum that mean the same thing for a comment.
VERB_ALIASES = {"edit": "edited", "delete": "remove"}
ID_LIMIT = 64
COMMENT_ID_LIMIT = 128
NAME_LIMIT = 255
MESSAGE_LIMIT = 8000
MID_LIMIT = 255
PAYLOAD_LIMIT = 1000
MILLIS_FROM = 100_000_000_000  # a number above this is milliseconds (year 5138 in seconds)
# Facebook's own timestamps fall in this window; anything else is a broken payload.
EARLIEST = datetime(2004, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
INSTAGRAM = "instagram"  # a CommentEvent's source, and a live session's platform
INSTAGRAM_LIVE_COMMENTS = "live_comments"  # the Instagram webhook field (no Page has one)


@dataclass(frozen=True)
class CommentEvent:
    verb: str  # add, edited, remove, hide, unhide
    comment_id: str
    video_id: str
    from_id: str
    from_name: str
    message: str
    created_time: datetime  # aware, UTC
    parent_id: str | None = None
    # Which source delivered it: webhook (Facebook's feed), poll (the Graph catch-up) or
    # instagram; kept on the comment when it is first seen.
    source: str = "webhook"
    # The Page that carried it (the webhook entry's id, else the `post_id` prefix): a live
    # belongs to the Page that first carried it. None: not said.
    page_id: str | None = None


@dataclass(frozen=True)
class LiveStatusEvent:
    live_video_id: str
    status: str  # live, live_stopped, vod, ... in lower case
    video_id: str | None = None
    page_id: str | None = None  # the webhook entry's id: the Page that is live


@dataclass(frozen=True)
class MessengerEvent:
    """A buyer's Messenger event: a text, a tap on a quick reply, or a postback button."""

    mid: str  # Facebook's message id: each is applied once
    page_id: str
    sender_id: str  # the buyer's Page-scoped id (PSID)
    kind: str  # message, quick_reply, postback
    text: str
    payload: str | None
    at: datetime  # aware, UTC


Event = CommentEvent | LiveStatusEvent | MessengerEvent


@dataclass(frozen=True)
class Batch:
    events: list[Event] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class _Skip(Exception):
    """One change that cannot be read; the message says why."""


def read_body(body: bytes) -> Batch:
    """The events of one webhook body, or `Unprocessable` when it is not a Page webhook."""
    try:
        payload = load_json(body)
    except ValueError as error:
        raise Unprocessable(f"the body is not JSON ({error})") from None
    return events_of(payload)


def events_of(payload: Any) -> Batch:
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise Unprocessable('the body is not a JSON object with an "entry" list')
    batch = Batch()
    for number, entry in enumerate(payload["entry"]):
        where = f"entry[{number}]"
        if not isinstance(entry, dict):
            batch.problems.append(f"{where}: not an object")
            continue
        _read_messaging(entry, where, batch)
        changes = entry.get("changes", [])
        if not isinstance(changes, list):
            batch.problems.append(f"{where}.changes: not a list")
            continue
        for index, change in enumerate(changes):
            try:
                event = _event_of(change, entry.get("time"), _page_of(entry.get("id")))
            except _Skip as skip:
                batch.problems.append(f"{where}.changes[{index}]: {skip}")
                continue
            if event is not None:
                batch.events.append(event)
    return _tagged(batch, source_of(payload))


def _tagged(batch: Batch, source: str) -> Batch:
    """Comments of a body the service stored itself (a poll) carry the source it names."""
    if source == WEBHOOK:
        return batch
    events = [
        dataclasses.replace(event, source=source) if isinstance(event, CommentEvent) else event
        for event in batch.events
    ]
    return Batch(events, batch.problems)


def _read_messaging(entry: dict[str, Any], where: str, batch: Batch) -> None:
    """Messenger events of one entry (`entry[].messaging[]`), each read on its own."""
    messaging = entry.get("messaging", [])
    if not isinstance(messaging, list):
        batch.problems.append(f"{where}.messaging: not a list")
        return
    for index, item in enumerate(messaging):
        try:
            event = _messenger_event(item, entry.get("id"), entry.get("time"))
        except _Skip as skip:
            batch.problems.append(f"{where}.messaging[{index}]: {skip}")
            continue
        if event is not None:
            batch.events.append(event)


def _messenger_event(item: Any, entry_page: Any, entry_time: Any) -> MessengerEvent | None:
    """None for what a buyer did not say: the Page's own echoes, deliveries, reads, reactions."""
    if not isinstance(item, dict):
        raise _Skip("not an object")
    message, postback = item.get("message"), item.get("postback")
    if isinstance(message, dict):
        if message.get("is_echo") is True:
            return None
        quick = message.get("quick_reply")
        payload = quick.get("payload") if isinstance(quick, dict) else None
        kind = "quick_reply" if payload is not None else "message"
        body = message
    elif isinstance(postback, dict):
        payload, kind, body = postback.get("payload"), "postback", postback
    else:
        return None
    sender = item.get("sender")
    sender_id = _id(sender.get("id") if isinstance(sender, dict) else None, "sender.id")
    recipient = item.get("recipient")
    page = recipient.get("id") if isinstance(recipient, dict) else entry_page
    at = _millis(item.get("timestamp", entry_time))
    text = _text(body.get("title") if kind == "postback" else body.get("text"), MESSAGE_LIMIT)
    raw_mid = body.get("mid")
    if raw_mid is None and kind == "postback":
        # Older postbacks carry no mid: the sender and the moment name the tap as well.
        raw_mid = f"postback:{sender_id}:{int(at.timestamp() * 1000)}"
    return MessengerEvent(
        mid=_id(raw_mid, "mid", MID_LIMIT),
        page_id=_text(page, ID_LIMIT),
        sender_id=sender_id,
        kind=kind,
        text=text,
        payload=(_text(payload, PAYLOAD_LIMIT) or None) if payload is not None else None,
        at=at,
    )


def _millis(raw: Any) -> datetime:
    """Messenger stamps events in milliseconds; seconds are read too (replays, tools)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool) and raw > MILLIS_FROM:
        raw = raw / 1000
    return _time(raw)


def _page_of(raw: Any) -> str | None:
    """The entry's Page id, or None when it is missing or not an id (the change is still read:
    the Page is a detail, the comment is not)."""
    try:
        return _id(raw, "entry.id")
    except _Skip:
        return None


def _event_of(change: Any, entry_time: Any, page_id: str | None = None) -> Event | None:
    """None for a change we do not act on (reactions, posts, other fields)."""
    if not isinstance(change, dict):
        raise _Skip("not an object")
    value = change.get("value")
    kind = change.get("field")
    if kind == INSTAGRAM_LIVE_COMMENTS:
        return instagram_comment(value, entry_time)
    if kind not in ("feed", "live_videos"):
        return None
    if not isinstance(value, dict):
        raise _Skip(f"{kind} change without an object value")
    if kind == "live_videos":
        return _live_status(value, page_id)
    if value.get("item") != "comment":
        return None
    return _comment(value, entry_time, page_id)


def instagram_comment(value: Any, entry_time: Any) -> CommentEvent:
    """An Instagram `live_comments` change (`object: instagram`): a comment on the account's
    live broadcast, dated by the entry's `time` (the value carries none).

    The value's shape is UNCONFIRMED (reference/messenger_money.md, "Instagram Live comments":
    "shape as `comments`"), so only what names the comment and the live is required; a missing
    author is kept as an anonymous comment, a missing text as an empty one, a missing time as
    the moment it is read."""
    if not isinstance(value, dict):
        raise _Skip("live_comments change without an object value")
    media = value.get("media")
    media_id = media.get("id") if isinstance(media, dict) else value.get("media_id")
    author = value.get("from")
    if not isinstance(author, dict):
        author = {}
    when = _time(entry_time) if entry_time is not None else datetime.now(UTC)
    return CommentEvent(
        verb="add",
        comment_id=_id(value.get("id"), "id", COMMENT_ID_LIMIT),
        video_id=_id(media_id, "media.id"),
        from_id=_id(author.get("id"), "from.id") if author.get("id") is not None else "",
        from_name=_text(author.get("username"), NAME_LIMIT),
        message=_text(value.get("text"), MESSAGE_LIMIT),
        created_time=when,
        source=INSTAGRAM,
    )


def _live_status(value: dict[str, Any], page_id: str | None = None) -> LiveStatusEvent:
    live_video_id = _id(value.get("id"), "id")
    status = value.get("status")
    if not isinstance(status, str) or not status.strip():
        raise _Skip("live_videos change without a status")
    video = value.get("video")
    video_id = video.get("id") if isinstance(video, dict) else value.get("video_id")
    return LiveStatusEvent(
        live_video_id=live_video_id,
        status=_text(status, NAME_LIMIT).strip().lower(),
        video_id=_id(video_id, "video.id") if video_id is not None else None,
        page_id=page_id,
    )


def _comment(
    value: dict[str, Any], entry_time: Any, page_id: str | None = None
) -> CommentEvent | None:
    verb = value.get("verb")
    verb = VERB_ALIASES.get(verb, verb) if isinstance(verb, str) else verb
    if verb not in COMMENT_VERBS:
        raise _Skip(f"comment with unknown verb {verb!r}")
    author = value.get("from")
    if not isinstance(author, dict):
        author = {}
    parent = value.get("parent_id")
    created = value.get("created_time", entry_time)
    return CommentEvent(
        verb=verb,
        comment_id=_id(value.get("comment_id"), "comment_id", COMMENT_ID_LIMIT),
        video_id=_video_id(value),
        from_id=_id(author.get("id"), "from.id") if author.get("id") is not None else "",
        from_name=_text(author.get("name"), NAME_LIMIT),
        message=_text(value.get("message"), MESSAGE_LIMIT),
        created_time=_time(created),
        parent_id=_id(parent, "parent_id", COMMENT_ID_LIMIT) if parent is not None else None,
        page_id=page_id or _post_page(value.get("post_id")),
    )


def _post_page(raw: Any) -> str | None:
    """The `{page-id}` of a `post_id` written `{page-id}_{post-id}`, when it has one."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    page, sep, _ = str(raw).strip().partition("_")
    return (_text(page, ID_LIMIT) or None) if sep and len(page) <= ID_LIMIT else None


def _video_id(value: dict[str, Any]) -> str:
    """`post_id` is `{page-id}_{video-id}` for a comment on a video; `post.id` is the fallback."""
    post = value.get("post")
    if not isinstance(post, dict):
        post = {}
    for raw in (value.get("post_id"), post.get("id")):
        if isinstance(raw, str | int) and not isinstance(raw, bool) and str(raw).strip():
            text = str(raw).strip()
            return _id(text.partition("_")[2] or text, "post_id")
    raise _Skip("comment without post_id: cannot tell which live it belongs to")


def _id(raw: Any, name: str, limit: int = ID_LIMIT) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise _Skip(f"{name} missing or not a string")
    text = _text(raw, limit + 1).strip()
    if not text or len(text) > limit:
        raise _Skip(f"{name} empty or longer than {limit} characters")
    return text


def _text(raw: Any, limit: int) -> str:
    """Storable text (`kernel.storable`): both databases refuse NUL, and JSON may carry lone
    surrogates."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return ""
    return storable(str(raw), limit)


def _time(raw: Any) -> datetime:
    """Unix seconds, as Facebook sends them, or ISO 8601 as some tools and replays do."""
    when: datetime | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
        if EARLIEST.timestamp() <= raw < LATEST.timestamp():
            when = datetime.fromtimestamp(raw, UTC)
    elif isinstance(raw, str) and raw.strip():
        text = raw.strip()
        try:
            when = _time(float(text)) if text.replace(".", "", 1).isdigit() else None
        except _Skip:
            when = None
        if when is None:
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                parsed = None
            if parsed is not None:
                when = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    if when is None or not EARLIEST <= when < LATEST:
        raise _Skip(f"created_time {raw!r} is not a time")
    return when
