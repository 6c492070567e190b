"""The flood limiter as pure arithmetic on a hand-driven clock, the priority gate on a scaled
minute, and the digest queue's batching rules."""

from __future__ import annotations

import asyncio

import pytest

from bot.digests import DigestQueue
from bot.pacer import Pacer, Priority
from bot.pacing import Limits, Rate, TokenBucket
from tests.fakes.telegram import FakeClock
from tests.order_views import order_view

GROUP = -1001234567890


def greedy_takes(bucket: TokenBucket, clock: FakeClock, seconds: float, step: float) -> list[float]:
    """Take a slot whenever there is one, for `seconds` of the clock: when they went."""
    taken = []
    end = clock() + seconds
    while clock() < end:
        while bucket.take():
            taken.append(clock())
        clock.advance(step)
    return taken


def most_in_any_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


def test_the_burst_goes_at_once_and_the_rest_at_an_even_pace():
    clock = FakeClock(0.0)
    bucket = TokenBucket(Rate(18, 60.0, burst=2), clock)

    assert bucket.take() and bucket.take()
    assert not bucket.take()
    assert bucket.wait() == pytest.approx(60.0 / 16)
    clock.advance(60.0 / 16)
    assert bucket.take()
    assert not bucket.take()


@pytest.mark.parametrize(("limit", "burst"), [(20, 1), (20, 3), (18, 2), (30, 5)])
def test_no_window_ever_sees_more_than_the_limit(limit, burst):
    clock = FakeClock(0.0)
    bucket = TokenBucket(Rate(limit, 60.0, burst), clock)

    taken = greedy_takes(bucket, clock, seconds=600.0, step=0.05)

    assert most_in_any_window(taken, 60.0) <= limit
    assert len(taken) >= (limit - burst) * 10 * 0.95  # and the budget is used, not wasted


def test_a_429_blocks_until_retry_after_then_one_goes_and_the_pace_resumes():
    clock = FakeClock(0.0)
    bucket = TokenBucket(Rate(20, 60.0, burst=4), clock)
    assert bucket.take()

    bucket.block(7.0)

    assert bucket.wait() == pytest.approx(7.0)
    clock.advance(6.9)
    assert not bucket.take()
    clock.advance(0.1)
    assert bucket.take()  # Telegram's window has room for one again
    assert not bucket.take()
    assert bucket.wait() == pytest.approx(60.0 / 16)


def test_a_shorter_block_does_not_shorten_a_longer_one():
    clock = FakeClock(0.0)
    bucket = TokenBucket(Rate(20, 60.0), clock)
    bucket.block(10.0)
    bucket.block(2.0)
    assert bucket.wait() == pytest.approx(10.0)


def test_a_group_send_needs_the_groups_slot_and_the_overall_one():
    clock = FakeClock(0.0)
    limits = Limits.telegram(group_limit=20, group_burst=3, clock=clock)

    sent = sum(1 for _ in range(10) if limits.take(GROUP))
    private = sum(1 for _ in range(10) if limits.take(42))  # a private chat: overall only

    assert sent == 3
    assert private == 2  # the overall burst is 5: the group took 3 of it
    limits.block(GROUP, 30.0)
    clock.advance(1.0)
    assert not limits.take(GROUP) and limits.take(42)
    assert limits.wait(GROUP) == pytest.approx(29.0)


def test_the_overall_limit_keeps_every_second_under_30():
    clock = FakeClock(0.0)
    limits = Limits.telegram(clock=clock)
    taken = []
    for _ in range(2000):
        for chat in range(1, 50):  # many private chats, none of them limited on its own
            if limits.take(chat):
                taken.append(clock())
        clock.advance(0.005)
    assert most_in_any_window(taken, 1.0) <= 30


def test_a_scaled_minute_scales_every_window():
    limits = Limits.telegram(minute_s=6.0, group_limit=18, group_burst=2)
    assert limits.group.window_s == 6.0
    assert limits.group.interval_s == pytest.approx(6.0 / 16)
    assert limits.overall.rate.window_s == pytest.approx(0.1)


async def test_a_waiting_digest_gets_the_slot_before_an_edit_asks_and_before_a_later_card():
    limits = Limits.telegram(minute_s=0.8, group_limit=18, group_burst=2)
    pacer = Pacer(limits)
    assert pacer.try_take(GROUP, Priority.EDIT) and pacer.try_take(GROUP, Priority.EDIT)
    order: list[str] = []

    async def wait_for(priority: Priority, name: str) -> None:
        await pacer.take(GROUP, priority)
        order.append(name)

    card = asyncio.create_task(wait_for(Priority.CARD, "card"))
    await asyncio.sleep(0)
    digest = asyncio.create_task(wait_for(Priority.DIGEST, "digest"))
    await asyncio.sleep(0)
    assert not pacer.try_take(GROUP, Priority.EDIT)  # others wait: an edit does not jump in
    assert pacer.eta(GROUP, Priority.EDIT) > 0

    await asyncio.wait_for(asyncio.gather(card, digest), 5)
    assert order == ["digest", "card"]
    await pacer.aclose()


def test_the_digest_queue_sends_full_batches_at_once_and_a_few_after_the_hold():
    clock = FakeClock(0.0)
    queue = DigestQueue(hold_s=4.0, clock=clock, size=3)
    assert queue.ready_in() is None
    queue.add(1, order_view(id=1))
    clock.advance(1.0)
    queue.add(2, order_view(id=2))
    assert queue.ready_in() == pytest.approx(3.0)  # from the oldest
    queue.add(3, order_view(id=3))
    queue.add(4, order_view(id=4))
    queue.add(1, order_view(id=1, note="newer"))  # keeps its place
    assert queue.ready_in() == 0.0
    assert queue.place(4) == 1

    batch = queue.batch()
    assert [w.order_id for w in batch] == [1, 2, 3] and batch[0].snapshot.note == "newer"
    assert 1 in queue and queue.place(4) == 0
    assert queue.ready_in() == pytest.approx(4.0)  # 4 is not yet full nor old
    queue.failed(batch)
    assert queue.ready_in() == 0.0
    queue.sent(queue.batch())
    assert 1 not in queue and len(queue) == 1
