"""Log lines that may come thousands a second, at most one every few seconds, with counts.

The first occurrence is logged at once, so an operator sees it when it starts; later ones are
counted and summed up in one line when the interval is over.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

Emit = Callable[[Counter[str]], None]


class LogThrottle:
    """Counts events by kind and hands them to `emit` at most once every `every_s`. Runs on the
    event loop's thread (protocol callbacks, the loop's exception handler)."""

    def __init__(self, emit: Emit, every_s: float) -> None:
        self._emit = emit
        self._every_s = every_s
        self._counts: Counter[str] = Counter()
        self._next_at = float("-inf")
        self._timer: asyncio.TimerHandle | None = None

    def note(self, kind: str) -> None:
        self._counts[kind] += 1
        if self._timer is not None:
            return
        loop = asyncio.get_running_loop()
        if loop.time() >= self._next_at:
            self.flush()
        else:
            self._timer = loop.call_at(self._next_at, self.flush)

    def flush(self) -> None:
        """Emits what was counted (also at shutdown, so nothing counted goes unsaid)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._counts:
            return
        counts, self._counts = self._counts, Counter()
        self._next_at = asyncio.get_running_loop().time() + self._every_s
        self._emit(counts)
