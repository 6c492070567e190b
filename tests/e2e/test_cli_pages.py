"""`chotdon pages list` and `chotdon live open --page` as a person types them: real processes,
a real database file, and the local fake Graph on a real port answering for two Pages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.test_cli import Chotdon, one_line_error
from tests.fakes.graph import FakeGraph

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
PAGE_A, TOKEN_A = "1111111111", "EAAGgoodTokenOfPageA1234"
PAGE_B, TOKEN_B = "2222222222", "EAAGgoodTokenOfPageB5678"
EXPIRED = "EAAGexpiredTokenOfPageB9999"


@pytest.fixture
def chotdon(tmp_path: Path) -> Chotdon:
    return Chotdon(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'chotdon.db'}")


@pytest.fixture
async def graph_url(aiohttp_server) -> AsyncIterator[str]:
    fake = FakeGraph(access_token=TOKEN_A, page_id=PAGE_A)
    fake.add_page(PAGE_B, TOKEN_B, "Shop Hoa Quận 3")
    server = await aiohttp_server(fake.app())
    yield str(server.make_url("")).rstrip("/")


async def test_pages_list_checks_each_token_and_never_prints_one(chotdon, graph_url):
    good = await asyncio.to_thread(
        chotdon,
        "pages",
        "list",
        FACEBOOK_PAGES=f"{PAGE_B}:{TOKEN_B}",
        FACEBOOK_PAGE_ID=PAGE_A,
        FACEBOOK_PAGE_ACCESS_TOKEN=TOKEN_A,
        FACEBOOK_GRAPH_URL=graph_url,
    )
    assert good.returncode == 0, good.stderr
    header, first, second = good.stdout.splitlines()
    assert header.split() == ["PAGE_ID", "NAME", "FROM", "TOKEN", "CHECK"]
    assert first.startswith(f"{PAGE_A}  Fake Page")  # the names Graph gave
    assert first.split()[-3:] == ["FACEBOOK_PAGE_ID", "***1234", "ok"]
    assert second.startswith(f"{PAGE_B}  Shop Hoa Quận 3")
    assert second.split()[-3:] == ["FACEBOOK_PAGES", "***5678", "ok"]

    bad = await asyncio.to_thread(
        chotdon,
        "pages",
        "list",
        FACEBOOK_PAGES=f"{PAGE_A}:{TOKEN_A},{PAGE_B}:{EXPIRED}",
        FACEBOOK_GRAPH_URL=graph_url,
    )
    assert bad.returncode == 1
    first, second = bad.stdout.splitlines()[1:3]
    assert first.startswith(PAGE_A) and first.endswith("ok")
    assert second.startswith(PAGE_B) and "refused: Invalid OAuth access token" in second
    assert "code 190" in second
    assert "1 of 2 Page tokens do not work" in bad.stdout
    for output in (good, bad):
        for token in (TOKEN_A, TOKEN_B, EXPIRED):
            assert token not in output.stdout + output.stderr


def test_pages_list_without_a_page_says_how_to_set_one(chotdon):
    result = chotdon("pages", "list")
    assert result.returncode == 1
    assert "No Facebook Page is configured: set FACEBOOK_PAGES" in result.stdout


def test_a_malformed_page_list_stops_the_command_in_one_line(chotdon):
    result = chotdon("pages", "list", FACEBOOK_PAGES=f"{PAGE_A}:{TOKEN_A},{TOKEN_B}")
    assert result.returncode == 2
    assert "FACEBOOK_PAGES" in one_line_error(result) and "item 2" in result.stderr
    assert TOKEN_A not in result.stderr and TOKEN_B not in result.stderr


def test_live_open_names_the_page_and_refuses_an_unknown_one(chotdon):
    pages = {"FACEBOOK_PAGES": f"{PAGE_A}:{TOKEN_A},{PAGE_B}:{TOKEN_B}"}
    opened = chotdon("live", "open", "7788", "--page", PAGE_B, **pages)
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.startswith(f"Live 7788 on Page {PAGE_B} is open for orders")

    unknown = chotdon("live", "open", "7789", "--page", "999", **pages)
    assert unknown.returncode == 1
    assert f"Page 999 is not configured (configured Pages: {PAGE_A}, {PAGE_B})" in (
        one_line_error(unknown)
    )

    # With one Page configured, a live opened without --page is on it.
    alone = chotdon("live", "open", "7790", FACEBOOK_PAGES=f"{PAGE_A}:{TOKEN_A}")
    assert alone.returncode == 0, alone.stderr
    listed = chotdon("live", "list", **pages)
    pages_of = {row.split()[0]: row.split()[1] for row in listed.stdout.splitlines()[1:]}
    assert pages_of == {"7788": PAGE_B, "7790": PAGE_A}
