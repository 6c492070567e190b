"""The render worker pool when the process that owns it is killed outright: a real service
process, SIGKILLed, must leave no render worker behind."""

from __future__ import annotations

import os
import select
import subprocess
import sys

from tests.database.test_render_api import (
    DEADLINE_S,
)

PRINT_ONCE_AND_WAIT = """
import asyncio, multiprocessing, sys
from application.print_jobs import PrintRequest
from application.printing import open_printer
from application.print_jobs import PrintRequest
from orders.errors import NotFound
from render.document import Shop

async def main():
    async with open_printer() as printer:
        request = PrintRequest(sys.argv[1], 1, "bill", "png", "80mm", "vi", Shop(), "allow_viewing")
        try:
            await printer.order(request)
        except NotFound:  # an empty shop: the worker started, read, and said so
            pass
        print(*[child.pid for child in multiprocessing.active_children()], flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""


def test_render_workers_end_when_the_service_is_killed_outright(sqlite_url: str) -> None:
    """SIGKILL gives the service no chance to stop its pool; the worker must not linger."""
    service = subprocess.Popen(
        [sys.executable, "-c", PRINT_ONCE_AND_WAIT, sqlite_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the resource tracker reports the killed one's semaphores
        text=True,
    )
    try:
        assert service.stdout is not None
        workers = [int(pid) for pid in service.stdout.readline().split()]
        assert workers, "the service drew its bill without a worker process"
        watches = [os.pidfd_open(pid) for pid in workers]
    finally:
        service.kill()
        service.wait()
    for watch in watches:  # a pidfd turns readable when its process has exited
        readable, _, _ = select.select([watch], [], [], DEADLINE_S)
        os.close(watch)
        assert readable, "a render worker outlived the service"
