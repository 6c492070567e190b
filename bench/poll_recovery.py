"""Catch-up polling against a webhook that drops comments: how many the poller recovers, how
late, and how many Graph calls it spends.

A live of `--comments` comments written over `--seconds` (time compressed: a real live of
5,000 comments lasts an hour or two; here it is a few minutes, with the poll interval shrunk to
match). Every comment goes to the local fake Graph (`tests/fakes/graph.py`), which serves
`/{video}/comments` with real paging; the webhook, signed, over HTTP to the real app, gets only
`1 - --drop` of them, chosen at random. The app runs in this process on a fresh SQLite file
with its inbox processor and comment poller, exactly as the worker process runs them.

Reported: comments the webhook dropped, how many the poller stored (source `poll`), how late
each was in a draft (the comment row's `received_at` minus when it was written: p50, p99,
max), Graph calls per minute, and lost comments (must be 0).

    python -m bench.poll_recovery --comments 5000 --seconds 150 --poll 2 --drop 0.2
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiohttp import web
from sqlalchemy import select

from application.live_ordering import open_ordering
from chotdon.app import POLLER, create_app
from chotdon.migrate import upgrade_all
from chotdon.runtime import RUNTIME
from chotdon.settings import Settings
from kernel.http import signatures
from livestream.simulate import SimulatedComment, webhook_body
from livestream.tables import Comment
from orders.catalog import ItemRow, import_items
from tests.fakes.graph import FakeGraph

SECRET = "bench-secret"
TOKEN = "bench-page-token"
PAGE = "100000000000001"
VIDEO = "777000222"
BUYERS = 400
SETTLE_S = 60.0


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def run(comments: int, seconds: float, poll_s: float, drop: float, seed: int) -> None:
    rng = random.Random(seed)
    fake = FakeGraph(access_token=TOKEN, page_id=PAGE)
    fake.add_video(VIDEO)
    graph_runner, graph_url = await serve(fake.app())
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'chotdon.db'}"
        upgrade_all(url, url)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            inbox_database_url=url,
            facebook_app_secret=SECRET,
            facebook_page_id=PAGE,
            facebook_page_access_token=TOKEN,
            facebook_graph_url=graph_url,
            hide_phone_comments=False,
            comment_poll_seconds=poll_s,
        )
        app = create_app(settings, run_worker=False, run_inbox=True, run_bot=False)
        runner, base = await serve(app)
        runtime = app[RUNTIME]
        async with runtime.sessions.begin() as session:
            await import_items(
                session, [ItemRow("BENCH-A1", "Áo bench", 150_000, 10**9, 200, "A1")]
            )
        await open_ordering(runtime.orders, VIDEO, title="Bench live")
        written: dict[str, float] = {}  # comment id -> when written (Unix seconds)
        dropped: set[str] = set()
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            posts: set[asyncio.Task[None]] = set()
            for n in range(comments):
                due = started + seconds * n / comments
                if (wait := due - time.monotonic()) > 0:
                    await asyncio.sleep(wait)
                comment_id = f"{VIDEO}_{n}"
                buyer = f"fb-{n % BUYERS}"
                message = f"A1 {n // BUYERS + 1}"
                now = datetime.now(UTC)
                fake.add_live_comment(
                    VIDEO, comment_id, message, from_id=buyer, from_name=buyer, created_time=now
                )
                written[comment_id] = now.timestamp()
                if rng.random() < drop:
                    dropped.add(comment_id)
                    continue
                simulated = SimulatedComment(
                    VIDEO, comment_id, buyer, buyer, message, int(now.timestamp())
                )
                body = webhook_body([simulated], page_id=PAGE)
                task = asyncio.create_task(_post(http, body))
                posts.add(task)
                task.add_done_callback(posts.discard)
            await asyncio.gather(*posts)
        writing_s = time.monotonic() - started
        stored = await _settle(runtime.sessions, set(written))
        elapsed_min = (time.monotonic() - started) / 60
        poller = app[POLLER]
        await runner.cleanup()
        await graph_runner.cleanup()
    late = sorted(
        stored[cid][1] - written[cid] for cid in dropped if stored.get(cid, ("", 0.0))[0] == "poll"
    )
    by_poll = sum(1 for source, _ in stored.values() if source == "poll")
    print(f"comments written: {comments} over {writing_s:.0f} s, poll every {poll_s} s")
    print(f"dropped by the webhook: {len(dropped)} ({drop:.0%})")
    print(f"stored by the poller: {by_poll} (of the dropped: {len(late)})")
    print(f"lost: {len(set(written) - set(stored))}")
    if late:
        print(
            f"late (s after written, in a draft): p50 {statistics.median(late):.1f}, "
            f"p99 {late[max(0, int(len(late) * 0.99) - 1)]:.1f}, max {late[-1]:.1f}"
        )
    print(
        f"Graph calls: {len(fake.comment_reads)} "
        f"({len(fake.comment_reads) / elapsed_min:.0f} a minute; poller counted {poller.calls})"
    )


async def _post(http: httpx.AsyncClient, body: bytes) -> None:
    headers = {signatures.HEADER: signatures.sign(SECRET, body)}
    headers["Content-Type"] = "application/json"
    answer = await http.post("/webhooks/facebook", content=body, headers=headers)
    answer.raise_for_status()


async def _settle(sessions, ids: set[str]) -> dict[str, tuple[str, float]]:
    """Every comment's (source, when applied), once all are stored or the deadline passes."""
    deadline = time.monotonic() + SETTLE_S
    while True:
        async with sessions() as session:
            rows = await session.execute(
                select(Comment.comment_id, Comment.source, Comment.received_at)
            )
            found = {
                cid: (source, at.replace(tzinfo=at.tzinfo or UTC).timestamp())
                for cid, source, at in rows
            }
        if ids <= set(found) or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=150.0)
    parser.add_argument("--poll", type=float, default=2.0)
    parser.add_argument("--drop", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    asyncio.run(run(args.comments, args.seconds, args.poll, args.drop, args.seed))


if __name__ == "__main__":
    main()
