"""The poll's inbox body reads back as the comments the poll found, tagged `poll`; Graph's usage
headers read as the share of the budget used."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from livestream.events import read_body
from livestream.graph import usage_percent
from livestream.simulate import SimulatedComment, webhook_body
from livestream.sources import POLL, SOURCE_KEY, PolledComment, poll_body

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
ids = st.text(st.characters(categories=("Nd",)), min_size=1, max_size=20)
texts = st.text(max_size=200).filter(
    lambda t: "\x00" not in t and t == t.encode("utf-8", "ignore").decode()
)


@given(
    st.lists(
        st.tuples(ids, texts, ids, texts, st.integers(0, 10**6)),
        min_size=1,
        max_size=20,
        unique_by=lambda c: c[0],
    )
)
def test_a_poll_body_reads_back_as_the_polled_comments_tagged_poll(rows):
    polled = [
        PolledComment(f"777_{cid}", message, author, name, T0 + timedelta(seconds=s))
        for cid, message, author, name, s in rows
    ]
    batch = read_body(poll_body("100", "777", polled))
    assert batch.problems == []
    assert [(e.comment_id, e.video_id, e.from_id, e.source) for e in batch.events] == [
        (c.id, "777", c.from_id, POLL) for c in polled
    ]
    assert [e.created_time for e in batch.events] == [c.created_time for c in polled]


def test_a_webhook_body_is_the_webhooks_whatever_it_claims():
    body = json.loads(
        webhook_body([SimulatedComment("777", "777_1", "fb", "Lan", "A1", 1_773_489_600)])
    )
    for claim in (None, "instagram", "youtube", 3):
        if claim is not None:
            body[SOURCE_KEY] = claim
        [event] = read_body(json.dumps(body).encode()).events
        assert event.source == "webhook"


def test_usage_headers_read_as_the_highest_share_used():
    buc = {"100": [{"type": "pages", "call_count": 12, "total_time": 64, "total_cputime": 3}]}
    assert usage_percent({"x-business-use-case-usage": json.dumps(buc)}) == 64
    assert (
        usage_percent({"x-app-usage": '{"call_count": 7}', "x-page-usage": '{"total_time": 91}'})
        == 91
    )
    assert usage_percent({"x-page-usage": "not json"}) is None
    assert usage_percent({}) is None
