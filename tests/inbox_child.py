"""The service in a process of its own, for the tests that kill it with SIGKILL.

Usage: python tests/inbox_child.py MODE DATABASE_URL PORT APP_SECRET MARKER_FILE

- `store-only`: the real app, receiving and storing, with no processor: every acknowledged
  body is still waiting when the process dies.
- `freeze`: a processor whose handler writes MARKER_FILE and then blocks the whole process
  with a plain sleep (not an `await`), the way a crash or an OOM kill catches it mid-body.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from chotdon.settings import Settings
from kernel.inbox.processor import InboxItem, InboxProcessor, each

PROCESSOR_NAME = "frozen-child"
LEASE = timedelta(seconds=1)


def build(mode: str, database_url: str, secret: str, marker: Path) -> web.Application:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        inbox_database_url=database_url,  # the tests read the inbox in the same database
        facebook_app_secret=secret,
    )
    app = create_app(settings, run_worker=False, run_inbox=False)
    if mode == "freeze":

        async def freeze(_session: object, item: InboxItem) -> None:
            marker.write_text(str(item.id))  # noqa: ASYNC240 (blocking on purpose)
            time.sleep(3600)  # noqa: ASYNC251 (freezes the whole process on purpose)

        async def frozen_processor(app: web.Application) -> AsyncIterator[None]:
            processor = InboxProcessor(
                app[RUNTIME].sessions,
                {"facebook": each(freeze)},
                name=PROCESSOR_NAME,
                lease=LEASE,
                poll_interval=0.05,
            )
            task = asyncio.create_task(processor.run(asyncio.Event()))
            yield
            task.cancel()

        app.cleanup_ctx.append(frozen_processor)
    return app


if __name__ == "__main__":
    mode, url, port, secret, marker_file = sys.argv[1:6]
    web.run_app(build(mode, url, secret, Path(marker_file)), host="127.0.0.1", port=int(port))
