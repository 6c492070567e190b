"""`chotdon live open/close/list` and `chotdon simulate FILE.jsonl`.

`simulate` plays a recorded livestream into a running service through its public door, signed
webhooks, so a demo or a load test exercises exactly what Facebook would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from application.live_sessions import (
    FACEBOOK,
    PLATFORMS,
    claim_page,
    close_session,
    codes_of,
    list_sessions,
    open_session,
    parse_codes,
)
from chotdon.cli_output import CliError, table
from chotdon.errors import StartupError
from chotdon.facebook_pages import known_page_ids, only_page_id
from chotdon.settings import Settings
from kernel.http import signatures
from livestream.simulate import (
    DEFAULT_PAGE_ID,
    SimulatedComment,
    read_comment,
    webhook_body,
)

DEFAULT_CONCURRENCY = 4
REQUEST_TIMEOUT_S = 30.0
SHOWN_CODES = 8


def add_commands(commands: Any, on_database: Any) -> None:
    """Add the `live` and `simulate` subcommands to the `chotdon` parser."""
    live = commands.add_parser("live", help="live sessions and their short codes").add_subparsers(
        dest="live_command", required=True, metavar="ACTION"
    )
    open_ = live.add_parser("open", help="create or update a live session and open ordering")
    open_.add_argument("video_id", metavar="VIDEO_ID")
    open_.add_argument("--title")
    open_.add_argument(
        "--codes", help="codes for this live: A1=SKU1,B3=SKU2; A1=SKU1:20 sells at most 20"
    )
    open_.add_argument("--default-code", help="what a comment with no code orders")
    open_.add_argument("--max-qty", type=int, help="a larger number is not a quantity")
    open_.add_argument(
        "--platform",
        choices=PLATFORMS,
        help="where the live is: facebook (the default for a new live; VIDEO_ID is the video) "
        "or instagram (VIDEO_ID is the live's media id); unset keeps an existing live's",
    )
    open_.add_argument(
        "--page",
        metavar="PAGE_ID",
        help="the Page the live is on (one of FACEBOOK_PAGES / FACEBOOK_PAGE_ID); its token "
        "hides and answers; default: the Page Facebook names, or the only one configured",
    )
    open_.set_defaults(run=_with_page(on_database(_open)))
    close = live.add_parser("close", help="stop ordering: later comments are kept, flagged late")
    close.add_argument("video_id", metavar="VIDEO_ID")
    close.set_defaults(run=on_database(_close))
    live.add_parser("list", help="list live sessions").set_defaults(run=on_database(_list))

    simulate = commands.add_parser(
        "simulate", help="post comments from a JSONL file to the service as Facebook webhooks"
    )
    simulate.add_argument("file", type=Path, metavar="FILE.jsonl")
    simulate.add_argument(
        "--url",
        help="the service's base URL; default CHOTDON_PUBLIC_URL, else http://127.0.0.1:$PORT "
        "(8080 without PORT), where `chotdon serve` listens",
    )
    simulate.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="requests at once"
    )
    simulate.set_defaults(run=_simulate)


def _mistake(message: str) -> Exception:

    return CliError(message)


def _with_page(run: Any) -> Any:
    """`--page` checked against the configured Pages before the database is touched; the only
    Page is the default for a live that has none yet."""

    def checked(settings: Settings, args: argparse.Namespace) -> int:
        known = known_page_ids(settings)
        page = (args.page or "").strip() or None
        if page is not None and page not in known:
            configured = ", ".join(sorted(known)) or "none"
            raise _mistake(
                f"Page {page} is not configured (configured Pages: {configured}); "
                "add it to FACEBOOK_PAGES as PAGE_ID:TOKEN."
            )
        args.page, args.only_page = page, only_page_id(settings)
        return int(run(settings, args))

    return checked


async def _open(session: AsyncSession, args: argparse.Namespace) -> str:
    live = await open_session(
        session,
        args.video_id,
        title=args.title,
        codes=parse_codes(args.codes or ""),
        default_code=args.default_code,
        max_qty=args.max_qty,
        page_id=getattr(args, "page", None),
        platform=args.platform,
    )
    claim_page(live, getattr(args, "only_page", None))
    codes = await codes_of(session, live)
    shown = [f"{c.code}={c.sku}" + (f":{c.cap}" if c.cap is not None else "") for c in codes]
    if len(shown) > SHOWN_CODES:
        shown = [*shown[:SHOWN_CODES], f"and {len(shown) - SHOWN_CODES} more"]
    default = f"; default code {live.default_code}" if live.default_code else ""
    which = "Instagram live" if live.platform != FACEBOOK else "Live"
    page = f" on Page {live.page_id}" if live.page_id else ""
    return (
        f"{which} {live.video_id}{page} is open for orders: {len(codes)} codes "
        f"({', '.join(shown) or 'none'}){default}; max quantity {live.max_qty}."
    )


async def _close(session: AsyncSession, args: argparse.Namespace) -> str:
    live = await close_session(session, args.video_id)
    return f"Ordering is closed for live {live.video_id}; later comments are kept, flagged late."


async def _list(session: AsyncSession, _args: argparse.Namespace) -> str:

    lives = await list_sessions(session)
    if not lives:
        return "No live sessions yet: chotdon live open VIDEO_ID"
    header = ("VIDEO_ID", "PAGE", "ORDERING", "CODES", "COMMENTS", "ORDERS", "DRAFTS", "TITLE")
    rows = [
        (
            live.video_id,
            live.page_id or "-",
            "open" if live.ordering_open else "closed",
            str(len(live.codes)),
            str(live.comments),
            str(live.orders),
            str(live.drafts),
            live.title or "-",
        )
        for live in lives
    ]
    return table(header, rows)


@dataclass
class Tally:
    accepted: int = 0
    refused: int = 0
    first_refusal: str = ""


def _simulate(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.facebook_app_secret:
        raise StartupError("FACEBOOK_APP_SECRET: is not set; simulate signs each webhook with it")
    if not 1 <= args.concurrency <= 64:
        raise _mistake("--concurrency must be between 1 and 64.")
    comments = _read_file(args.file)
    url = (args.url or settings.service_url()).rstrip("/") + "/webhooks/facebook"
    # As the configured Page would send them; with several, the first of FACEBOOK_PAGES.
    listed = next(iter(settings.facebook_page_tokens()), None)
    page_id = settings.facebook_page_id or listed or DEFAULT_PAGE_ID
    tally = asyncio.run(
        post_comments(comments, url, settings.facebook_app_secret, page_id, args.concurrency)
    )
    if tally.refused:
        raise _mistake(
            f"{tally.refused} of {len(comments)} comments were refused by {url} "
            f"(first: {tally.first_refusal}); {tally.accepted} accepted."
        )
    print(f"Posted {len(comments)} comments to {url}: {tally.accepted} accepted.")
    return 0


def _read_file(path: Path) -> list[SimulatedComment]:
    """Every line checked before the first is sent, so a typo does not leave half a live."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise _mistake(f"Cannot read {path}: {reason}.") from None
    comments = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            comments.append(read_comment(json.loads(line)))
        except ValueError as error:
            reason = "not JSON" if isinstance(error, json.JSONDecodeError) else str(error)
            raise _mistake(f"{path.name} line {number}: {reason}.") from None
    if not comments:
        raise _mistake(f"{path.name} holds no comments.")
    return comments


