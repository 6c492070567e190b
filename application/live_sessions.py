"""Live sessions: one per live video, with the code table its comments are read against.

A session appears by itself on the first comment of a video (or when Facebook says the video
went live), holding the items' default short codes, so a shop that never touches the CLI still
gets drafts. `chotdon live open` adjusts it: codes that differ for this live, per-code sell caps,
a default code, the largest quantity, and the "stop ordering" switch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from application.views import LiveCodeRow, LiveSessionRow
from kernel.database import dialect_name
from kernel.tables import utcnow
from livestream.events import LiveStatusEvent
from livestream.parser import CodeTable, canonical_code
from livestream.tables import Comment, LiveSession, LiveSessionCode
from orders.changes import MAX_QUANTITY
from orders.errors import InvalidInput, NotFound, Reason
from orders.tables import Item, Order

# Letters then digits (COMMENT_SYNTAX.md rule 3), optionally a variant suffix: `A1-M`.
CODE_SHAPE = re.compile(r"[A-Z]{1,4}[0-9]{1,4}(-[A-Z0-9]+)*")
LIVE = "live"
LIVE_STOPPED = "live_stopped"
VOD = "vod"
FACEBOOK = "facebook"
INSTAGRAM = "instagram"
PLATFORMS = (FACEBOOK, INSTAGRAM)
STAFF = "staff"  # opened by hand: its codes and title win over automatic defaults
AUTO = "auto"  # made by the service: a live_videos webhook, a first comment
TITLE_LIMIT = 255


@dataclass(frozen=True)
class CodeSpec:
    """One entry of `--codes`: `A1=SKU1`, or `A1=SKU1:20` to sell at most 20 in this live."""

    code: str
    sku: str
    cap: int | None = None


def parse_codes(text: str) -> list[CodeSpec]:
    specs: list[CodeSpec] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        code, sep, target = part.partition("=")
        sku, _, cap_text = target.partition(":")
        if not sep or not code.strip() or not sku.strip():
            raise InvalidInput(Reason.BAD_CODE_SPEC, given=part)
        cap = None
        if cap_text.strip():
            if not cap_text.strip().isdigit() or not 0 <= int(cap_text) <= MAX_QUANTITY * 100:
                raise InvalidInput(Reason.BAD_CAP, given=part)
            cap = int(cap_text)
        specs.append(CodeSpec(_canonical(code), sku.strip(), cap))
    return specs


def _canonical(text: str) -> str:
    try:
        code = canonical_code(text.strip())
    except ValueError:
        code = ""
    if not CODE_SHAPE.fullmatch(code) or len(code) > 32:
        raise InvalidInput(Reason.BAD_SHORT_CODE, given=text.strip())
    return code


def _insert(session: AsyncSession, model: Any) -> Any:
    """An INSERT that does nothing on a conflict, so two processes may race to create one."""
    dialect = dialect_name(session)
    if dialect == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(model).on_conflict_do_nothing()
    return insert(model)


async def lock_session(
    session: AsyncSession, *, video_id: str | None = None, live_video_id: str | None = None
) -> LiveSession | None:
    """The session row, held until commit: every comment of one live is applied by one
    transaction at a time, so two processes never make two drafts for one buyer."""
    query = select(LiveSession).with_for_update().execution_options(populate_existing=True)
    if video_id is not None:
        query = query.where(LiveSession.video_id == video_id)
    else:
        query = query.where(LiveSession.live_video_id == live_video_id).order_by(LiveSession.id)
    return (await session.scalars(query.limit(1))).first()


async def session_title(session: AsyncSession, video_id: str | None) -> str | None:
    """The title of the live an order came from, as its card and its page show it; None for
    an order from no live (or from a live since deleted)."""
    if not video_id:
        return None
    return await session.scalar(select(LiveSession.title).where(LiveSession.video_id == video_id))


async def locked_session(
    session: AsyncSession,
    video_id: str,
    *,
    title: str = "",
    platform: str = FACEBOOK,
    ordering_open: bool = True,
    page_id: str | None = None,
) -> LiveSession:
    """The session of `video_id`, created with the items' default codes if it is new (by the
    service, `opened_by` auto, until staff open it by hand); `platform` and `ordering_open`
    only say how a new one starts. `page_id` is the Page that carried it: a session belongs to
    the first Page that names it, and a later one changes nothing (`claim_page`)."""
    live = await lock_session(session, video_id=video_id)
    if live is not None:
        claim_page(live, page_id)
        return live
    values = {
        "video_id": video_id,
        "title": title[:TITLE_LIMIT],
        "ordering_open": ordering_open,
        "platform": platform,
        "opened_by": AUTO,
        "page_id": page_id or None,
    }
    new_id = await session.scalar(
        _insert(session, LiveSession).values(values).returning(LiveSession.id)
    )
    if new_id is not None:
        await _copy_default_codes(session, new_id)
    live = await lock_session(session, video_id=video_id)
    assert live is not None  # inserted by us or by the transaction we waited for
    claim_page(live, page_id)
    return live


def claim_page(live: LiveSession, page_id: str | None) -> None:
    """A live without a Page yet belongs to the first Page that names it."""
    if page_id and not live.page_id:
        live.page_id = page_id


async def _copy_default_codes(session: AsyncSession, session_id: int) -> None:
    """Items' own short codes join the session's table; codes it already maps (perhaps to
    another item, by `chotdon live open --codes`) are kept."""
    taken = set(
        await session.scalars(
            select(LiveSessionCode.code).where(LiveSessionCode.session_id == session_id)
        )
    )
    rows = await session.execute(
        select(Item.code, Item.sku).where(Item.code.is_not(None)).order_by(Item.sku)
    )
    wanted: dict[str, str] = {}
    for raw, sku in rows:
        assert raw is not None  # the query keeps only items with a code
        try:
            code = canonical_code(raw)
        except ValueError:
            continue
        if code and len(code) <= 32 and code not in taken:
            wanted.setdefault(code, sku)
    if wanted:
        values = [{"session_id": session_id, "code": c, "sku": s} for c, s in wanted.items()]
        await session.execute(_insert(session, LiveSessionCode), values)


async def codes_of(session: AsyncSession, live: LiveSession) -> list[LiveSessionCode]:
    query = select(LiveSessionCode).where(LiveSessionCode.session_id == live.id)
    return list(await session.scalars(query.order_by(LiveSessionCode.code)))


def code_table(live: LiveSession, codes: Iterable[LiveSessionCode]) -> CodeTable:
    return CodeTable(
        codes={row.code: row.sku for row in codes},
        default_code=live.default_code,
        max_qty=live.max_qty,
    )


def is_late(live: LiveSession, created_time: datetime) -> bool:
    """Ordering is closed by the switch, or the comment was written after the grace period.

    The comment's own time decides, not when it is processed: a backlog worked off after the
    live must still give the buyers who commented in time their orders.
    """
    if not live.ordering_open:
        return True
    return live.closes_at is not None and created_time >= live.closes_at


def ordering_open_at(live: LiveSession, when: datetime) -> bool:
    return not is_late(live, when)


async def open_session(
    session: AsyncSession,
    video_id: str,
    *,
    title: str | None = None,
    codes: Sequence[CodeSpec] = (),
    default_code: str | None = None,
    max_qty: int | None = None,
    platform: str | None = None,
    page_id: str | None = None,
) -> LiveSession:
    """Create or update a session and open ordering; given codes override the defaults. Staff
    opened it: an automatic open later changes nothing of its title and codes. `page_id`
    (staff's choice, already checked against the configured Pages) sets the Page the live
    belongs to, even over the one a webhook named."""
    video_id = video_id.strip()
    if not video_id or len(video_id) > 64:
        raise InvalidInput(Reason.BAD_VIDEO_ID, field="video_id")
    if platform is not None and platform not in PLATFORMS:
        raise InvalidInput(
            Reason.UNKNOWN_PLATFORM, field="platform", given=platform, known=", ".join(PLATFORMS)
        )
    if max_qty is not None and not 1 <= max_qty <= MAX_QUANTITY:
        raise InvalidInput(Reason.OUT_OF_RANGE, field="max_qty", low=1, high=MAX_QUANTITY)
    live = await locked_session(
        session, video_id, title=title or "", platform=platform or FACEBOOK, page_id=page_id
    )
    if page_id:
        live.page_id = page_id
    await _copy_default_codes(session, live.id)
    await _set_codes(session, live, codes)
    if default_code is not None:
        code = _canonical(default_code) if default_code.strip() else None
        known = {row.code for row in await codes_of(session, live)}
        if code is not None and code not in known:
            raise InvalidInput(Reason.DEFAULT_CODE_UNKNOWN, field="default_code", code=code)
        live.default_code = code
    if title is not None:
        live.title = title.strip()[:TITLE_LIMIT]
    if max_qty is not None:
        live.max_qty = max_qty
    if platform is not None:
        live.platform = platform
    live.opened_by = STAFF
    live.ordering_open = True
    live.closes_at = None
    await session.flush()
    return live


async def _set_codes(session: AsyncSession, live: LiveSession, specs: Sequence[CodeSpec]) -> None:
    if not specs:
        return
    skus = {spec.sku for spec in specs}
    found = set(await session.scalars(select(Item.sku).where(Item.sku.in_(skus))))
    missing = sorted(skus - found)
    if missing:
        raise InvalidInput(Reason.UNKNOWN_SKU, field="codes", skus=missing)
    existing = {row.code: row for row in await codes_of(session, live)}
    for spec in specs:
        row = existing.get(spec.code)
        if row is None:
            row = existing[spec.code] = LiveSessionCode(session_id=live.id, code=spec.code)
            session.add(row)
        row.sku = spec.sku
        row.cap = spec.cap
    await session.flush()


async def close_session(session: AsyncSession, video_id: str) -> LiveSession:
    live = await lock_session(session, video_id=video_id)
    if live is None:
        raise NotFound(Reason.NO_LIVE_SESSION, video_id=video_id)
    live.ordering_open = False
    await session.flush()
    return live


async def apply_live_status(
    session: AsyncSession, event: LiveStatusEvent, *, grace: timedelta, now: datetime
) -> LiveSession | None:
    """`live` opens ordering; `live_stopped` closes it once the grace period is over.

    Which video a LiveVideo streams is not always in the webhook (UNCONFIRMED in Facebook's
    documents), so a session is found by the LiveVideo id as well; a `live` without a video id
    makes a session keyed by the LiveVideo id, which `chotdon live open` can replace.
    """
    live = None
    if event.video_id:
        live = await lock_session(session, video_id=event.video_id)
    if live is None:
        live = await lock_session(session, live_video_id=event.live_video_id)
    if live is None and not event.video_id:
        live = await lock_session(session, video_id=event.live_video_id)
    if event.status == LIVE:
        if live is None:
            live = await locked_session(
                session, event.video_id or event.live_video_id, page_id=event.page_id
            )
        live.live_video_id = event.live_video_id
        live.ordering_open = True
        live.closes_at = None
    elif event.status == LIVE_STOPPED and live is not None:
        live.live_video_id = event.live_video_id
        live.closes_at = now + grace
    elif event.status == VOD and live is not None:
        # The replay is up: the live is over. A grace period `live_stopped` started runs to
        # its end; without one (that webhook was lost) ordering closes now.
        live.live_video_id = event.live_video_id
        if live.closes_at is None or live.closes_at > now + grace:
            live.closes_at = now
    await session.flush()
    return live


async def known_session(session: AsyncSession, event: LiveStatusEvent) -> LiveSession | None:
    """The session a live_videos event is about, if there is one (locked), found as
    `apply_live_status` finds it; nothing is created."""
    live = None
    if event.video_id:
        live = await lock_session(session, video_id=event.video_id)
    if live is None:
        live = await lock_session(session, live_video_id=event.live_video_id)
    return live


@dataclass(frozen=True)
class AutoOpened:
    """What an automatic open did: `opened` is False when staff had opened the live by hand
    (nothing of theirs was changed, and they need not be told). It runs once per LiveVideo
    (the job's key), so an automatic open is announced once."""

    live: LiveSession
    opened: bool


async def auto_open_session(
    session: AsyncSession,
    video_id: str,
    *,
    live_video_id: str,
    title: str,
    platform: str = FACEBOOK,
) -> AutoOpened:
    """Open `video_id` as `chotdon live open` would, with the title Facebook gives and the
    catalog's default codes, `opened_by` auto. A session staff opened keeps its title, codes
    and switch (it only learns its LiveVideo id); a bare one made by early comments gets the
    title if it has none and the default codes it lacks."""
    live = await locked_session(session, video_id, title=title, platform=platform)
    live.live_video_id = live_video_id
    if live.opened_by == STAFF:
        await session.flush()
        return AutoOpened(live, opened=False)
    if not live.title:
        live.title = title.strip()[:TITLE_LIMIT]
    await _copy_default_codes(session, live.id)
    live.ordering_open = True
    live.closes_at = None
    await session.flush()
    return AutoOpened(live, opened=True)


async def list_sessions(
    session: AsyncSession, *, now: datetime | None = None
) -> list[LiveSessionRow]:
    """Every session, newest first, with its codes and how many comments and orders it has."""
    now = now or utcnow()
    lives = list(await session.scalars(select(LiveSession).order_by(LiveSession.id.desc())))
    codes: dict[int, list[LiveSessionCode]] = {}
    for row in await session.scalars(select(LiveSessionCode).order_by(LiveSessionCode.code)):
        codes.setdefault(row.session_id, []).append(row)
    counted_comments = select(Comment.session_id, func.count()).group_by(Comment.session_id)
    comments = {live_id: count for live_id, count in await session.execute(counted_comments)}
    orders: dict[str, dict[str, int]] = {}
    counted = select(Order.video_id, Order.status, func.count()).where(
        Order.source == "livestream", Order.video_id.in_([live.video_id for live in lives])
    )
    for video_id, status, count in await session.execute(
        counted.group_by(Order.video_id, Order.status)
    ):
        assert video_id is not None  # the query keeps only these lives' videos
        orders.setdefault(video_id, {})[status] = count
    return [
        session_view(live, codes.get(live.id, []), comments.get(live.id, 0), orders, now)
        for live in lives
    ]


def session_view(
    live: LiveSession,
    codes: Sequence[LiveSessionCode],
    comments: int,
    orders: Mapping[str, Mapping[str, int]],
    now: datetime,
) -> LiveSessionRow:
    by_status = orders.get(live.video_id, {})
    return LiveSessionRow(
        video_id=live.video_id,
        live_video_id=live.live_video_id,
        title=live.title,
        ordering_open=ordering_open_at(live, now),
        closes_at=live.closes_at,
        default_code=live.default_code,
        max_qty=live.max_qty,
        codes=tuple(LiveCodeRow(row.code, row.sku, row.cap) for row in codes),
        comments=comments,
        orders=sum(by_status.values()),
        drafts=by_status.get("draft", 0),
        created_at=live.created_at,
        platform=live.platform or "facebook",
        page_id=live.page_id,
    )
