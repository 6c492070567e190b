"""Webhook ingest end to end: signed Facebook deliveries over HTTP to `chotdon serve` on SQLite,
from many connections at once, against a bare aiohttp server as the ceiling.

For one comment per request and for 50 per request, three servers get the same requests: the
ceiling (reads the body, answers 200), the receiver alone (the real app, inbox processing
off), and `chotdon serve` itself. Reported: what Facebook sees (acknowledged requests and
comments per second, p50/p99 acknowledgement latency, the ratio to the ceiling) and what the
shop sees (seconds until every comment is in a draft, counted in the database: comments lost,
comments applied twice, drafts per buyer), with the service's peak memory. Servers run as
processes of their own, as in production; the client is this process.

    python -m bench.ingest_http --requests 8000 --batched-requests 1000 --connections 64 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bench import loadgen
from chotdon.access_log import AccessLog
from chotdon.app import create_app
from chotdon.migrate import upgrade_all
from chotdon.serve import configure_logging
from chotdon.settings import load_settings
from kernel.database import create_engine, session_factory
from kernel.http import signatures
from livestream.simulate import SimulatedComment, webhook_body
from orders.catalog import ItemRow, import_items

SECRET = "bench-secret"
PAGE = "100000000000001"
VIDEO_ID = "777000111"
VIDEO = f"{PAGE}_{VIDEO_ID}"
URL_PATH = "/webhooks/facebook"
T0 = 1_760_000_000
COMMENTS_PER_BUYER = 4
SETTLE_DEADLINE_S = 600.0


def comment(n: int, buyers: int) -> SimulatedComment:
    """Comment n: buyers take turns, each buyer's comments differ (different quantities), so
    none is the "same text twice" that the ingest rightly counts once."""
    buyer, round_ = n % buyers, n // buyers
    return SimulatedComment(
        video_id=VIDEO_ID,
        comment_id=f"{VIDEO}_{n}",
        from_id=f"u{buyer}",
        from_name=f"Khách {buyer}",
        message=f"A1 {round_ + 1} 09{buyer:08d}",
        created_time=T0 + n,
    )


def bodies(requests: int, per_request: int) -> list[bytes]:
    total = requests * per_request
    buyers = max(1, total // COMMENTS_PER_BUYER)
    out = []
    for r in range(requests):
        comments = [comment(r * per_request + i, buyers) for i in range(per_request)]
        out.append(webhook_body(comments, page_id=PAGE, sent_at=T0))
    return out


# Servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def peak_rss_mib(self) -> float:
        """VmHWM, the resident high-water mark (Linux), of the server and its worker process."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        return sum(_peak_rss_kib(pid) for pid in pids) / 1024

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def start(command: list[str], port: int, log: Path, *, ready: str = "", **env: str) -> Server:
    """Start a server and wait until it listens and, with `ready`, has logged that line (the
    service's worker process starts after its port opens; a live starts long after both)."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT
        )
    server = Server(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while not (_listens(port) and ready in log.read_text(errors="replace")):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"server did not start:\n{log.read_text()}")
        time.sleep(0.05)
    return server


def _listens(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def bare_app() -> web.Application:
    """The ceiling: reads the body and answers 200, nothing else."""

    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"status": "stored"})

    app = web.Application(client_max_size=2 * 1024 * 1024)
    app.router.add_post(URL_PATH, ok)
    return app


# Load


@dataclass
class Load:
    seconds: float
    latencies: list[float]
    refused: int

    def report(self, comments_per_request: int) -> dict[str, float]:
        acked = len(self.latencies) - self.refused
        quantiles = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return {
            "req_per_s": round(acked / self.seconds),
            "comments_per_s": round(acked * comments_per_request / self.seconds),
            "p50_ms": round(quantiles[49] * 1000, 1),
            "p99_ms": round(quantiles[98] * 1000, 1),
            "refused": self.refused,
        }


async def blast(url: str, payloads: list[bytes], connections: int) -> Load:
    """`connections` clients, each sending the next signed body as soon as its last was
    answered (`bench.loadgen`: requests are built before the clock starts)."""
    requests = [
        loadgen.raw_request(
            url,
            body,
            {signatures.HEADER: signatures.sign(SECRET, body), "Content-Type": "application/json"},
        )
        for body in payloads
    ]
    load = await loadgen.blast(requests, url, connections)
    return Load(load.seconds, load.latencies, load.refused)


# What the shop sees


def counts(database: Path) -> dict[str, int]:
    """Bodies land in the receiver's file; the main file holds each one's fate and effects."""
    with sqlite3.connect(inbox_file(database), timeout=30) as connection:
        landed = connection.execute("SELECT count(*) FROM inbox").fetchone()[0]
    queries = {
        "settled": "SELECT count(*) FROM inbox WHERE status IN ('done', 'failed')",
        "failed": "SELECT count(*) FROM inbox WHERE status = 'failed'",
        "comments": "SELECT count(*) FROM comments",
        "in_a_draft": "SELECT count(DISTINCT comment_id) FROM order_lines",
        "applied_twice": "SELECT count(*) FROM (SELECT comment_id FROM order_lines"
        " WHERE comment_id IS NOT NULL GROUP BY comment_id HAVING count(*) > 1)",
        "drafts": "SELECT count(*) FROM orders",
    }
    with sqlite3.connect(database, timeout=30) as connection:
        seen = {name: connection.execute(sql).fetchone()[0] for name, sql in queries.items()}
    return seen | {"unsettled": landed - seen["settled"]}


def inbox_file(database: Path) -> Path:
    """The service's default inbox file beside `database` (see `Settings.inbox_url`)."""
    return database.with_name(f"{database.stem}-inbox{database.suffix}")


