"""`chotdon cod import FILE`: reconcile a carrier's COD statement (CSV or XLSX) from a shell,
exactly as the staff page and `POST /api/cod-statements` do (`application.cod_statements`).

Like `chotdon items import`, it does not run in one transaction: the rows are reconciled a
chunk at a time, so a large statement does not stop the running service. The report is printed
in `CHOTDON_LANGUAGE`, the shop's language, since the cashier reads it; a file that cannot be
read ends as one line on stderr and exit status 1, with nothing written.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from application.cod_files import MAX_BYTES, TOO_LARGE, StatementRefused
from application.cod_statements import StatementReport, import_statement
from application.services import OrderService
from application.wording.statements import heading, money, reason_text, refusal_text
from chotdon.cli_output import CliError
from chotdon.migrate import upgrade_all
from chotdon.settings import Settings
from kernel.database import create_engine, session_factory
from orders.actors import Actor

ACTOR = Actor.system("chotdon cod import")
DatabaseErrors = Callable[[], AbstractContextManager[None]]


def add_commands(
    commands: Any, database_errors: Callable[[], AbstractContextManager[None]]
) -> None:
    """Add `cod import` to the `chotdon` parser; `database_errors` is the CLI's translation of
    an unreachable database into one line."""
    cod = commands.add_parser("cod", help="carriers' COD statements").add_subparsers(
        dest="cod_command", required=True, metavar="ACTION"
    )
    import_ = cod.add_parser(
        "import", help="reconcile a carrier's COD statement (CSV or XLSX) with the COD debt"
    )
    import_.add_argument("file", type=Path, metavar="FILE")

    def run(settings: Settings, args: argparse.Namespace) -> int:
        return _import(settings, args, database_errors)

    import_.set_defaults(run=run)


def _import(
    settings: Settings,
    args: argparse.Namespace,
    database_errors: DatabaseErrors,
) -> int:
    path: Path = args.file
    language = settings.language
    data = _read(path, language)
    with database_errors():
        if settings.auto_migrate:
            upgrade_all(settings.database_url, settings.inbox_url)
        try:
            report = asyncio.run(_reconcile(settings.database_url, data, path.name))
        except StatementRefused as refused:
            reason = refusal_text(refused.reason, refused.params, language)
            raise CliError(
                heading("refused_file", language, filename=path.name, reason=reason)
            ) from None
    print("\n".join(report_lines(report, language)))
    return 0


def _read(path: Path, language: str) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:  # refused before it is read whole
            reason = refusal_text(TOO_LARGE, {"limit": MAX_BYTES}, language)
            raise CliError(heading("refused_file", language, filename=path.name, reason=reason))
        return path.read_bytes()
    except OSError as error:
        raise CliError(f"Cannot read {path}: {error.strerror}.") from None


async def _reconcile(url: str, data: bytes, filename: str) -> StatementReport:
    engine = create_engine(url)
    try:
        return await import_statement(OrderService(session_factory(engine)), data, filename, ACTOR)
    finally:
        await engine.dispose()


def report_lines(report: StatementReport, language: str) -> list[str]:
    """The summary, then one line per row that needs a person: what the page shows."""
    lines = [
        heading(
            "summary",
            language,
            filename=report.filename,
            matched=len(report.matched),
            collected=money(report.collected, language),
            fees=money(report.fees, language),
            already=len(report.already),
            mismatched=len(report.mismatched),
            unknown=len(report.unknown),
            missing=len(report.missing),
        )
    ]
    lines.extend(_section("mismatched", _mismatched(report, language), language))
    lines.extend(_section("unknown", _unknown(report, language), language))
    lines.extend(_section("missing", _missing(report, language), language))
    return lines


def _section(name: str, rows: list[str], language: str) -> Iterator[str]:
    if rows:
        yield ""
        yield f"{heading(name, language)} ({len(rows)}):"
        yield from (f"  {row}" for row in rows)


def _mismatched(report: StatementReport, language: str) -> list[str]:
    return [
        f"{heading('line', language, line=item.line)}  {item.tracking_code}"
        f"{'  ' + item.code if item.code else ''}  {reason_text(item.reason, language)}: "
        + heading(
            "expected_got",
            language,
            expected=money(item.expected, language),
            got=money(item.got, language),
        )
        for item in report.mismatched
    ]


def _unknown(report: StatementReport, language: str) -> list[str]:
    return [
        f"{heading('line', language, line=item.line)}  {item.tracking_code or '-'}  "
        f"{reason_text(item.reason, language, item.problem)}"
        + (f" ({item.value})" if item.problem and item.value else "")
        for item in report.unknown
    ]


def _missing(report: StatementReport, language: str) -> list[str]:
    return [
        f"{item.tracking_code or '-'}  {item.code}  {reason_text(item.reason, language)}: "
        + heading("expected", language, expected=money(item.expected, language))
        for item in report.missing
    ]
