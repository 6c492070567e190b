"""Where a row of work stands: one enumeration for both background workers.

The inbox processor (`kernel.inbox.processor`) moves a stored webhook body `pending` ->
`processing` -> `done`, or parks it as `failed` for a person; the outbox worker
(`kernel.outbox.worker`) moves a job `pending` -> `running` -> `done`, parks it as `dead`,
or marks it `skipped` when there is nowhere to deliver it (no Page token, no POS URL). The
values are what the databases hold and what `chotdon inbox list` and `outbox list` print, so
they never change; a member is a `str`, so it compares and binds as the text itself.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class WorkStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt (both)
    PROCESSING = "processing"  # an inbox body claimed under a lease
    RUNNING = "running"  # an outbox job claimed under a lease
    DONE = "done"  # applied or delivered (both)
    FAILED = "failed"  # an inbox body parked: it needs a person (`inbox retry`)
    DEAD = "dead"  # an outbox job parked: it needs a person (`outbox retry`)
    SKIPPED = "skipped"  # an outbox job with nowhere to go


INBOX_STATUSES: Final = (
    WorkStatus.PENDING,
    WorkStatus.PROCESSING,
    WorkStatus.DONE,
    WorkStatus.FAILED,
)
OUTBOX_STATUSES: Final = (
    WorkStatus.PENDING,
    WorkStatus.RUNNING,
    WorkStatus.DONE,
    WorkStatus.DEAD,
    WorkStatus.SKIPPED,
)