def wait_settled(database: Path, started: float) -> tuple[float, dict[str, int]]:
    """Seconds from the first request until every acknowledged body is processed (done, or
    failed for good); what the comments and drafts tables then hold is the final count."""
    deadline = time.monotonic() + SETTLE_DEADLINE_S
    while (seen := counts(database))["unsettled"]:
        if time.monotonic() > deadline:
            raise SystemExit(f"not processed within {SETTLE_DEADLINE_S} s: {seen}")
        time.sleep(0.05)
    return time.perf_counter() - started, seen


async def seed(url: str) -> None:
    engine = create_engine(url)
    try:
        async with session_factory(engine).begin() as session:
            await import_items(
                session, [ItemRow("BENCH-A1", "Áo bench", 150_000, 10**9, 200, "A1")]
            )
    finally:
        await engine.dispose()


def fresh_database(directory: Path, name: str) -> tuple[Path, str]:
    database = directory / f"{name}.db"
    url = f"sqlite+aiosqlite:///{database}"
    upgrade_all(url, f"sqlite+aiosqlite:///{inbox_file(database)}")
    asyncio.run(seed(url))
    return database, url


def service_env(url: str) -> dict[str, str]:
    return {
        "CHOTDON_DATABASE_URL": url,
        "CHOTDON_AUTO_MIGRATE": "0",
        "FACEBOOK_APP_SECRET": SECRET,
        "FACEBOOK_PAGE_ID": PAGE,
    }


def measure(
    command: list[str],
    port: int,
    log: Path,
    payloads: list[bytes],
    connections: int,
    *,
    ready: str = "",
    **env: str,
) -> tuple[Load, Server, float]:
    """Warm up, then send every payload; the server is left running for the caller. Returns
    the load, the server and when the first payload was sent (`time.perf_counter`)."""
    server = start(command, port, log, ready=ready, **env)
    try:
        # Signed but not JSON: the whole path up to the inbox, and nothing stored (400).
        asyncio.run(blast(server.url + URL_PATH, [b"warm-up"] * 50, 8))
        started = time.perf_counter()
        return asyncio.run(blast(server.url + URL_PATH, payloads, connections)), server, started
    except BaseException:
        server.stop()
        raise


