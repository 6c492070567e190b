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

Where the above is silent, read it this way (`application.reports` does):
- what happened is read from the order's events: it **left draft** with the one event from
  `draft` to anything but `draft` or `cancelled`, and that event's time is when it was created;
  a partner carrier's shipment leaves draft (and reaches `shipping`) with the carrier's yes,
  not with the request, which keeps the status; **delivered** is the move from `shipping` to
  `complete` or `wait_for_cod` (collecting the COD later is not a second delivery);
- revenue and cancelled are as things stand now: an order cancelled later leaves the revenue
  of its live, its staff member and its day; a returned order is not cancelled and stays in;
  the average order is rounded to the nearest VND;
- a live's **comments** are every comment received, removed ones included (as the live list
  counts them), and so are its per-minute counts; its **drafts** are every order of the
  video; **buyers** are the distinct commenters with a comment read as an order (intent
  `order`) or one that fed an order, and a buyer **converted** when an order of this live
  made for their Facebook id left draft; **top codes** add up the quantities of the lines,
  not waitlisted and with a code, of its created, not cancelled orders (ties by code);
  `started_at` is the first comment (the session's opening before any), `ended_at` the last;
- a staff member is credited with what they did: **created** and **shipped** count the orders
  whose leaving draft / reaching shipping was their event, a carrier's yes counting for the
  person whose request it answers; **cod_collected** adds up what their `collect_cod` events
  settled on the COD ledger. **claimed**, **delivered** and **revenue** follow the orders now
  in their care (`orders.staff_id`): claimed counts those that left draft, or were given to
  them (an edit setting the staff member: `/claim`, an assignment), in the range; delivered
  those delivered in the range; revenue those that left draft in the range. Every staff member
  is listed, zeros included, most revenue first (then most created, then by name);
- a day's **drafts** are the orders made that day (every order starts as a draft), its
  **created**, **shipped** and **delivered** the orders whose event it was that day, its
  **revenue** the totals of the orders created that day and not cancelled, and its
  **cod_collected** what the day's `collect_cod` events settled, whoever acted;
- a range is refused when it ends before it starts, spans more than 366 days, or has a day
  outside 2000-01-01..2099-12-31.
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

    @property
    def total(self) -> DayFigures:
        """The range's sums as one more day (dated its last), for a total row or a caption."""
        rows = self.days
        return DayFigures(
            self.end,
            sum(day.drafts for day in rows),
            sum(day.created for day in rows),
            sum(day.shipped for day in rows),
            sum(day.delivered for day in rows),
            sum(day.revenue for day in rows),
            sum(day.cod_collected for day in rows),
        )
