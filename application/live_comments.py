"""Comment events to draft orders: the rules of COMMENT_SYNTAX.md, "Comment events".

One call applies every comment of one webhook body, in the caller's transaction. During a busy
live a body holds many comments from the same few buyers, so the work is done in three steps:
load what the body touches in a few bulk queries (the session row, locked; its codes; comments
already stored; the buyers' drafts, locked), work out each buyer's lines in memory, then write
every buyer's draft at once through the order core's `DraftBatch`, which creates drafts and
applies `save_draft` under the same rules as every other change of an order.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from application import comment_rows
from application.comment_replies import draft_summary, quick_replies
from application.comment_rows import CommentRow
from application.graph_jobs import HIDE_COMMENT, INSTAGRAM_REPLY, PRIVATE_REPLY, on_page
from application.live_buyers import BuyerDraft, cancel_view, comment_line, line_view
from application.live_sessions import (
    FACEBOOK,
    INSTAGRAM,
    code_table,
    codes_of,
    is_late,
    locked_session,
)
from kernel.outbox.jobs import Job, OutboxJob, enqueue_many
from livestream.config import IngestConfig
from livestream.events import CommentEvent
from livestream.parser import CodeTable, ParsedComment, ParsedLine, parse_comment
from livestream.tables import Comment, LiveSession
from orders.actors import Actor
from orders.addresses import written_address
from orders.changes import TEXT_LIMITS, LineInput, load_catalog
from orders.confirmations import Confirmation
from orders.drafts import (
    Buyer,
    DraftBatch,
    NewOrder,
    Written,
    lock_open_drafts,
    stored_address,
)
from orders.errors import OrderError
from orders.lifecycle import Status
from orders.tables import Order, OrderLine

log = logging.getLogger(__name__)

SOURCE = "livestream"
ACTOR = Actor.system()

DUPLICATE = "duplicate"
LATE = "late"
PAGE_COMMENT = "page_comment"
WAITLIST = "waitlist"
ANONYMOUS = "anonymous"  # Facebook left out who wrote it: nobody to make a draft for
ORDER_LEFT_DRAFT = "order_left_draft"  # edited or removed after its order went on
LINES_GONE = "lines_gone"  # edited after its lines were cancelled or changed by staff
NOT_SAVED = "not_saved"  # the order domain refused the lines; staff must look
UNREADABLE = "unreadable"  # the parser failed on it (a bug): kept, orders nothing

FINGERPRINT_LIMIT = 64
EARLIER_ORDER_NOTE = {
    "vi": "Khách đã có đơn {codes} trong buổi live này.",
    "en": "The buyer already has order {codes} from this live.",
}


@dataclass
class Summary:
    """What one call did, for logs, tests and benchmarks."""

    applied: int = 0
    repeated: int = 0  # deliveries of something already applied
    drafts_created: int = 0
    drafts_changed: int = 0


async def apply_comments(
    session: AsyncSession,
    events: Sequence[CommentEvent],
    config: IngestConfig,
) -> Summary:
    """Apply `events` in created_time order (arrival order among equals); the caller commits."""
    groups: dict[str, list[CommentEvent]] = {}
    for event in sorted(events, key=lambda e: e.created_time):
        groups.setdefault(event.video_id, []).append(event)
    summary = Summary()
    for video_id in sorted(groups):  # one lock order for every process
        work = await _LiveWork.load(session, video_id, groups[video_id], config)
        for event in groups[video_id]:
            work.apply(event)
        await work.save(session)
        for name in ("applied", "repeated", "drafts_created", "drafts_changed"):
            setattr(summary, name, getattr(summary, name) + getattr(work.summary, name))
    return summary


def _fingerprint(text: str) -> str:
    """The column holds 64 characters: the parser's digest fits, anything longer is hashed."""
    if len(text) <= FINGERPRINT_LIMIT:
        return text
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _LiveWork:
    """Everything one body needs about one live session, loaded in bulk and applied in memory."""

    def __init__(
        self,
        live: LiveSession,
        table: CodeTable,
        caps: dict[str, int],
        config: IngestConfig,
    ) -> None:
        self.live = live
        self.table = table
        self.caps = caps
        self.sold: Counter[str] = Counter()  # units of capped codes already taken by orders
        self.config = config
        self.rows: dict[str, CommentRow] = {}
        self.new_rows: list[CommentRow] = []
        self.buyers: dict[str, BuyerDraft] = {}
        self.to_hide: dict[str, CommentRow] = {}
        self.phones: dict[str, str] = {}  # newest phone each buyer gave in earlier bodies
        self.summary = Summary()

    @classmethod
    async def load(
        cls,
        session: AsyncSession,
        video_id: str,
        events: Sequence[CommentEvent],
        config: IngestConfig,
    ) -> _LiveWork:
        live = await _session_of(session, video_id, events, config)
        codes = await codes_of(session, live)
        caps = {row.code: row.cap for row in codes if row.cap is not None}
        work = cls(live, code_table(live, codes), caps, config)
        ids = {event.comment_id for event in events}
        work.rows = await comment_rows.load(session, ids)
        names: dict[str, str] = {}
        for event in events:
            if event.from_id:
                names[event.from_id] = event.from_name
        for row in work.rows.values():
            names.setdefault(row.from_id, row.from_name)
        buyers = {
            from_id: name
            for from_id, name in names.items()
            if from_id and not config.is_page(from_id)
        }
        if buyers:
            await work._load_orders(session, buyers)
        if caps:
            await work._load_sold(session)
        return work

    async def _load_orders(self, session: AsyncSession, names: dict[str, str]) -> None:
        ids = list(names)
        mine = (
            Order.video_id == self.live.video_id,
            Order.source == SOURCE,
            Order.facebook_id.in_(ids),
        )
        found = await lock_open_drafts(
            session, source=SOURCE, video_id=self.live.video_id, facebook_ids=ids
        )
        self.buyers = {
            from_id: BuyerDraft.of(from_id, name, found.get(from_id))
            for from_id, name in names.items()
        }
        gone = await session.execute(
            select(Order.facebook_id, Order.code)
            .where(*mine, Order.status.not_in([Status.DRAFT.value, Status.CANCELLED.value]))
            .order_by(Order.id)
        )
        for from_id, code in gone:
            assert from_id is not None and code is not None  # `mine` picks these buyers' orders
            self.buyers[from_id].earlier.append(code)
        line_ids = {
            line.comment_id for b in self.buyers.values() for line in b.lines if line.comment_id
        }
        if line_ids:
            rows = await session.execute(
                select(Comment.comment_id, Comment.from_id, Comment.fingerprint).where(
                    Comment.comment_id.in_(line_ids)
                )
            )
            for comment_id, from_id, fingerprint in rows:
                if from_id in self.buyers:
                    self.buyers[from_id].fingerprints[comment_id] = fingerprint

    async def _load_sold(self, session: AsyncSession) -> None:
        rows = await session.execute(
            select(OrderLine.code, func.sum(OrderLine.quantity))
            .join(Order, Order.id == OrderLine.order_id)
            .where(
                Order.video_id == self.live.video_id,
                Order.status != Status.CANCELLED.value,
                OrderLine.waitlisted.is_(False),
                OrderLine.code.in_(list(self.caps)),
            )
            .group_by(OrderLine.code)
        )
        for code, quantity in rows:
            self.sold[code] += int(quantity or 0)

    # -- applying, in memory ------------------------------------------------------------------

    def apply(self, event: CommentEvent) -> None:
        row = self.rows.get(event.comment_id)
        if event.verb in ("hide", "unhide"):
            return  # the shop itself hides comments with phones; nothing to change
        if event.verb == "add":
            if row is not None:
                self._repeated(row, event)
                return
            self._first_sight(self._new_row(event))
        elif event.verb == "edited":
            if row is None:
                self._first_sight(self._new_row(event))
            elif row.removed or row.message == event.message:
                self.summary.repeated += 1
                return
            else:
                self._edit(row, event)
        elif event.verb == "remove":
            if row is None:
                row = self._new_row(event)
                row.removed = True
            elif row.removed:
                self.summary.repeated += 1
                return
            else:
                self._remove(row)
        self.summary.applied += 1

    def _repeated(self, row: CommentRow, event: CommentEvent) -> None:
        """A second delivery changes nothing; it may only fill in what a `remove` that came
        first could not say."""
        self.summary.repeated += 1
        if row.removed and not row.message and event.message:
            row.message = event.message
        if not row.from_id and event.from_id:
            row.from_id, row.from_name = event.from_id, event.from_name

    def _new_row(self, event: CommentEvent) -> CommentRow:
        row = CommentRow(
            comment_id=event.comment_id,
            session_id=self.live.id,
            from_id=event.from_id,
            from_name=event.from_name,
            message=event.message,
            created_time=event.created_time,
            verb=event.verb,
            source=event.source,
        )
        self.rows[event.comment_id] = row
        self.new_rows.append(row)
        return row

    def _read(self, row: CommentRow) -> ParsedComment:
        """Parse and store the parse on the row; a parser failure costs this comment only."""
        try:
            parsed = parse_comment(row.message, self.table)
        except Exception:
            log.exception("comment %s could not be parsed; kept without effect", row.comment_id)
            parsed = ParsedComment(intent="none")
            row.flags = [*row.flags, UNREADABLE]
        row.intent = parsed.intent
        cancelled = [cancel_view(code, self.table.codes.get(code)) for code in parsed.cancel_codes]
        row.lines = [*cancelled, *(line_view(line) for line in parsed.lines)]
        row.phone = parsed.phone
        row.address = parsed.address
        row.fingerprint = _fingerprint(parsed.fingerprint)
        # Instagram comments are not hidden: Facebook's hide call is for Page comments, and
        # whether Instagram lets a live comment be hidden is UNCONFIRMED.
        hides = self.config.hides_phones and self.live.platform != INSTAGRAM
        if parsed.phone and hides and not self.config.is_page(row.from_id):
            self.to_hide[row.comment_id] = row
        return parsed

    def _excluded(self, row: CommentRow) -> str | None:
        """Why this comment orders nothing whatever it says, or None."""
        if self.config.is_page(row.from_id):
            return PAGE_COMMENT
        if not row.from_id:
            return ANONYMOUS
        if is_late(self.live, row.created_time):
            return LATE
        return None

    def _first_sight(self, row: CommentRow) -> None:
        parsed = self._read(row)
        reason = self._excluded(row)
        if reason is not None:
            row.flags = [*row.flags, reason]
            return
        self._take(row, parsed, self.buyers[row.from_id])

    def _take(self, row: CommentRow, parsed: ParsedComment, buyer: BuyerDraft) -> None:
        changed = False
        if parsed.intent == "order" and parsed.lines:
            if buyer.is_duplicate(row.fingerprint):
                row.flags = [*row.flags, DUPLICATE]
            else:
                changed = self._add_lines(row, parsed.lines, buyer)
        elif parsed.intent == "cancel":
            changed = self._given_back(buyer.cancel(parsed.cancel_codes))
            if parsed.lines:  # `hủy A1 lấy A2`: what follows the cancel is ordered
                changed = self._add_lines(row, parsed.lines, buyer) or changed
        if parsed.phone:
            before = buyer.current_phone()
            buyer.phone = parsed.phone
            changed = changed or (buyer.has_draft and before != parsed.phone)
        if parsed.address:
            # The latest address the buyer wrote wins; with no draft it stays on the row.
            buyer.address = parsed.address
            changed = changed or buyer.has_draft
        if changed:
            buyer.feed(row)

    def _add_lines(self, row: CommentRow, lines: Iterable[ParsedLine], buyer: BuyerDraft) -> bool:
        """Lines beyond a code's sell cap are kept, waitlisted, for staff to accept or drop."""
        views, inputs = [], []
        for line in lines:
            cap = self.caps.get(line.code)
            waitlisted = cap is not None and self.sold[line.code] + line.quantity > cap
            if cap is not None and not waitlisted:
                self.sold[line.code] += line.quantity
            views.append(line_view(line, waitlisted))
            inputs.append(comment_line(line, row.comment_id, waitlisted=waitlisted))
        row.lines = [view for view in row.lines if view.get("cancel")] + views
        if any(line.waitlisted for line in inputs):
            row.flags = [*row.flags, WAITLIST]
        buyer.add(row.comment_id, row.fingerprint, inputs)
        return True

    def _given_back(self, lines: Iterable[LineInput]) -> bool:
        """Units of capped codes that lines no longer hold can be sold to someone else."""
        changed = False
        for line in lines:
            changed = True
            if not line.waitlisted and line.code in self.caps:
                self.sold[line.code] -= line.quantity
        return changed

    def _settled_elsewhere(self, row: CommentRow) -> tuple[BuyerDraft, str | None]:
        """The buyer, and a flag when `row` can no longer change that buyer's draft."""
        buyer = self.buyers[row.from_id]
        if row.order_id is not None and not buyer.feeds(row):
            return buyer, ORDER_LEFT_DRAFT
        ordered = row.intent == "order" and row.lines and DUPLICATE not in row.flags
        if buyer.feeds(row) and ordered and not buyer.has_lines_of(row.comment_id):
            return buyer, LINES_GONE
        return buyer, None

    def _edit(self, row: CommentRow, event: CommentEvent) -> None:
        """Re-read; the lines this comment put on the draft are replaced while it is a draft."""
        row.message = event.message
        row.verb = "edited"
        row.from_name = event.from_name or row.from_name
        kept = [flag for flag in row.flags if flag in (PAGE_COMMENT, ANONYMOUS, LATE)]
        if kept:
            self._read(row)
            row.flags = kept
            return
        buyer, stuck = self._settled_elsewhere(row)
        if stuck is not None:
            self._read(row)
            row.flags = [stuck]
            return
        self._given_back(buyer.detach(row))
        row.order_id = None
        row.flags = []
        self._take(row, self._read(row), buyer)

    def _remove(self, row: CommentRow) -> None:
        row.removed = True
        row.verb = "remove"
        if row.from_id not in self.buyers or LATE in row.flags:
            return
        buyer, stuck = self._settled_elsewhere(row)
        if stuck == ORDER_LEFT_DRAFT:
            row.flags = [*row.flags, stuck]
        elif stuck is None and buyer.feeds(row):
            self._given_back(buyer.detach(row))  # its order_id stays: it did feed that order

    # -- writing ------------------------------------------------------------------------------

    async def save(self, session: AsyncSession) -> None:
        await self._load_earlier_details(session)
        written = await self._write_drafts(session)
        jobs: list[Job] = []
        replies: list[tuple[CommentRow, int]] = []
        for from_id, draft in written.items():
            buyer = self.buyers[from_id]
            for row in buyer.fed:
                row.order_id = draft.id
            if buyer.draft is None and self.config.replies_privately:
                first = _first_live(buyer.fed)  # the comment that created the draft
                if first is not None:
                    replies.append((first, draft.id))
        if replies:
            jobs += await _private_replies(session, self.live, replies)
        await comment_rows.save(session, self.new_rows, self.rows.values())
        for row in self.to_hide.values():
            if row.removed:
                continue  # gone from Facebook: nothing left to hide
            payload = {"comment_id": row.comment_id, "order_id": row.order_id}
            payload = on_page(payload, self.live.page_id)
            jobs.append(Job(HIDE_COMMENT, f"{HIDE_COMMENT}:{row.comment_id}", payload))
        await enqueue_many(session, jobs)

    async def _write_drafts(self, session: AsyncSession) -> dict[str, Written]:
        """Each buyer's draft as it stands after this body, in one batch; a buyer whose lines
        the order core refuses is left out, the comments flagged for staff."""
        fresh = [line for b in self.buyers.values() for line in b.lines if line.line_id is None]
        batch = DraftBatch(ACTOR, await load_catalog(session, fresh, self.table.codes))
        written: dict[str, Written] = {}
        for buyer in self.buyers.values():
            try:
                draft = self._save_buyer(batch, buyer)
            except OrderError as error:
                log.error(
                    "live %s: draft of buyer %s refused: %s",
                    self.live.video_id,
                    buyer.from_id,
                    error,
                )
                for row in buyer.fed:
                    row.flags = [*row.flags, NOT_SAVED]
                buyer.fed = []
                continue
            if draft is not None:
                written[buyer.from_id] = draft
        await batch.write(session)
        return written

    async def _load_earlier_details(self, session: AsyncSession) -> None:
        """A phone or an address given in an earlier body of this live, before the buyer
        ordered, fills the new draft; the newest of each wins. One query for both."""
        new_drafts = [b for b in self.buyers.values() if b.draft is None and b.has_draft]
        needed = [b.from_id for b in new_drafts if not (b.phone and b.address)]
        if not needed:
            return
        wrote_now = {b.from_id for b in new_drafts if b.address}
        rows = await session.execute(
            select(Comment.from_id, Comment.phone, Comment.address)
            .where(
                Comment.session_id == self.live.id,
                Comment.from_id.in_(needed),
                or_(Comment.phone.is_not(None), Comment.address.is_not(None)),
                Comment.removed.is_(False),
            )
            .order_by(Comment.created_time)
        )
        for from_id, phone, address in rows:
            buyer = self.buyers[from_id]
            if phone and not buyer.phone:
                self.phones[from_id] = phone
            if address and from_id not in wrote_now:
                buyer.address = address

    def _save_buyer(self, batch: DraftBatch, buyer: BuyerDraft) -> Written | None:
        """The buyer's draft as the batch will write it: None if there is none to write."""
        if buyer.draft is None:
            if not buyer.has_draft:
                return None
            created = batch.create(_with_address(self._new_order(buyer), buyer.address))
            self.summary.drafts_created += 1
            return created
        phone = buyer.phone if buyer.phone and buyer.phone != buyer.draft.buyer_phone else None
        address, review = written_address(buyer.address) if buyer.address else (None, False)
        if address is not None and stored_address(address) == buyer.draft.address:
            address = None  # written again as it stands: nothing to save
        if not (buyer.lines_changed or phone or address):
            return Written(buyer.draft.id, buyer.draft.code, buyer.draft.version)
        saved = batch.save(
            buyer.draft,
            lines=buyer.lines if buyer.lines_changed else None,
            buyer_phone=phone,
            address=address,
            address_review=review,
        )
        self.summary.drafts_changed += 1
        return saved

    def _new_order(self, buyer: BuyerDraft) -> NewOrder:
        note = ""
        if buyer.earlier:
            template = EARLIER_ORDER_NOTE.get(self.config.language, EARLIER_ORDER_NOTE["vi"])
            note = template.format(codes=", ".join(buyer.earlier[-3:]))
        return NewOrder(
            buyer=Buyer(
                name=buyer.name[: TEXT_LIMITS["buyer_name"]],
                phone=buyer.phone or self.phones.get(buyer.from_id, ""),
                facebook_id=buyer.from_id,
            ),
            lines=buyer.lines,
            source=SOURCE,
            video_id=self.live.video_id,
            note=note,
            codes=self.table.codes,
        )


