"""`chotdon serve`: the whole service in one process, stopped cleanly by SIGTERM or SIGINT.

aiohttp's runner does the stopping: it closes the listening socket, lets requests under way
finish (up to `SHUTDOWN_TIMEOUT_S`), then unwinds the app's `cleanup_ctx`, which stops the
outbox worker after the deliveries it has started and closes the database.
"""

from __future__ import annotations

import logging

from aiohttp import web

from chotdon.app import create_app
from chotdon.migrate import upgrade
from chotdon.settings import Settings

log = logging.getLogger("chotdon.serve")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Platforms send SIGKILL some 30 s after SIGTERM; leave the worker's own wait room after this.
SHUTDOWN_TIMEOUT_S = 10.0


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format=LOG_FORMAT)


def prepare(settings: Settings) -> None:
    """What must hold before the first request: logging, and the schema at its newest."""
    configure_logging()
    if settings.auto_migrate:
        log.info("applying pending migrations")
        upgrade(settings.database_url)
    else:
        log.info("CHOTDON_AUTO_MIGRATE=0: the schema is left as it is")


def run(settings: Settings, *, host: str, port: int) -> None:
    """Serve until SIGTERM or SIGINT, then stop as the module docstring says."""
    web.run_app(
        create_app(settings),
        host=host,
        port=port,
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
        print=_announce,
    )
    log.info("stopped")


def _announce(message: str) -> None:
    """aiohttp's banner, as one log line like every other."""
    log.info("%s", message.splitlines()[0].strip("= "))
