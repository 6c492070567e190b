"""Telegram's flood limits as token buckets: pure arithmetic on an injected clock.

Telegram allows about 20 messages a minute to one group and 30 a second overall, and edits
count (`../shared/reference/telegram_pillow.md` §3). Asking "is there a slot?" before each
send, rather than finding out from a 429, is what keeps the steady state free of 429s: a 429
costs a round trip and blocks the chat for `retry_after` seconds, while a slot we wait for
locally costs nothing.

A token bucket rather than a plain sliding window of the last `limit` sends, because the
window lets the whole minute's budget go in one burst and then nothing for sixty seconds: a
storm of new drafts arriving just after such a burst would wait a full minute for its first
digest. The bucket holds `burst` slots and refills the rest evenly, one every
`window / (limit - burst)` seconds, so in any window of `window` seconds at most
`burst + (limit - burst) = limit` sends go out (the bucket starts full, and refills cannot
exceed `limit - burst` in a window), and a slot is never more than one refill away.

The clock is a plain callable returning seconds (`time.monotonic` in production), so tests
drive it by hand and a scaled "minute" is just a shorter `window`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class Rate:
    """At most `limit` sends in any `window_s` seconds, `burst` of them back to back."""

    limit: int
    window_s: float
    burst: int = 1

    def __post_init__(self) -> None:
        if self.window_s <= 0 or not 1 <= self.burst < self.limit:
            raise ValueError(f"not a rate: {self}")

    @property
    def interval_s(self) -> float:
        """Seconds between two refills: the steady pace once the burst is spent."""
        return self.window_s / (self.limit - self.burst)


class TokenBucket:
    """One limit (a chat's, or the bot's overall): `wait` says how long until a slot, `take`
    uses one, `block` obeys a 429 that came anyway (another process sent too, or Telegram
    counts differently from us)."""

    def __init__(self, rate: Rate, clock: Clock = time.monotonic) -> None:
        self.rate = rate
        self.clock = clock
        self._tokens = float(rate.burst)
        self._updated = clock()
        self._blocked_until = float("-inf")

    def _refill(self, now: float) -> None:
        if now > self._updated:
            gained = (now - self._updated) / self.rate.interval_s
            self._tokens = min(float(self.rate.burst), self._tokens + gained)
            self._updated = now

    def wait(self) -> float:
        """Seconds until `take` would succeed; 0 when it would now."""
        now = self.clock()
        if now < self._blocked_until:
            return self._blocked_until - now
        self._refill(now)
        if self._tokens >= 1.0:
            return 0.0
        return (1.0 - self._tokens) * self.rate.interval_s

    def take(self) -> bool:
        """Use a slot if there is one now."""
        if self.wait() > 0:
            return False
        self._tokens -= 1.0
        return True

    def block(self, seconds: float) -> None:
        """Telegram said "retry after `seconds`": nothing goes before then, and then one send
        (its window has room for one again), the rest at the steady pace."""
        until = self.clock() + max(0.0, seconds)
        if until > self._blocked_until:
            self._blocked_until = until
            self._tokens = 1.0
            self._updated = until


# Telegram's numbers (Bot FAQ): 20 messages a minute to one group, 30 a second overall.
GROUP_LIMIT = 20
OVERALL_LIMIT = 30
MINUTE_S = 60.0


class Limits:
    """The buckets one bot needs: one per group chat, and one for everything it sends. A send
    to a chat needs a slot in both; private chats have only the overall limit."""

    def __init__(self, group: Rate, overall: Rate, clock: Clock = time.monotonic) -> None:
        self.group = group
        self.clock = clock
        self.overall = TokenBucket(overall, clock)
        self._chats: dict[int, TokenBucket] = {}

    @classmethod
    def telegram(
        cls,
        *,
        minute_s: float = MINUTE_S,
        group_limit: int = GROUP_LIMIT,
        group_burst: int = 2,
        overall_limit: int = OVERALL_LIMIT,
        clock: Clock = time.monotonic,
    ) -> Limits:
        """Telegram's limits with a "minute" of `minute_s` seconds (tests scale time by
        shortening it: the same code, every window in proportion). The overall burst is a
        sixth of a second's worth, so that a second never sees more than `overall_limit`."""
        overall_burst = max(1, overall_limit // 6)
        return cls(
            Rate(group_limit, minute_s, group_burst),
            Rate(overall_limit, minute_s / 60.0, overall_burst),
            clock,
        )

    def chat(self, chat_id: int) -> TokenBucket | None:
        """The group's bucket (groups have negative ids); None for a private chat."""
        if chat_id >= 0:
            return None
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = TokenBucket(self.group, self.clock)
        return bucket

    def wait(self, chat_id: int) -> float:
        bucket = self.chat(chat_id)
        return max(self.overall.wait(), bucket.wait() if bucket else 0.0)

    def take(self, chat_id: int) -> bool:
        """A slot in both buckets, or in neither."""
        if self.wait(chat_id) > 0:
            return False
        bucket = self.chat(chat_id)
        taken = self.overall.take()
        if bucket is not None:
            taken = bucket.take() and taken
        return taken

    def block(self, chat_id: int, seconds: float) -> None:
        """A 429 on a send to `chat_id`: that chat waits (Telegram's answer names no bucket;
        the group's is the one a storm fills)."""
        bucket = self.chat(chat_id)
        (bucket or self.overall).block(seconds)
