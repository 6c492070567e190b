"""The outbox when a worker process is SIGKILLed mid-delivery: another worker delivers the job
once the lease is over (the child is `tests/outbox_child.py`)."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import timedelta
from pathlib import Path

from kernel.outbox.worker import (
    Delivery,
)
from kernel.tables import utcnow
from tests import outbox_child
from tests.database.test_outbox import (
    eventually,
    exists,
    job_status_is,
    load,
    queue,
    quick_worker,
    running,
)
from tests.helpers import DEADLINE_S


async def test_a_job_whose_worker_was_killed_is_delivered_by_another_after_the_lease(
    db_url, sessions, tmp_path: Path
):
    lease = timedelta(seconds=1)
    job_id = await queue(sessions, "order-3:card", kind=outbox_child.KIND)
    marker = tmp_path / "started"
    child = await asyncio.create_subprocess_exec(
        sys.executable, outbox_child.__file__, db_url, str(marker), str(lease.total_seconds())
    )
    try:
        await eventually(lambda: exists(marker), "the child started delivering")
    finally:
        child.send_signal(signal.SIGKILL)
        await asyncio.wait_for(child.wait(), timeout=DEADLINE_S)

    frozen = await load(sessions, job_id)
    assert (frozen.status, frozen.locked_by, frozen.attempts) == (
        "running",
        outbox_child.WORKER_NAME,
        1,
    )
    delivered: list[Delivery] = []
    delivered_at = []

    async def record(delivery: Delivery) -> None:
        delivered.append(delivery)
        delivered_at.append(utcnow())

    rescuer = quick_worker(sessions, {outbox_child.KIND: record}, name="rescuer", lease=lease)
    async with running(rescuer):
        await eventually(lambda: job_status_is(sessions, job_id, "done"), "job redelivered")

    assert [(d.id, d.attempt) for d in delivered] == [(job_id, 2)]
    assert frozen.locked_until is not None and delivered_at[0] >= frozen.locked_until
    job = await load(sessions, job_id)
    assert (job.status, job.attempts, job.locked_by) == ("done", 2, None)
