"""The `chotdon` command: run the service and look after its data from a shell.

Every failure a person can fix (a bad setting, a wrong role, a bad CSV line, an unreachable
database) ends as one line on stderr and a non-zero exit: 2 for settings, 1 for the rest.
Tracebacks are kept for bugs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from application.catalog_import import Imported, import_catalog
from application.wording.refusals import describe
from chotdon import cli_inbox, cli_live, cli_pages
from chotdon.cli_cod import add_commands as add_cod_commands
from chotdon.cli_output import CliError, clip, either, table
from chotdon.errors import StartupError
from chotdon.migrate import upgrade_all
from chotdon.settings import DEFAULT_PORT, Settings, load_settings
from kernel.database import create_engine, session_factory
from kernel.outbox.jobs import OutboxJob
from kernel.outbox.worker import list_jobs, retry_job
from kernel.work_status import OUTBOX_STATUSES, WorkStatus
from orders.catalog import ItemRow, parse_items_csv
from orders.errors import OrderError
from orders.staff import add_staff, find_staff, list_staff, remove_staff

DEFAULT_HOST = "127.0.0.1"
NEEDS_A_PERSON = (WorkStatus.PENDING, WorkStatus.RUNNING, WorkStatus.DEAD, WorkStatus.SKIPPED)
LIST_LIMIT = 100

Work = Callable[[AsyncSession, argparse.Namespace], Awaitable[str]]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        return args.run(settings, args)
    except StartupError as error:
        return _fail(str(error), 2)
    except OrderError as error:
        return _fail(describe(error, "en"), 1)  # the operator's words, not the shop's
    except CliError as error:
        return _fail(str(error), 1)
    except OSError as error:  # e.g. the port is taken
        return _fail(str(error), 1)
    except KeyboardInterrupt:
        return 130


def _fail(message: str, code: int) -> int:
    print(f"chotdon: {message}", file=sys.stderr)
    return code


@contextmanager
def _database_errors() -> Iterator[None]:
    """An unreachable server or a missing schema, in the driver's own words (SQLAlchemy's
    wrapper adds the SQL and a help link), with the fix when there is one."""
    try:
        yield
    except (DBAPIError, OSError) as error:
        cause = error.orig if isinstance(error, DBAPIError) and error.orig else error
        text = (str(cause).strip() or type(cause).__name__).splitlines()[0]
        if "no such table" in text or type(cause).__name__ == "UndefinedTableError":
            text += " (run: chotdon db upgrade)"
        raise CliError(f"database error: {text}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chotdon", description="Livestream comments to orders, finished in Telegram."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="run the whole service (HTTP here, workers in a child process)"
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"default {DEFAULT_HOST}")
    serve.add_argument("--port", type=int, help=f"default $PORT, else {DEFAULT_PORT}")
    serve.set_defaults(run=_serve)

    # Not for people: `serve` starts it as its worker process.
    commands.add_parser("work").set_defaults(run=_work)

    db = commands.add_parser("db", help="the database schema").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    db.add_parser("upgrade", help="apply pending migrations").set_defaults(run=_db_upgrade)

    staff = commands.add_parser("staff", help="who may act on orders").add_subparsers(
        dest="staff_command", required=True, metavar="ACTION"
    )
    add = staff.add_parser("add", help="add a staff member, or change their name and role")
    add.add_argument("telegram_id", type=int, metavar="TELEGRAM_USER_ID")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, help="manager, cashier or sales")
    add.set_defaults(run=_on_database(_staff_add))
    staff.add_parser("list", help="list staff").set_defaults(run=_on_database(_staff_list))
    remove = staff.add_parser("remove", help="take away a staff member's right to act")
    remove.add_argument("telegram_id", type=int, metavar="TELEGRAM_USER_ID")
    remove.set_defaults(run=_on_database(_staff_remove))

    login = commands.add_parser(
        "login-link", help="print a one-time link (15 minutes) signing a staff member in to the web"
    )
    login.add_argument("telegram_id", type=int, metavar="TELEGRAM_USER_ID")
    login.set_defaults(run=_login_link)

    items = commands.add_parser("items", help="the item catalog").add_subparsers(
        dest="items_command", required=True, metavar="ACTION"
    )
    import_ = items.add_parser("import", help="create or update items (by sku) from a CSV")
    import_.add_argument("file", type=Path, metavar="FILE.csv")
    import_.set_defaults(run=_items_import)

    outbox = commands.add_parser("outbox", help="side effects owed to the outside").add_subparsers(
        dest="outbox_command", required=True, metavar="ACTION"
    )
    jobs = outbox.add_parser("list", help="jobs that are queued, running or need a person")
    which = jobs.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="include delivered jobs")
    which.add_argument("--status", choices=[status.value for status in OUTBOX_STATUSES])
    jobs.set_defaults(run=_on_database(_outbox_list))
    retry = outbox.add_parser("retry", help="queue a dead or skipped job again")
    retry.add_argument("job_id", type=int, metavar="ID")
    retry.set_defaults(run=_on_database(_outbox_retry))
    cli_inbox.add_commands(commands, _on_database)
    cli_live.add_commands(commands, _on_database)
    cli_pages.add_commands(commands)
    add_cod_commands(commands, _database_errors)
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    # Imported here: the app pulls in every adapter, which database chores do not need.
    from chotdon import serve

    with _database_errors():
        serve.prepare(settings)
    serve.run(settings, host=args.host, port=args.port or settings.port or DEFAULT_PORT)
    return 0


def _work(settings: Settings, _args: argparse.Namespace) -> int:
    from chotdon import serve  # as in `_serve`

    serve.work(settings)
    return 0


def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    with _database_errors():
        upgrade_all(settings.database_url, settings.inbox_url)
    print("The database schema is up to date.")
    return 0


def _on_database(work: Work) -> Callable[[Settings, argparse.Namespace], int]:
    """Run `work` in one transaction on a fresh engine, migrating first so that a newcomer's
    first command works on an empty SQLite file. Output is printed only after the commit."""

    def run(settings: Settings, args: argparse.Namespace) -> int:
        with _database_errors():
            if settings.auto_migrate:
                upgrade_all(settings.database_url, settings.inbox_url)
            output = asyncio.run(_in_transaction(settings.database_url, work, args))
        print(output)
        return 0

    return run


async def _in_transaction(url: str, work: Work, args: argparse.Namespace) -> str:
    engine = create_engine(url)
    try:
        async with session_factory(engine).begin() as session:
            return await work(session, args)
    finally:
        await engine.dispose()


async def _staff_add(session: AsyncSession, args: argparse.Namespace) -> str:
    known = await find_staff(session, args.telegram_id) is not None
    staff = await add_staff(session, args.telegram_id, args.name, args.role)
    verb = "Updated" if known else "Added"
    return f"{verb} {staff.name} ({staff.role}), Telegram id {staff.telegram_id}."


async def _staff_list(session: AsyncSession, _args: argparse.Namespace) -> str:
    people = await list_staff(session)
    if not people:
        return "No staff yet: chotdon staff add TELEGRAM_USER_ID --name NAME --role manager"
    return table(
        ("TELEGRAM_ID", "ROLE", "NAME"), [(str(p.telegram_id), p.role, p.name) for p in people]
    )


async def _staff_remove(session: AsyncSession, args: argparse.Namespace) -> str:
    if not await remove_staff(session, args.telegram_id):
        raise CliError(f"No staff member has Telegram id {args.telegram_id}.")
    return f"Removed Telegram id {args.telegram_id} from staff."


def _login_link(settings: Settings, args: argparse.Namespace) -> int:
    """The link is built on `CHOTDON_PUBLIC_URL`, so the work needs the settings too."""
    # Imported here, like `serve`: only this command needs the web sign-in tables' code.
    from application.web_logins import NotStaff, issue_login_link, login_url

    async def work(session: AsyncSession, args: argparse.Namespace) -> str:
        try:
            token = await issue_login_link(session, args.telegram_id)
        except NotStaff:
            raise CliError(
                f"No staff member has Telegram id {args.telegram_id}: add them first with "
                f"chotdon staff add {args.telegram_id} --name NAME --role ROLE."
            ) from None
        return login_url(settings.service_url(), token)

    return _on_database(work)(settings, args)


def _items_import(settings: Settings, args: argparse.Namespace) -> int:
    """Not in one transaction like the other commands: the rows are written a chunk at a time
    (`application.catalog_import`), so a large file does not stop the running service."""
    path: Path = args.file
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise CliError(f"Cannot read {path}: {reason}.") from None
    with _database_errors():
        if settings.auto_migrate:
            upgrade_all(settings.database_url, settings.inbox_url)
        result = asyncio.run(_import_rows(settings.database_url, parse_items_csv(text)))
    counts = f"{result.created} created, {result.updated} updated"
    if result.stop is not None:
        raise CliError(
            f"Imported {result.saved} of {result.total} items from {path.name} ({counts}), "
            f"then stopped at item {result.stop.row}: {result.stop.detail}. Run the same "
            "command again to finish: items are matched by SKU."
        )
    print(f"Imported {path.name}: {counts}.")
    return 0


async def _import_rows(url: str, rows: list[ItemRow]) -> Imported:
    engine = create_engine(url)
    try:
        return await import_catalog(session_factory(engine), rows)
    finally:
        await engine.dispose()


async def _outbox_list(session: AsyncSession, args: argparse.Namespace) -> str:
    statuses = None if args.all else (args.status,) if args.status else NEEDS_A_PERSON
    jobs = await list_jobs(session, statuses, limit=LIST_LIMIT)
    if not jobs:
        return f"No outbox jobs are {either(statuses)}." if statuses else "No outbox jobs."
    rows = [_job_row(job) for job in jobs]
    text = table(("ID", "KIND", "STATUS", "ATTEMPTS", "NEXT_ATTEMPT", "LAST_ERROR"), rows)
    if len(jobs) == LIST_LIMIT:
        text += f"\n(the newest {LIST_LIMIT} only)"
    return text


def _job_row(job: OutboxJob) -> tuple[str, ...]:
    waiting = job.status in (WorkStatus.PENDING, WorkStatus.RUNNING)
    due = job.locked_until if job.status == WorkStatus.RUNNING else job.next_attempt_at
    error = (job.last_error or "").strip().splitlines()
    return (
        str(job.id),
        job.kind,
        job.status,
        f"{job.attempts}/{job.max_attempts}",
        due.strftime("%Y-%m-%d %H:%M:%SZ") if waiting and due else "-",
        clip(error[0], 80) if error else "-",
    )


async def _outbox_retry(session: AsyncSession, args: argparse.Namespace) -> str:
    job = await session.get(OutboxJob, args.job_id)
    if job is None:
        raise CliError(f"There is no outbox job {args.job_id}.")
    status = job.status
    if not await retry_job(session, args.job_id):
        raise CliError(
            f"Outbox job {args.job_id} is {status}: only dead or skipped jobs can be retried."
        )
    return f"Outbox job {args.job_id} ({job.kind}) is queued again."
