"""Reading a storm off the fake staff group: which orders the chat offers (a card or a digest's
button) and since when, how many counted calls any window saw, the 429s. Shared by
`tests/e2e/test_bot_storm.py` and `bench/bot.py`, so the test and the benchmark count alike."""

from __future__ import annotations

from collections.abc import Iterable

from tests.fakes.telegram import COUNTED, Call, FakeTelegram, Message


def offered(message: Message) -> set[int]:
    """The orders a message's buttons lead to: `card:<id>` on a digest, and the order id a
    card's buttons carry as their second field (`create_order:<id>:<v>`, ...)."""
    ids = set()
    for data in message.callback_data:
        fields = data.split(":")
        if fields[0] == "card" or (len(fields) >= 3 and fields[1].isdigit()):
            ids.add(int(fields[1]))
    return ids


def is_digest(message: Message) -> bool:
    return any(data.startswith("card:") for data in message.callback_data)


def reachable(fake: FakeTelegram, chat_id: int) -> dict[int, float]:
    """Order id -> when (`Call.received`) a message the chat still shows first offered it."""
    since: dict[int, float] = {}
    for call in fake.calls_of("sendMessage"):
        if not call.ok or call.params.get("chat_id") != chat_id:
            continue
        message = fake.message(chat_id, call.answer["result"]["message_id"])
        if message is None or message.deleted:
            continue
        for order_id in offered(message):
            since.setdefault(order_id, call.received)
    return since


def counted(fake: FakeTelegram, chat_id: int) -> list[Call]:
    """The calls that took one of the group's slots (sends and edits that succeeded)."""
    return [
        c
        for c in fake.calls
        if c.ok and c.method.lower() in COUNTED and c.params.get("chat_id") == chat_id
    ]


def most_in_any_window(times: Iterable[float], window_s: float) -> int:
    ordered = sorted(times)
    most, start = 0, 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - window_s:
            start += 1
        most = max(most, end - start + 1)
    return most


def too_many(fake: FakeTelegram) -> list[Call]:
    return [c for c in fake.calls if c.status == 429]
