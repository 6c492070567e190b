"""`chotdon serve`: the whole service from one command, stopped cleanly by SIGTERM or SIGINT.

The HTTP side runs here; the inbox processor and the outbox worker run in a child process of
this one (`chotdon.worker_process`; `CHOTDON_WORKER_PROCESS=0` keeps them in this process).
aiohttp's runner does the stopping: it closes the listening socket, lets requests under way
finish (up to `SHUTDOWN_TIMEOUT_S`), then unwinds the app's `cleanup_ctx`, which stops the
workers after the work they have started and closes the databases. Connections are bounded
(`chotdon.connections`): a deadline for reading each request, and a cap below the file limit.
"""

from __future__ import annotations

import functools
import logging

from chotdon import demo, log_redaction
from chotdon.access_log import AccessLog
from chotdon.app import create_app
from chotdon.connections import ConnectionLimits
from chotdon.http_server import serve_app
from chotdon.migrate import upgrade_all
from chotdon.open_files import connection_cap_at_start
from chotdon.settings import Settings
from chotdon.worker_process import run_child

log = logging.getLogger("chotdon.serve")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Platforms send SIGKILL some 30 s after SIGTERM; leave the worker's own wait room after this.
SHUTDOWN_TIMEOUT_S = 10.0


def configure_logging(settings: Settings | None = None, level: int = logging.INFO) -> None:
    """Lines on stderr, none of them showing a secret (`chotdon.log_redaction`): URL-logging
    libraries down to WARNING, and every configured secret masked in whatever is written."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    log_redaction.quiet_libraries()
    secrets = settings.secrets() if settings is not None else {}
    log_redaction.install(
        log_redaction.SecretMask.of(secrets.values()), logging.getLogger().handlers
    )
    for name in log_redaction.short_secrets(secrets):
        log.warning(
            "%s is shorter than %s characters: log lines mask it only where URLs carry it "
            "by name; a longer one is safer",
            name,
            log_redaction.MIN_SECRET_LENGTH,
        )


def prepare(settings: Settings) -> None:
    """What must hold before the first request: logging, and the schema at its newest."""
    configure_logging(settings)
    if settings.auto_migrate:
        log.info("applying pending migrations")
        upgrade_all(settings.database_url, settings.inbox_url)
    else:
        log.info("CHOTDON_AUTO_MIGRATE=0: the schema is left as it is")


def run(settings: Settings, *, host: str, port: int) -> None:
    """Serve until SIGTERM or SIGINT, then stop as the module docstring says. In demo mode
    (`chotdon.demo`) the app also loads the samples into an empty database and replays them."""
    limits = ConnectionLimits(
        max_connections=connection_cap_at_start(settings.max_connections),
        request_deadline_s=settings.request_deadline_seconds,
    )
    base_url = demo.listening_url(host, port)
    settings = demo.prepare(settings, base_url)
    app = create_app(settings, worker_process=settings.worker_process)
    if settings.demo:
        demo.setup(app, base_url)
    serve_app(
        app,
        host=host,
        port=port,
        limits=limits,
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
        access_log_class=AccessLog,
        announce=_announce,
    )
    log.info("stopped")


def work(settings: Settings) -> None:
    """`chotdon work`: the child process of `serve` that runs its workers."""
    configure_logging(settings)
    run_child(settings, functools.partial(create_app, run_bot=False))


def _announce(message: str) -> None:
    log.info("%s", message)
