"""Comment ingest throughput: webhook bodies of comments applied by the Facebook inbox handler.

The sample livestream (`samples/livestream.jsonl`, ~40 buyers, a mix of orders, questions,
chatter, edits and removals) is replayed on several videos until N comments are reached, cut
into bodies of B comments, and each body applied in its own transaction, as the inbox processor
does. Reports comments per second and the drafts made.

    python -m bench.ingest --comments 1000 --body 50
    python -m bench.ingest --url postgresql+asyncpg://postgres@127.0.0.1/test_ingest
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text

from application.live_events import facebook_handler
from chotdon.migrate import upgrade
from chotdon.schema import metadata
from kernel.database import create_engine, session_factory
from kernel.inbox.processor import InboxItem
from kernel.tables import utcnow
from livestream.config import IngestConfig
from livestream.simulate import SimulatedComment, read_comment, webhook_body
from livestream.tables import Comment
from orders.catalog import import_items, parse_items_csv
from orders.tables import Order

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _comments(count: int) -> list[SimulatedComment]:
    lines = (SAMPLES / "livestream.jsonl").read_text(encoding="utf-8").splitlines()
    sample = [read_comment(json.loads(line)) for line in lines if line.strip()]
    out: list[SimulatedComment] = []
    replay = 0
    while len(out) < count:
        replay += 1
        for c in sample[: count - len(out)]:
            video = f"{c.video_id}{replay}"
            out.append(
                SimulatedComment(
                    video,
                    f"{video}_{c.comment_id}",
                    c.from_id,
                    c.from_name,
                    c.message,
                    c.created_time,
                    c.verb,
                )
            )
    return out


async def _prepare(url: str) -> None:
    engine = create_engine(url)
    try:
        if not url.startswith("sqlite"):
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            async with engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        csv = (SAMPLES / "items.csv").read_text(encoding="utf-8")
        async with session_factory(engine).begin() as session:
            await import_items(session, parse_items_csv(csv))
    finally:
        await engine.dispose()


async def run(url: str, count: int, body_size: int) -> dict[str, object]:
    await _prepare(url)
    comments = _comments(count)
    bodies = [webhook_body(comments[i : i + body_size]) for i in range(0, len(comments), body_size)]
    handle = facebook_handler(IngestConfig(page_id="100000000000001"))
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        started = time.perf_counter()
        for number, body in enumerate(bodies, start=1):
            item = InboxItem(number, "facebook", body, "application/json", utcnow())
            async with sessions.begin() as session:
                await handle(session, [item])
        elapsed = time.perf_counter() - started
        async with sessions() as session:
            stored = await session.scalar(select(func.count()).select_from(Comment))
            drafts = await session.scalar(select(func.count()).select_from(Order))
    finally:
        await engine.dispose()
    return {
        "comments": len(comments),
        "bodies": len(bodies),
        "seconds": round(elapsed, 2),
        "comments_per_s": round(len(comments) / elapsed),
        "stored": stored,
        "drafts": drafts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="default: a fresh SQLite file")
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--body", type=int, default=50, help="comments per webhook body")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.url or f"sqlite+aiosqlite:///{directory}/bench.db"
        upgrade(url)
        print(asyncio.run(run(url, args.comments, args.body)))


if __name__ == "__main__":
    main()
