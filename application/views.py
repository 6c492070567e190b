"""Typed views the application builds itself and hands adapters: a list of orders with its
tab counts and cursors, live sessions with their counts, and livestream comments.

An order's own views (`OrderView`, `OrderRow`, `LineView` ...) are in `orders.views`, since
the domain builds them and its renderer and carriers read them. These are made by use cases
that join several tables, so they belong here. Like those, they are frozen data: adapters read
attributes, and only the API adapter turns them into JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from orders.views import OrderRow, is_risky


@dataclass(frozen=True, slots=True)
class OrderList:
    """One page of the order list as staff browse it, read at one moment: its rows, the
    counts per status for the tabs (a status with no order is absent) and both cursors."""

    orders: tuple[OrderRow, ...]
    counts: Mapping[str, int]
    next_cursor: int | None  # None: the last page
    previous_cursor: int | None  # None: no page before; `orders.browse.NEWEST`: the first


@dataclass(frozen=True, slots=True)
class LiveCodeRow:
    code: str
    sku: str
    cap: int | None


@dataclass(frozen=True, slots=True)
class LiveSessionRow:
    video_id: str
    live_video_id: str | None
    title: str
    ordering_open: bool
    closes_at: datetime | None
    default_code: str | None
    max_qty: int
    codes: tuple[LiveCodeRow, ...]
    comments: int
    orders: int
    drafts: int
    created_at: datetime
    platform: str = "facebook"
    page_id: str | None = None  # the Page the live is on (its token acts on its comments)


@dataclass(frozen=True, slots=True)
class CommentLineView:
    """A line a comment asked for, as its parse stored it (`sku` None: an unknown code)."""

    code: str | None
    sku: str | None
    quantity: int | None
    variant: str | None
    needs_review: bool | None
    cancel: bool = False  # a code the comment cancels, not one it orders


@dataclass(frozen=True, slots=True)
class CommentView:
    """A livestream comment and what it did. The last three fields are the staff pages' own
    (its order's code and status, and whether Facebook removed it); the API leaves them out."""

    comment_id: str
    from_id: str
    from_name: str
    message: str
    created_time: datetime
    verb: str
    intent: str
    lines: tuple[CommentLineView, ...]
    phone: str | None
    order_id: int | None
    flags: tuple[str, ...]
    address: str | None = None  # the delivery address the comment carried, as written
    order_code: str | None = None
    order_status: str | None = None
    removed: bool = False
    id: int | None = None  # the stored row's: where a page of comments or the live feed resumes

    @property
    def unknown_code(self) -> bool:
        """A line names a code the session's table does not know."""
        return any(line.sku is None and not line.cancel for line in self.lines)


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """A buyer's own record, across every order: the details on file (the latest known,
    `details_source` saying from where: staff, comment, messenger or api), the Messenger link,
    staff's flag and the delivery record. What an order says of its buyer is `CustomerView`."""

    id: int
    name: str
    phone: str
    address: str  # the street part
    ward: str
    district: str
    province: str
    facebook_id: str | None
    messenger_id: str | None
    flagged: bool
    flag_reason: str
    delivered: int
    failed: int
    returned: int
    details_source: str
    details_at: datetime | None
    created_at: datetime | None

    @property
    def risky(self) -> bool:
        return is_risky(self.flagged, self.failed, self.returned)

    @property
    def bad_deliveries(self) -> int:
        return self.failed + self.returned


@dataclass(frozen=True, slots=True)
class BuyerPage:
    """A buyer with their orders across lives (newest first), for the buyer page."""

    customer: CustomerRecord
    orders: tuple[OrderRow, ...]
