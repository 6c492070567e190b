"""An outbox worker that freezes mid-delivery, for the test that kills it with SIGKILL.

Usage: python tests/outbox_child.py DATABASE_URL MARKER_FILE LEASE_SECONDS

The handler writes the job id to MARKER_FILE and then blocks the whole process with a plain
sleep, not an `await`: the worker's own handler timeout cannot fire, so the test decides
alone when the delivery stops, the way a crash or an OOM kill would.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta
from pathlib import Path

from kernel.database import create_engine, session_factory
from kernel.outbox.worker import Delivery, OutboxWorker

KIND = "test.frozen"
WORKER_NAME = "frozen-child"


def _freeze(marker: Path, job_id: int) -> None:
    """Blocking on purpose: nothing else in this process may run from here on."""
    marker.write_text(str(job_id))
    time.sleep(3600)


async def main(database_url: str, marker: Path, lease_seconds: float) -> None:
    engine = create_engine(database_url)

    async def freeze(delivery: Delivery) -> None:
        _freeze(marker, delivery.id)

    worker = OutboxWorker(
        session_factory(engine),
        {KIND: freeze},
        name=WORKER_NAME,
        lease=timedelta(seconds=lease_seconds),
        poll_interval=0.05,
    )
    await worker.run(asyncio.Event())


if __name__ == "__main__":
    url, marker_file, lease = sys.argv[1:4]
    asyncio.run(main(url, Path(marker_file), float(lease)))
