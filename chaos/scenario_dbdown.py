"""PostgreSQL unreachable for a while: the service talks to it through a TCP proxy (the one
the tests use), which is cut (new connections refused, open ones reset) and then listens again.
Webhooks answer 503 (or 200 only when stored), /healthz and /api answer 503 meanwhile, nothing
acknowledged is lost, and the service recovers by itself without a restart."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from chaos.context import Run
from chaos.outage import outage
from tests.fakes.tcp_proxy import TcpProxy


async def run(run: Run) -> None:
    url = make_url(run.database.url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    try:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        service = run.service(database_url=through)
        if not await run.start(service):
            return
        first = service.web_pid
        await outage(
            run,
            service,
            what="the database is unreachable",
            window_s=run.profile.cut_s,
            breaks=proxy.cut,
            mends=proxy.start,
            ask_api=True,
        )
        restarts = service.log_text().count("restarting in")
        run.outcome.notes.append(f"worker restarted {restarts} times by serve")
        run.outcome.check(
            "no restart needed",
            service.web_pid == first and not service.exited() and service.starts == 1,
            f"the same serve process {first} throughout",
        )
    finally:
        await proxy.cut()
