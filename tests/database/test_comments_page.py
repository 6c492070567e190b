"""The comments page of a live a page at a time, newest first during the live with what
arrives since put on top (`/live/{video_id}/comments/new`), and the JSON API's pages of the same
comments. On both backends: the cursor compares `(created_time, id)` in SQL."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from application import web_logins as auth
from application.live_comments import apply_comments
from application.live_sessions import close_session, open_session, parse_codes
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from kernel.database import create_engine, session_factory
from livestream.config import IngestConfig
from livestream.events import CommentEvent
from orders.staff import add_staff
from staff_web.security import COOKIE
from tests.conftest import API_TOKEN, make_settings
from tests.factories import seed_items

VIDEO = "889900112233"
PAGE_ID = "999000111"
T0 = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
MESSAGE = re.compile(r'<span class="message">([^<]*)</span>')
NEXT = re.compile(r'<a rel="next" href="([^"]+)"')


def said(n: int, message: str | None = None, *, buyer: str | None = None) -> CommentEvent:
    """Comment `n`, written `n` seconds into the live."""
    return CommentEvent(
        "add",
        f"{VIDEO}_{n}",
        VIDEO,
        buyer or f"fb-{n}",
        f"Khách {n}",
        message or f"hỏi {n}",
        T0 + timedelta(seconds=n),
        f"p_{VIDEO}",
    )


@pytest.fixture
async def client(aiohttp_client: Any, db_url: str) -> TestClient:
    engine = create_engine(db_url)
    try:
        await seed_items(session_factory(engine))
        async with session_factory(engine).begin() as session:
            row = await add_staff(session, 4242, "Lan", "sales")
            started = await auth.start_session(session, row, "link")
    finally:
        await engine.dispose()
    settings = make_settings(db_url, language="en", api_token=API_TOKEN)
    app = create_app(settings, run_worker=False, run_inbox=False, run_bot=False)
    client = await aiohttp_client(app)
    client.session.cookie_jar.update_cookies({COOKIE: started.token})
    return client


async def live_with(client: TestClient, events: list[CommentEvent]) -> None:
    sessions = client.app[RUNTIME].sessions
    async with sessions.begin() as session:
        await open_session(session, VIDEO, title="Live", codes=parse_codes("A1=AO-001"))
    await add(client, events)


async def add(client: TestClient, events: list[CommentEvent]) -> None:
    async with client.app[RUNTIME].sessions.begin() as session:
        await apply_comments(session, events, IngestConfig(page_id=PAGE_ID))


async def close(client: TestClient) -> None:
    async with client.app[RUNTIME].sessions.begin() as session:
        await close_session(session, VIDEO)


async def get(client: TestClient, path: str, status: int = 200) -> str:
    async with client.get(path, allow_redirects=False) as response:
        body = await response.text()
        assert response.status == status, body
        return body


async def every_page(client: TestClient, path: str) -> list[list[str]]:
    """The messages of each page, following the "next" links to the end."""
    pages = []
    while True:
        html = await get(client, path)
        pages.append(MESSAGE.findall(html))
        found = NEXT.search(html)
        if found is None:
            return pages
        path = found.group(1).replace("&amp;", "&")


async def test_after_the_live_the_comments_come_oldest_first_fifty_a_page(client):
    # Written out of order, and two at the same second: the pages follow the time, then the id.
    events = [said(n) for n in range(120, 0, -1)] + [said(0, "cùng giây")]
    events.append(CommentEvent("add", f"{VIDEO}_x", VIDEO, "fb-x", "X", "cùng giây 2", T0, ""))
    await live_with(client, events)
    await close(client)

    pages = await every_page(client, f"/live/{VIDEO}/comments")
    assert [len(page) for page in pages] == [50, 50, 22]
    assert [m for page in pages for m in page] == ["cùng giây", "cùng giây 2"] + [
        f"hỏi {n}" for n in range(1, 121)
    ]
    second = await get(client, f"/live/{VIDEO}/comments?cursor=999999")  # not a comment: page 1
    assert MESSAGE.findall(second)[:2] == ["cùng giây", "cùng giây 2"]
    assert 'data-feed="' not in second  # nothing to follow after the live
    newest = await every_page(client, f"/live/{VIDEO}/comments?order=newest")
    assert [m for page in newest for m in page][:3] == ["hỏi 120", "hỏi 119", "hỏi 118"]


async def test_during_the_live_the_newest_come_first_and_new_ones_follow(client):
    await live_with(client, [said(n) for n in range(1, 61)])
    html = await get(client, f"/live/{VIDEO}/comments")
    assert MESSAGE.findall(html) == [f"hỏi {n}" for n in range(60, 10, -1)]
    assert "Live now: new comments appear at the top." in html
    feed = re.search(r'data-feed="([^"]+)" data-after="(\d+)"', html)
    assert feed is not None
    url, after = feed.group(1), feed.group(2)
    assert url == f"/live/{VIDEO}/comments/new"

    async with client.get(f"{url}?after={after}") as response:
        assert response.status == 200
        assert MESSAGE.findall(await response.text()) == []
        assert response.headers["X-Comments-After"] == after
        assert response.headers["X-Live"] == "1"

    # A comment written earlier but stored later still arrives: the feed follows the rows.
    await add(client, [said(61, "A1 2 0912345678 giao 12 Hai Bà Trưng Q1"), said(0, "muộn")])
    async with client.get(f"{url}?after={after}") as response:
        news = await response.text()
        cursor = response.headers["X-Comments-After"]
    assert MESSAGE.findall(news) == ["A1 2 0912345678 giao 12 Hai Bà Trưng Q1", "muộn"]
    assert "12 Hai Bà Trưng Q1" in re.sub(r"\s+", " ", news.split('class="address"')[1])
    assert re.search(r'<a class="order-link" href="/orders/\d+">', news)  # the draft it made
    assert "<b>A1</b> × 2" in news  # its line
    assert int(cursor) > int(after)
    async with client.get(f"{url}?after={cursor}") as response:
        assert MESSAGE.findall(await response.text()) == []  # each comes once

    # Filtered the same way as the page: only comments that made an order.
    async with client.get(f"{url}?after={after}&kind=order") as response:
        assert MESSAGE.findall(await response.text()) == ["A1 2 0912345678 giao 12 Hai Bà Trưng Q1"]

    # The second page goes on from the first page's last comment, and does not follow.
    second = await get(client, NEXT.search(html).group(1).replace("&amp;", "&"))
    assert MESSAGE.findall(second)[:2] == ["hỏi 10", "hỏi 9"]
    assert 'data-feed="' not in second

    await close(client)
    after_live = await get(client, f"/live/{VIDEO}/comments")
    assert MESSAGE.findall(after_live)[:2] == ["muộn", "hỏi 1"]


async def test_the_feed_is_for_signed_in_staff_only(client):
    await live_with(client, [said(1, "A1 1 0912345678")])
    client.session.cookie_jar.clear()
    async with client.get(f"/live/{VIDEO}/comments/new?after=0", allow_redirects=False) as response:
        body = await response.text()
        assert response.status in (302, 303, 401)
        assert "A1 1 0912345678" not in body
        assert "X-Comments-After" not in response.headers
    await get(client, "/live/no-such-video/comments/new?after=0", 303)


async def test_the_api_pages_a_lives_comments_and_stays_whole_without_limit(client):
    await live_with(client, [said(n) for n in range(1, 8)])
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    path = f"/api/live-sessions/{VIDEO}/comments"

    async with client.get(path, headers=headers) as response:
        whole = await response.json()
    assert [c["message"] for c in whole["comments"]] == [f"hỏi {n}" for n in range(1, 8)]
    assert whole["next_cursor"] is None

    seen, cursor = [], None
    while True:
        query = f"?limit=3{f'&cursor={cursor}' if cursor else ''}"
        async with client.get(path + query, headers=headers) as response:
            assert response.status == 200
            answer = await response.json()
        seen.append([c["message"] for c in answer["comments"]])
        cursor = answer["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str)
    assert seen == [["hỏi 1", "hỏi 2", "hỏi 3"], ["hỏi 4", "hỏi 5", "hỏi 6"], ["hỏi 7"]]

    for bad in ("limit=0", "limit=501", "limit=x", "cursor=abc", "cursor=99999999"):
        async with client.get(f"{path}?{bad}", headers=headers) as response:
            assert response.status == 422, bad
            error = await response.json()
        assert error["error"] == "invalid_input"
        assert bad.split("=")[0] in error["message"]


async def test_the_lives_page_says_how_many_comments_each_source_delivered(client):
    polled = [dataclasses.replace(said(n), source="poll") for n in (3, 4)]
    await live_with(client, [said(1), said(2), *polled])
    # The poll delivering a comment the webhook already gave changes nothing.
    await add(client, [dataclasses.replace(said(1), source="poll")])
    html = await get(client, f"/live/{VIDEO}/comments")
    assert "Comments received by: webhook 2 · polling (missed by the webhook) 2" in html
