"""Periods from python-telegram-bot as `datetime.timedelta`, as PTB 23 will give them.

PTB 22 still hands out whole seconds for periods such as a 429's `retry_after`, and warns
(`PTBDeprecationWarning`) from inside its own `RetryAfter` on every flood refusal unless the
process opts in early through the `PTB_TIMEDELTA` environment variable; the warning would land
in the service's log on the first 429. Every place that makes a PTB bot opts in first. An
operator who set the variable themselves is left alone: `seconds` reads either form.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Final

from telegram.error import RetryAfter

VARIABLE: Final = "PTB_TIMEDELTA"


def opt_in() -> None:
    """Before a bot is made: PTB reads the variable each time it builds a period."""
    os.environ.setdefault(VARIABLE, "true")


def seconds(period: int | float | timedelta) -> float:
    return period.total_seconds() if isinstance(period, timedelta) else float(period)


def retry_after_s(wait: RetryAfter) -> float:
    """How long Telegram asked us to wait, in seconds."""
    return seconds(wait.retry_after)
