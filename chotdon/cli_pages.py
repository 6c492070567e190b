"""`chotdon pages list`: each configured Facebook Page and whether its token still works.

A token that expired or lost a permission fails silently during a live (nothing is hidden, no
buyer is answered), so the shop checks before going live: one cheap Graph call per Page. The
token itself is never printed, only its last four characters.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from chotdon.cli_output import table
from chotdon.facebook_pages import facebook_pages
from chotdon.log_redaction import MASK, SecretMask
from chotdon.settings import Settings
from livestream.graph import GraphError, fetch_page
from livestream.pages import ConfiguredPage

SHOWN_TOKEN_CHARS = 4
NONE_CONFIGURED = (
    "No Facebook Page is configured: set FACEBOOK_PAGES=PAGE_ID:TOKEN,... or "
    "FACEBOOK_PAGE_ID and FACEBOOK_PAGE_ACCESS_TOKEN."
)


def add_commands(commands: Any) -> None:
    pages = commands.add_parser("pages", help="the Facebook Pages chotdon acts for").add_subparsers(
        dest="pages_command", required=True, metavar="ACTION"
    )
    pages.add_parser(
        "list", help="each configured Page and whether its token works (one Graph call each)"
    ).set_defaults(run=_list)


@dataclass(frozen=True)
class PageCheck:
    entry: ConfiguredPage
    name: str = ""
    problem: str = ""  # empty: the token works


def masked(token: str | None) -> str:
    """The last four characters of a token, the rest hidden: enough to tell two apart."""
    if not token:
        return "-"
    shown = token[-SHOWN_TOKEN_CHARS:] if len(token) > 2 * SHOWN_TOKEN_CHARS else ""
    return f"{MASK}{shown}"


async def check_pages(entries: list[ConfiguredPage]) -> list[PageCheck]:
    async with httpx.AsyncClient() as http:
        return list(await asyncio.gather(*(_check(http, entry) for entry in entries)))


async def _check(http: httpx.AsyncClient, entry: ConfiguredPage) -> PageCheck:
    try:
        found = await fetch_page(http, entry.page)
    except GraphError as error:
        return PageCheck(entry, problem=str(error))
    return PageCheck(entry, name=found.name)


def _list(settings: Settings, _args: argparse.Namespace) -> int:
    entries = facebook_pages(settings).entries()
    if not entries:
        print(NONE_CONFIGURED)
        return 1
    checks = asyncio.run(check_pages(entries))
    # Graph's own message may quote what it was given: every token is masked out of it.
    mask = SecretMask.of(entry.page.access_token for entry in entries)
    header = ("PAGE_ID", "NAME", "FROM", "TOKEN", "CHECK")
    rows = [
        (
            check.entry.page_id or "me",
            check.name or "-",
            check.entry.origin,
            masked(check.entry.page.access_token),
            mask.redact(f"refused: {check.problem}") if check.problem else "ok",
        )
        for check in checks
    ]
    print(table(header, rows))
    failed = sum(1 for check in checks if check.problem)
    if failed:
        print(f"{failed} of {len(checks)} Page tokens do not work; renew them in Meta's tools.")
        return 1
    return 0
