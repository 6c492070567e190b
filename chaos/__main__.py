"""`python -m chaos [--short] [--sqlite-only] [--only NAME ...]`: every scenario on SQLite and
PostgreSQL, one line each, a summary table, and exit status 1 on any loss, duplicate or
failed check (also when PostgreSQL does not answer, unless --sqlite-only)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from chaos import (
    mounts,
    scenario_dbdown,
    scenario_disk,
    scenario_kill,
    scenario_poison,
    scenario_slow,
)
from chaos.backends import (
    PostgresBackend,
    PostgresUnavailable,
    SqliteBackend,
    postgres_server_url,
)
from chaos.context import LONG, SHORT, Profile, Run
from chaos.report import Outcome, summary
from chaos.service import kill_everything_started

Scenario = Callable[[Run], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {
    "kill-web": scenario_kill.kill_web,
    "kill-worker": scenario_kill.kill_worker,
    "poison": scenario_poison.run,
    "slow-clients": scenario_slow.run,
    "disk-full": scenario_disk.run,
    "db-down": scenario_dbdown.run,
}
# Only PostgreSQL has a server to cut off; SQLite is a file in the service's own process.
ONLY_ON = {"db-down": "postgresql"}
BACKENDS: list[SqliteBackend | PostgresBackend] = []  # for `entry` to drop what is left


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--short",
        action="store_true",
        default=os.environ.get("CHAOS") == "short",
        help="the CI version: fewer comments and kills, within about two minutes (CHAOS=short)",
    )
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=sorted(SCENARIOS),
        metavar="NAME",
        help=f"run only these: {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    return parser.parse_args(argv)


async def run_backend(
    backend: SqliteBackend | PostgresBackend, names: list[str], profile: Profile, work: Path
) -> list[Outcome]:
    outcomes = []
    try:
        await backend.prepare()
    except PostgresUnavailable as error:
        outcome = Outcome("setup", backend.name)
        outcome.check("PostgreSQL answers", False, f"{error} (give --sqlite-only to skip it)")
        print(outcome.line(), flush=True)
        print("\n".join(outcome.detail_lines()), flush=True)
        return [outcome]
    try:
        for name in names:
            outcomes.append(await run_one(backend, name, profile, work))
    finally:
        with contextlib.suppress(Exception):
            await backend.close()
    return outcomes


async def run_one(
    backend: SqliteBackend | PostgresBackend, name: str, profile: Profile, work: Path
) -> Outcome:
    outcome = Outcome(name, backend.name)
    started = time.monotonic()
    if ONLY_ON.get(name, backend.name) != backend.name:
        outcome.skipped = f"{ONLY_ON[name]} only"
        print(outcome.line(), flush=True)
        return outcome
    folder = work / backend.name / name
    folder.mkdir(parents=True)
    database = None
    run = None
    try:
        database = await backend.fresh(folder / "db", name)
        run = Run(backend, database, folder, profile, outcome)
        await SCENARIOS[name](run)
    except Exception as error:  # a bug of the suite or a dead end: one failed check, go on
        outcome.check("scenario ran to the end", False, f"{type(error).__name__}: {error}")
    finally:
        if run is not None:
            await run.stop_all()
        await mounts.unmount_under(folder)
        if database is not None:
            with contextlib.suppress(Exception):
                await backend.drop(database)
    outcome.seconds = time.monotonic() - started
    print(outcome.line(), flush=True)
    if not outcome.passed:
        print("\n".join(outcome.detail_lines()), flush=True)
        print(f"    logs: {folder}", flush=True)
    return outcome


async def main(args: argparse.Namespace, work: Path) -> list[Outcome]:
    # SIGTERM and SIGHUP stop the run as Ctrl-C does: the scenarios' `finally` blocks stop
    # their services, and `entry` kills whatever is left.
    main_task = asyncio.current_task()
    assert main_task is not None
    for signum in (signal.SIGTERM, signal.SIGHUP):
        asyncio.get_running_loop().add_signal_handler(signum, main_task.cancel)
    profile = SHORT if args.short else LONG
    names = args.only or list(SCENARIOS)
    print(f"chaos ({profile.name}): {', '.join(names)}; work folder {work}", flush=True)
    backends = BACKENDS
    backends.append(SqliteBackend(work))
    if not args.sqlite_only:
        backends.append(PostgresBackend(postgres_server_url()))
    # The backends side by side: much of a scenario is waiting (a 60 s lease after a worker
    # kill, an outage's window), and two at once keep the short version near two minutes.
    results = await asyncio.gather(*(run_backend(b, names, profile, work) for b in backends))
    return [outcome for outcomes in results for outcome in outcomes]


async def _drop_databases() -> None:
    """The databases an interrupted run had not dropped yet."""
    for backend in BACKENDS:
        with contextlib.suppress(Exception):
            await backend.close()


def entry(argv: list[str] | None = None) -> int:
    args = parse(argv)
    work = Path(tempfile.mkdtemp(prefix="chotdon-chaos-"))
    started = time.monotonic()
    outcomes: list[Outcome] = []
    try:
        outcomes = asyncio.run(main(args, work))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("chaos: interrupted; stopping everything it started", file=sys.stderr)
        return 130
    finally:
        kill_everything_started()
        mounts.unmount_all_now()
        asyncio.run(_drop_databases())
        if not args.keep and all(o.passed or o.skipped for o in outcomes) and outcomes:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    print()
    print(summary(outcomes))
    failed = [o for o in outcomes if not (o.passed or o.skipped)]
    print(
        f"\nchaos: {len(outcomes) - len(failed)} of {len(outcomes)} passed or skipped, "
        f"{len(failed)} failed, in {time.monotonic() - started:.0f} s"
        + (f"; logs in {work}" if failed or args.keep else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(entry())
