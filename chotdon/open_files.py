"""How many connections `chotdon serve` may hold open: fewer than the files it may open.

Every connection is a file descriptor, and so is everything else the process needs to keep
working: SQLite's database, journal and shared-memory files for each pooled connection (two
databases), sockets to PostgreSQL, to the Bot API and the carriers (httpx keeps up to 100), the
worker process's pipe, the render pool's pipes, the log. A process that lets connections take
every descriptor can then open nothing else: accepts fail with EMFILE, and so do the database
and `/healthz`. So at start the soft limit is raised to the hard one (the kernel allows that
without privilege; platforms often start processes at 1,024 with a much higher hard limit), and
connections are capped `RESERVED_FILES` and `ACCEPT_BATCH` below it.
"""

from __future__ import annotations

import logging
import resource
from dataclasses import dataclass

log = logging.getLogger(__name__)

# What the rest of the process may hold at once, counted generously (see the docstring): about
# 2 x 15 pooled SQLite connections x 3 files, 100 HTTP client sockets, 30 PostgreSQL sockets.
RESERVED_FILES = 256
# The listener's backlog, which is also how many connections asyncio accepts in one go before
# the first of them can be turned away: the cap must leave room for one such batch.
ACCEPT_BATCH = 128
# Where the hard limit is "unlimited", Linux still refuses a soft limit above `fs.nr_open`.
UNLIMITED_TARGET = 1 << 20


@dataclass(frozen=True)
class FileLimit:
    soft: int
    hard: int
    raised_from: int | None  # the soft limit before start-up raised it, if it did


def raise_soft_limit() -> FileLimit:
    """The soft limit on open files, raised to the hard limit where the kernel lets us."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = UNLIMITED_TARGET if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as error:
            log.warning(
                "open files: could not raise the soft limit %d to %d: %s", soft, target, error
            )
        else:
            return FileLimit(target, hard, raised_from=soft)
    return FileLimit(soft, hard, raised_from=None)


def connection_cap(file_limit: int, wanted: int | None) -> int:
    """At most `wanted` connections (CHOTDON_MAX_CONNECTIONS), and never more than leave
    `RESERVED_FILES` and a batch of accepts (or half of a small limit) to the rest."""
    room = max(file_limit - min(RESERVED_FILES + ACCEPT_BATCH, file_limit // 2), 1)
    return min(wanted, room) if wanted else room


def connection_cap_at_start(wanted: int | None) -> int:
    """Raises the soft limit, derives the cap, and says both in one log line."""
    limit = raise_soft_limit()
    cap = connection_cap(limit.soft, wanted)
    raised = f" (raised from {limit.raised_from})" if limit.raised_from is not None else ""
    lowered = (
        f"; CHOTDON_MAX_CONNECTIONS={wanted} is more than that leaves room for"
        if wanted and wanted > cap
        else ""
    )
    log.info(
        "open files: at most %d%s, hard limit %s; at most %d connections at once%s",
        limit.soft,
        raised,
        "unlimited" if limit.hard == resource.RLIM_INFINITY else limit.hard,
        cap,
        lowered,
    )
    return cap
