"""Stored comments as plain objects, read and written in bulk.

Applying a storm of comments touches hundreds of rows per transaction; through ORM objects,
building and tracking them cost more than everything else the ingest does per comment. Rows
here are slotted dataclasses: new ones are inserted with one executemany, and stored ones that
changed are written back with another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from application.views import CommentLineView, CommentView
from kernel.tables import utcnow
from livestream.tables import Comment

# What applying a comment may change on a stored row.
MUTABLE = (
    "from_id",
    "from_name",
    "message",
    "fingerprint",
    "verb",
    "intent",
    "lines",
    "phone",
    "address",
    "order_id",
    "flags",
    "removed",
)


@dataclass(slots=True, eq=False)
class CommentRow:
    """One row of `comments`; `id` is None until it is inserted."""

    comment_id: str
    session_id: int
    from_id: str
    from_name: str
    message: str
    created_time: datetime
    verb: str
    fingerprint: str = ""
    intent: str = "none"
    lines: list[dict[str, Any]] = field(default_factory=list)
    phone: str | None = None
    address: str | None = None
    order_id: int | None = None
    flags: list[str] = field(default_factory=list)
    removed: bool = False
    source: str = "webhook"
    id: int | None = None
    loaded: tuple[Any, ...] = ()  # MUTABLE's values as stored, to find rows that changed


COLUMNS = tuple(f.name for f in fields(CommentRow) if f.name not in ("id", "loaded"))


def _mutable(row: CommentRow) -> tuple[Any, ...]:
    return tuple(
        list(value) if isinstance(value, list) else value
        for value in (getattr(row, name) for name in MUTABLE)
    )


async def load(session: AsyncSession, comment_ids: Iterable[str]) -> dict[str, CommentRow]:
    table = Comment.__table__
    result = await session.execute(
        select(table.c.id, *(table.c[name] for name in COLUMNS)).where(
            table.c.comment_id.in_(list(comment_ids))
        )
    )
    rows: dict[str, CommentRow] = {}
    for stored in result:
        values = stored._mapping
        row = CommentRow(**{name: values[name] for name in COLUMNS}, id=values["id"])
        row.lines = list(row.lines or [])
        row.flags = list(row.flags or [])
        row.loaded = _mutable(row)
        rows[row.comment_id] = row
    return rows


async def save(
    session: AsyncSession, new: Sequence[CommentRow], stored: Iterable[CommentRow]
) -> None:
    """Insert `new`; write back those of `stored` that changed since they were loaded."""
    table = Comment.__table__
    now = utcnow()
    if new:
        values = [
            {name: getattr(row, name) for name in COLUMNS} | {"received_at": now, "updated_at": now}
            for row in new
        ]
        await session.execute(insert(table), values)
    changed = [row for row in stored if row.id is not None and _mutable(row) != row.loaded]
    if changed:
        stmt = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({name: bindparam(f"new_{name}") for name in MUTABLE} | {"updated_at": now})
        )
        params = [
            {"row_id": row.id} | {f"new_{name}": getattr(row, name) for name in MUTABLE}
            for row in changed
        ]
        await session.execute(stmt, params)


def comment_view(row: Comment) -> CommentView:
    """A stored comment as staff and API clients see it."""
    return CommentView(
        comment_id=row.comment_id,
        from_id=row.from_id,
        from_name=row.from_name,
        message=row.message,
        created_time=row.created_time,
        verb=row.verb,
        intent=row.intent,
        lines=tuple(
            CommentLineView(
                code=line.get("code"),
                sku=line.get("sku"),
                quantity=line.get("quantity"),
                variant=line.get("variant"),
                needs_review=line.get("needs_review"),
                cancel=bool(line.get("cancel")),
            )
            for line in row.lines or []
        ),
        phone=row.phone,
        order_id=row.order_id,
        flags=tuple(row.flags or []),
        address=row.address,
        id=row.id,
    )
