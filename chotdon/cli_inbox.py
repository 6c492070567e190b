"""`chotdon inbox list [--failed]`, `chotdon inbox retry ID`: the webhook bodies a person must
look at (failed ones keep their error), and putting one back once its cause is fixed."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from chotdon.cli_output import CliError, clip, table
from kernel.inbox.processor import list_messages, retry_message
from kernel.inbox.tables import InboxMessage
from kernel.work_status import WorkStatus

LIST_LIMIT = 100


def add_commands(commands: Any, on_database: Callable[..., Any]) -> None:
    """Add the `inbox` subcommands to the `chotdon` parser."""
    inbox = commands.add_parser("inbox", help="webhook bodies received").add_subparsers(
        dest="inbox_command", required=True, metavar="ACTION"
    )
    listing = inbox.add_parser("list", help="the newest bodies and how processing went")
    listing.add_argument("--failed", action="store_true", help="only those that need a person")
    listing.set_defaults(run=on_database(_list))
    retry = inbox.add_parser("retry", help="process a failed body again")
    retry.add_argument("message_id", type=int, metavar="ID")
    retry.set_defaults(run=on_database(_retry))


async def _list(session: AsyncSession, args: argparse.Namespace) -> str:

    messages = await list_messages(
        session, (WorkStatus.FAILED,) if args.failed else None, LIST_LIMIT
    )
    if not messages:
        return "No failed webhook bodies." if args.failed else "No webhook bodies yet."
    header = ("ID", "SOURCE", "STATUS", "ATTEMPTS", "RECEIVED", "LAST_ERROR")
    text = table(header, [_row(message) for message in messages])
    if len(messages) == LIST_LIMIT:
        text += f"\n(the newest {LIST_LIMIT} only)"
    return text


def _row(message: InboxMessage) -> tuple[str, ...]:

    error = (message.last_error or "").strip().splitlines()
    return (
        str(message.id),
        message.source,
        message.status,
        str(message.attempts),
        message.received_at.strftime("%Y-%m-%d %H:%M:%SZ"),
        clip(error[0], 80) if error else "-",
    )


async def _retry(session: AsyncSession, args: argparse.Namespace) -> str:

    message = await session.get(InboxMessage, args.message_id)
    if message is None:
        raise CliError(f"There is no inbox body {args.message_id}.")
    status = message.status
    if not await retry_message(session, args.message_id):
        raise CliError(
            f"Inbox body {args.message_id} is {status}: only failed ones can be retried."
        )
    return f"Inbox body {args.message_id} ({message.source}) is queued again."
