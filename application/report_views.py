"""What the reports hand the pages, the bot and the API: frozen views, read from the database
with aggregate queries by `application.reports`, drawn as charts by `render.charts`.

The figures' definitions live here, once, so every interface counts the same way:
- an order is **created** when it left draft (create order, ship, send to shop) whatever it
  became later, cancelled included; it is **cancelled** if it left draft and was cancelled;
- **revenue** is the sum of totals (after the discount, with shipping) of orders that left
  draft and are not cancelled; the **average order** is that revenue over their count;
- **shipped** orders reached `shipping`, **delivered** ones `complete` or `wait_for_cod`,
  **returned** ones `returned`;
- a live's **buyers** are the people whose comments ordered something, and its
  **conversion** is the share of them with a created order;
- dates are days in Asia/Ho_Chi_Minh, both ends of a range included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class CodeSold:
    """An item code and how many were sold in created, not cancelled orders."""

    code: str
    quantity: int


@dataclass(frozen=True, slots=True)
class MinuteCount:
    """Comments received in one minute of a live (the minute's start, UTC)."""

    minute: datetime
    comments: int


@dataclass(frozen=True, slots=True)
class LiveReport:
    video_id: str
    title: str
    running: bool  # ordering still open, or in its grace period: the figures are so far
    started_at: datetime | None  # the first comment (or the session's opening)
    ended_at: datetime | None  # the last comment so far
    comments: int
    buyers: int
    drafts: int  # orders made in the live, whatever became of them
    created: int
    cancelled: int
    shipped: int
    delivered: int
    returned: int
    revenue: int
    average_order: int
    conversion: float  # 0..1: buyers with a created order over buyers
    top_codes: tuple[CodeSold, ...]  # best first, at most ten
    per_minute: tuple[MinuteCount, ...]  # every minute from the first to the last comment


@dataclass(frozen=True, slots=True)
class StaffFigures:
    """One staff member over a range: what they did (claimed, created, shipped, COD
    collected: their own actions) and how their buyers' orders went (delivered, revenue)."""

    telegram_id: int
    name: str
    claimed: int  # orders they took care of (claimed) in the range
    created: int  # orders they took out of draft in the range
    shipped: int  # orders they shipped in the range
    delivered: int  # orders they take care of that were delivered in the range
    revenue: int  # totals of orders they take care of that left draft in the range, not cancelled
    cod_collected: int  # VND of COD they collected in the range


@dataclass(frozen=True, slots=True)
class StaffReport:
    start: date
    end: date
    staff: tuple[StaffFigures, ...]


@dataclass(frozen=True, slots=True)
class DayFigures:
    """The shop on one day."""

    day: date
    drafts: int
    created: int
    shipped: int
    delivered: int
    revenue: int  # totals of the orders that left draft that day, not cancelled
    cod_collected: int


@dataclass(frozen=True, slots=True)
class ShopDays:
    start: date
    end: date
    days: tuple[DayFigures, ...]  # every day of the range, empty days included