async def _session_of(
    session: AsyncSession, video_id: str, events: Sequence[CommentEvent], config: IngestConfig
) -> LiveSession:
    """The live's session, locked. A Facebook video nobody opened gets one taking orders (a
    shop that never touches the CLI still gets drafts); an Instagram live nobody opened gets
    one only taking orders with `CHOTDON_INSTAGRAM_AUTO_OPEN`: otherwise its comments are kept,
    flagged late, until staff open it (`chotdon live open MEDIA_ID --platform instagram`)."""
    page_id = next((e.page_id for e in events if e.page_id), config.only_page_id)
    if any(event.source == INSTAGRAM for event in events):
        return await locked_session(
            session,
            video_id,
            platform=INSTAGRAM,
            ordering_open=config.instagram_auto_open,
            page_id=page_id,
        )
    return await locked_session(session, video_id, platform=FACEBOOK, page_id=page_id)


def _first_live(rows: Sequence[CommentRow]) -> CommentRow | None:
    """The earliest comment still on Facebook: a private reply needs one to answer."""
    live = [row for row in rows if not row.removed]
    return min(live, key=lambda row: row.created_time) if live else None


def private_reply_key(video_id: str, from_id: str) -> str:
    """One private reply per buyer per live, however many comments and drafts."""
    return f"{PRIVATE_REPLY}:{video_id}:{from_id}"


