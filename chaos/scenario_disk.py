"""A full disk: on SQLite the database folder is a size-capped tmpfs filled with a ballast
file; on PostgreSQL (no disk of ours to fill) the database is made read-only
(`default_transaction_read_only`, and the service's connections are ended so it reconnects
into it). Webhooks must answer 503 rather than 200 and then lose the comment, /healthz 503;
once mended, /healthz 200 again, the refused comments are accepted when sent again, and
everything acknowledged becomes a draft."""

from __future__ import annotations

import asyncio
import contextlib

from chaos import mounts
from chaos.context import Run
from chaos.outage import outage

TMPFS_BYTES = 64 * 1024 * 1024
WINDOW_S = 10.0


async def run(run: Run) -> None:
    if run.backend.name == "postgresql":
        await _read_only(run)
    else:
        await _full_tmpfs(run)


async def _full_tmpfs(run: Run) -> None:
    disk = run.folder / "tmpfs"
    refused = await asyncio.to_thread(mounts.mount_tmpfs, disk, TMPFS_BYTES)
    if refused:
        run.outcome.skipped = (
            f"mounting a tmpfs was refused ({refused}); the read-only fallback runs on PostgreSQL"
        )
        return
    run.database = await run.backend.fresh(disk / "db", run.outcome.scenario)
    run.outcome.notes.append(f"tmpfs of {TMPFS_BYTES >> 20} MiB")
    service = run.service()
    if not await run.start(service):
        return
    ballast = disk / "ballast"

    async def fill() -> None:
        await asyncio.to_thread(mounts.fill, disk)

    async def empty() -> None:
        with contextlib.suppress(FileNotFoundError):
            ballast.unlink()

    await outage(run, service, what="the disk is full", window_s=WINDOW_S, breaks=fill, mends=empty)


async def _read_only(run: Run) -> None:
    backend, name = run.backend, run.database.name
    assert hasattr(backend, "admin") and name
    run.outcome.notes.append("PostgreSQL: read-only database instead of a full disk")
    service = run.service()
    if not await run.start(service):
        return

    async def reconnect() -> None:
        await backend.admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            f" WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )

    async def read_only() -> None:
        await backend.admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        await reconnect()

    async def writable() -> None:
        await backend.admin(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        await reconnect()

    await outage(
        run,
        service,
        what="the database is read-only",
        window_s=WINDOW_S,
        breaks=read_only,
        mends=writable,
    )
