"""What every scenario gets: its profile (short or long), a fresh database, a folder, the
service's settings, and the common ending (wait for drafts, count, check)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chaos.backends import Database, PostgresBackend, SqliteBackend
from chaos.driver import SECRET, Driver
from chaos.ledger import counts, inbox_note, one_draft_per_buyer, read, wait_in_drafts
from chaos.report import Outcome
from chaos.service import Service
from tests.helpers import clean_environment

# The deadline for reading a whole request the connections work adds; small, so the slow
# clients scenario sees it act within seconds.
REQUEST_DEADLINE_S = 3
API_TOKEN = "chaos-api-token"
CARRIER_SECRETS = {
    "GHN_WEBHOOK_TOKEN": "chaos-ghn-token",
    "GHTK_WEBHOOK_HASH": "chaos-ghtk-hash",
    "VIETTELPOST_WEBHOOK_TOKEN": "chaos-vtp-token",
    "AHAMOVE_WEBHOOK_KEY": "chaos-ahamove-key",
}


@dataclass(frozen=True)
class Profile:
    name: str
    buyers: int  # buyers in a stream
    per_buyer: int  # comments each
    kills: int  # kill -9 cycles per kill scenario
    rate: float  # comments a second in the kill scenarios' stream
    slow_clients: int
    file_limit: int  # `ulimit -n` of the service in the slow clients scenario
    cut_s: float  # how long the database stays unreachable
    drafts_deadline_s: float  # for every acknowledged comment to be in a draft


SHORT = Profile("short", 30, 6, 2, 40.0, 300, 1024, 5.0, 90.0)
LONG = Profile("long", 150, 12, 6, 60.0, 1100, 1024, 20.0, 300.0)


@dataclass
class Run:
    backend: SqliteBackend | PostgresBackend
    database: Database
    folder: Path
    profile: Profile
    outcome: Outcome
    services: list[Service] = field(default_factory=list)

    def env(self, database_url: str | None = None, **extra: str) -> dict[str, str]:
        return clean_environment(
            CHOTDON_DATABASE_URL=database_url or self.database.url,
            CHOTDON_AUTO_MIGRATE="0",
            CHOTDON_API_TOKEN=API_TOKEN,
            CHOTDON_REQUEST_DEADLINE_SECONDS=str(REQUEST_DEADLINE_S),
            FACEBOOK_APP_SECRET=SECRET,
            **CARRIER_SECRETS,
            **extra,
        )

    def service(self, *, database_url: str | None = None, **kwargs: object) -> Service:
        folder = self.folder / f"serve-{len(self.services) + 1}"
        folder.mkdir(parents=True, exist_ok=True)
        extra = kwargs.pop("env", {})
        assert isinstance(extra, dict)
        service = Service(folder, self.env(database_url, **extra), **kwargs)  # type: ignore[arg-type]
        self.services.append(service)
        return service

    async def start(self, service: Service, *, healthy: bool = True) -> bool:
        service.start()
        problem = await service.ready(healthy=healthy)
        if problem:
            tail = "\n".join(service.log_text().splitlines()[-15:])
            self.outcome.check("service starts", False, f"{problem}; log ends:\n{tail}")
            return False
        return True

    async def finish(
        self, driver: Driver, *, deadline_s: float | None = None, others_may_order: bool = False
    ) -> None:
        """Wait until every acknowledged comment is in a draft (or the deadline), then count
        and check: nothing lost, nothing twice, drafts equal buyers (with `others_may_order`,
        bodies not from the driver may have made drafts too: each of its buyers has one)."""
        outcome = self.outcome
        deadline = deadline_s if deadline_s is not None else self.profile.drafts_deadline_s
        stored = await wait_in_drafts(self.database, driver.acked, deadline)
        outcome.check(
            "acknowledged comments in drafts",
            stored is not None,
            "all, with the inbox settled"
            if stored is not None
            else f"not all within {deadline:.0f} s",
        )
        if stored is None:
            stored = await read(self.database)
        outcome.counts = counts(driver, stored)
        c = outcome.counts
        outcome.check("nothing lost", c.lost == 0, f"{c.lost} of {c.accepted} acknowledged")
        outcome.check("nothing duplicated", c.duplicated == 0, f"{c.duplicated} comment ids")
        ok, detail = one_draft_per_buyer(driver, stored, others_may_order=others_may_order)
        outcome.check(
            "one draft per buyer" if others_may_order else "drafts equal buyers", ok, detail
        )
        outcome.notes.append(inbox_note(stored))

    async def stop_all(self) -> None:
        for service in self.services:
            await service.stop()