def _with_address(new: NewOrder, written: str | None) -> NewOrder:
    """A new draft with the address the buyer wrote in this body, read into ward and province
    when the lists know it, else kept whole for staff to check."""
    if not written:
        return new
    address, review = written_address(written)
    address = stored_address(address)
    buyer = dataclasses.replace(
        new.buyer,
        street=address.street,
        ward=address.ward,
        district=address.district,
        province=address.province,
        address_review=review,
    )
    return dataclasses.replace(new, buyer=buyer)


async def _private_replies(
    session: AsyncSession, live: LiveSession, replies: Sequence[tuple[CommentRow, int]]
) -> list[Job]:
    """The private reply to each buyer's first order comment in this live, with the draft's
    items, total, what is missing and the buttons to confirm or cancel; those drafts now wait
    for the buyer (`buyer_confirmation: awaiting`). A buyer answered before in this live (an
    earlier draft became an order) is not asked again. An Instagram live's replies go through
    Instagram messaging, which allows them only while the live is on: their job checks."""
    video_id = live.video_id
    kind = INSTAGRAM_REPLY if live.platform == INSTAGRAM else PRIVATE_REPLY
    keys = {private_reply_key(video_id, row.from_id): (row, order_id) for row, order_id in replies}
    asked = set(
        await session.scalars(
            select(OutboxJob.idempotency_key).where(OutboxJob.idempotency_key.in_(keys))
        )
    )
    wanted = {key: pair for key, pair in keys.items() if key not in asked}
    if not wanted:
        return []
    ids = {order_id for _, order_id in wanted.values()}
    orders = {o.id: o for o in await session.scalars(select(Order).where(Order.id.in_(ids)))}
    jobs = [
        Job(
            kind,
            key,
            {
                "comment_id": row.comment_id,
                "video_id": video_id,
                "order_id": order_id,
                "message": draft_summary(orders[order_id]),
                "quick_replies": quick_replies(orders[order_id].code or ""),
                **on_page({}, live.page_id),
            },
        )
        for key, (row, order_id) in wanted.items()
    ]
    await session.execute(
        update(Order)
        .where(Order.id.in_(ids), Order.buyer_confirmation.is_(None))
        .values(buyer_confirmation=Confirmation.AWAITING.value)
    )
    return jobs