def run_round(directory: Path, payloads: list[bytes], per_request: int, connections: int) -> dict:
    """The three servers one after another on the same requests, each on a fresh database."""
    name = f"{per_request}-per-request-{time.monotonic_ns()}"
    me = [sys.executable, "-m", "bench.ingest_http"]
    sent = len(payloads) * per_request

    port = free_port()
    ceiling, bare, _ = measure(
        [*me, "--serve", "bare", str(port)], port, directory / "bare.log", payloads, connections
    )
    bare.stop()

    _, url = fresh_database(directory, f"store-only-{name}")
    port = free_port()
    stored, receiver, _ = measure(
        [*me, "--serve", "store-only", str(port)],
        port,
        directory / "store-only.log",
        payloads,
        connections,
        **service_env(url),
    )
    receiver.stop()

    database, url = fresh_database(directory, f"serve-{name}")
    port = free_port()
    full, service, started = measure(
        [sys.executable, "-m", "chotdon", "serve", "--port", str(port)],
        port,
        directory / f"serve-{name}.log",
        payloads,
        connections,
        ready="inbox processor",  # logged once the worker process is up
        **service_env(url),
    )
    try:
        settle_s, seen = wait_settled(database, started)
        peak = service.peak_rss_mib()
    finally:
        service.stop()

    top = ceiling.report(per_request)
    result = {
        "ceiling": top,
        "receiver_only": stored.report(per_request),
        "service": full.report(per_request),
    }
    for key in ("receiver_only", "service"):
        result[f"{key}_ratio_to_ceiling"] = round(result[key]["req_per_s"] / top["req_per_s"], 2)
    return result | {
        "seconds_until_all_in_drafts": round(settle_s, 2),
        "comments_into_drafts_per_s": round(sent / settle_s),
        "lost": sent - seen["comments"],
        "not_in_a_draft": sent - seen["in_a_draft"],
        "applied_twice": seen["applied_twice"],
        "inbox_failed": seen["failed"],
        "drafts": seen["drafts"],
        "service_peak_rss_mib": round(peak, 1),
    }


def run_case(
    directory: Path, requests: int, per_request: int, connections: int, rounds: int
) -> dict:
    """Medians over `rounds` rounds. The ceiling alone swings by tens of percent from one run
    to the next on this machine (5,400 to 8,600 req/s for the same bodies, minutes apart), so
    each ratio is taken within its round, against the ceiling measured just before it."""
    payloads = bodies(requests, per_request)
    sent = requests * per_request
    runs = [run_round(directory, payloads, per_request, connections) for _ in range(rounds)]
    result: dict = {
        "comments_per_request": per_request,
        "requests": requests,
        "rounds": rounds,
        "sent_comments": sent,
        "buyers": max(1, sent // COMMENTS_PER_BUYER),
    }
    for key in ("ceiling", "receiver_only", "service"):
        result[key] = {
            field: statistics.median(run[key][field] for run in runs) for field in runs[0][key]
        }
    for key in (
        "receiver_only_ratio_to_ceiling",
        "service_ratio_to_ceiling",
        "seconds_until_all_in_drafts",
        "comments_into_drafts_per_s",
        "service_peak_rss_mib",
    ):
        result[key] = statistics.median(run[key] for run in runs)
        result[f"{key}_per_round"] = [run[key] for run in runs]
    for key in ("lost", "not_in_a_draft", "applied_twice", "inbox_failed"):
        result[key] = sum(run[key] for run in runs)  # counted over every round: all must be 0
    result["drafts_per_round"] = [run["drafts"] for run in runs]
    return result


def serve(kind: str, port: int) -> None:
    """The servers measured besides `chotdon serve`: the ceiling (aiohttp as it comes, access
    log included), and the receiver alone (logging as `chotdon serve` does)."""
    configure_logging()
    if kind == "bare":
        web.run_app(bare_app(), host="127.0.0.1", port=port, print=None)
        return
    app = create_app(load_settings(), run_inbox=False, run_worker=False)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log_class=AccessLog)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000, help="one comment each")
    parser.add_argument("--batched-requests", type=int, default=100, help="50 comments each")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="medians over this many rounds")
    parser.add_argument("--serve", nargs=2, metavar=("KIND", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    with tempfile.TemporaryDirectory() as directory:
        for requests, per_request in ((args.requests, 1), (args.batched_requests, 50)):
            if requests:
                result = run_case(
                    Path(directory), requests, per_request, args.connections, args.rounds
                )
                print(json.dumps(result), flush=True)
    client_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"client_peak_rss_mib": round(client_mib, 1)}))


if __name__ == "__main__":
    main()
