"""What the database holds for the driver's comments, read straight from it (the service may
be down, read-only or cut off when the suite looks), and the counts a scenario prints."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.pool import NullPool

from chaos.backends import Database
from chaos.driver import Driver
from chaos.report import Counts
from chaos.waits import until
from kernel.database import READ_ONLY_OPTION, create_engine
from kernel.work_status import WorkStatus


@dataclass(frozen=True)
class Stored:
    rows: Counter[str]  # comment id -> comment records
    lines: Counter[str]  # comment id -> order lines made from it
    orders_of_buyer: dict[str, set[int]]
    drafts: int
    inbox: dict[str, int]  # status -> bodies

    def in_a_draft(self, comment_id: str) -> bool:
        return self.rows[comment_id] >= 1 and self.lines[comment_id] >= 1


async def read(database: Database) -> Stored:
    engine = create_engine(database.url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(**{READ_ONLY_OPTION: True})

            async def pairs(sql: str) -> list[tuple]:
                return [tuple(row) for row in await connection.execute(text(sql))]

            rows = Counter(
                dict(await pairs("SELECT comment_id, count(*) FROM comments GROUP BY comment_id"))
            )
            lines = Counter(
                dict(
                    await pairs(
                        "SELECT comment_id, count(*) FROM order_lines"
                        " WHERE comment_id IS NOT NULL GROUP BY comment_id"
                    )
                )
            )
            orders: dict[str, set[int]] = defaultdict(set)
            for buyer, order_id in await pairs(
                "SELECT from_id, order_id FROM comments WHERE order_id IS NOT NULL"
            ):
                orders[buyer].add(order_id)
            drafts = (await pairs("SELECT count(*) FROM orders WHERE status = 'draft'"))[0][0]
            inbox = dict(await pairs("SELECT status, count(*) FROM inbox GROUP BY status"))
    finally:
        await engine.dispose()
    return Stored(rows, lines, dict(orders), drafts, inbox)


async def wait_in_drafts(
    database: Database, comment_ids: Collection[str], deadline_s: float
) -> Stored | None:
    """Until every one of `comment_ids` is in a draft and the inbox has nothing left to do;
    None when the deadline passed first (the caller then counts what is there)."""

    async def settled() -> Stored | None:
        try:
            stored = await read(database)
        except Exception:  # the database may be briefly busy or cut off: ask again
            return None
        if not all(stored.in_a_draft(cid) for cid in comment_ids):
            return None
        busy = sum(
            n
            for status, n in stored.inbox.items()
            if status not in (WorkStatus.DONE, WorkStatus.FAILED)
        )
        return None if busy else stored

    return await until(settled, deadline_s, every_s=0.25)


def counts(driver: Driver, stored: Stored) -> Counts:
    acked = driver.acked
    kept = {cid for cid in acked if stored.in_a_draft(cid)}
    mine = set(driver.fates)
    duplicated = {cid for cid in mine if stored.rows[cid] > 1 or stored.lines[cid] > 1}
    buyers = driver.buyers_acked()
    return Counts(
        accepted=len(acked),
        stored=len(kept),
        lost=len(acked - kept),
        duplicated=len(duplicated),
        drafts=stored.drafts,
        buyers=len(buyers),
    )


def one_draft_per_buyer(
    driver: Driver, stored: Stored, *, others_may_order: bool = False
) -> tuple[bool, str]:
    """Drafts equal buyers: each buyer answered 200 has exactly one order, a draft, and no
    other draft exists (unless `others_may_order`: bodies not from the driver made some)."""
    buyers = driver.buyers_acked()
    several = sorted(b for b in buyers if len(stored.orders_of_buyer.get(b, ())) > 1)
    none = sorted(b for b in buyers if not stored.orders_of_buyer.get(b))
    ok = not several and not none and (others_may_order or stored.drafts == len(buyers))
    detail = f"{stored.drafts} drafts for {len(buyers)} buyers"
    if several:
        detail += f"; {len(several)} buyers with several orders (e.g. {several[0]})"
    if none:
        detail += f"; {len(none)} buyers with none (e.g. {none[0]})"
    return ok, detail


def inbox_note(stored: Stored) -> str:
    return "inbox " + ", ".join(f"{n} {status}" for status, n in sorted(stored.inbox.items()))