async def post_comments(
    comments: Sequence[SimulatedComment], url: str, secret: str, page_id: str, lanes: int
) -> Tally:
    """Post each comment as its own signed webhook to `url`, `lanes` requests at a time.

    A buyer's comments go one after another down the same lane, so each buyer's order, edit
    and cancel arrive in the order they were written, as they would from Facebook."""
    queues: list[list[SimulatedComment]] = [[] for _ in range(lanes)]
    for comment in comments:
        queues[hash(comment.from_id) % lanes].append(comment)
    tally = Tally()
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S) as client:
        outcomes = await asyncio.gather(
            *(_post_lane(client, queue, url, secret, page_id, tally) for queue in queues),
            return_exceptions=True,
        )
    for outcome in outcomes:
        if isinstance(outcome, httpx.TransportError):
            reason = str(outcome) or type(outcome).__name__
            raise _mistake(f"Cannot reach {url}: {reason}.")
        if isinstance(outcome, BaseException):
            raise outcome
    return tally


async def _post_lane(
    client: httpx.AsyncClient,
    comments: Sequence[SimulatedComment],
    url: str,
    secret: str,
    page_id: str,
    tally: Tally,
) -> None:
    for comment in comments:
        body = webhook_body([comment], page_id=page_id)
        headers = {
            "Content-Type": "application/json",
            signatures.HEADER: signatures.sign(secret, body),
        }
        response = await client.post(url, content=body, headers=headers)
        if response.status_code == 200:
            tally.accepted += 1
        else:
            tally.refused += 1
            tally.first_refusal = (
                tally.first_refusal or f"{response.status_code} {response.text[:80]}"
            )
