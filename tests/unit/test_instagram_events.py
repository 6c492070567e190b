"""Instagram `live_comments` and Page `live_videos` bodies read as typed events (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from livestream.events import CommentEvent, LiveStatusEvent, events_of

T = 1_796_000_000


def body(*changes: Any, time: Any = T, kind: str = "instagram") -> dict[str, Any]:
    entry = {"id": "17841400000000001", "time": time, "changes": list(changes)}
    return {"object": kind, "entry": [entry]}


def live_comment(**value: Any) -> dict[str, Any]:
    return {"field": "live_comments", "value": value}


def test_an_instagram_live_comment_is_a_comment_named_by_username_dated_by_the_entry():
    [event] = events_of(
        body(
            live_comment(
                **{
                    "from": {"id": "ig-1", "username": "mai.shop"},
                    "media": {"id": "18000042", "media_product_type": "LIVE"},
                    "id": "17900001",
                    "text": "A1 2",
                }
            )
        )
    ).events
    assert event == CommentEvent(
        verb="add",
        comment_id="17900001",
        video_id="18000042",
        from_id="ig-1",
        from_name="mai.shop",
        message="A1 2",
        created_time=datetime.fromtimestamp(T, UTC),
        source="instagram",
    )


def test_missing_author_text_and_time_are_accepted_a_missing_media_is_a_problem():
    kept = events_of(body(live_comment(id="c1", media={"id": "m1"}), time=None))
    [event] = kept.events
    assert (event.from_id, event.from_name, event.message) == ("", "", "")
    assert event.created_time.tzinfo is not None
    skipped = events_of(body(live_comment(id="c2", text="A1")))
    assert skipped.events == [] and "media.id" in skipped.problems[0]


def test_live_videos_status_is_read_case_insensitively():
    change = {"field": "live_videos", "value": {"id": "555", "status": " LIVE "}}
    [event] = events_of(body(change, kind="page")).events
    assert event == LiveStatusEvent(live_video_id="555", status="live", page_id="17841400000000001")


ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


@given(value=ANY | st.dictionaries(st.sampled_from(["from", "media", "id", "text"]), ANY))
def test_any_live_comments_value_is_an_event_or_a_problem(value):
    batch = events_of(body({"field": "live_comments", "value": value}))
    assert len(batch.events) + len(batch.problems) == 1
