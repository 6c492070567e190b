"""`chotdon serve` against clients that hold connections open, as an attacker or an unlucky
network would: headers or bodies sent a byte at a time (also behind a valid-looking Facebook
signature, which makes the receiver wait for the body), more connections than the process may
open files, and malformed request lines. What an operator notices: `/healthz` and signed
webhooks keep answering, slow clients are closed after the deadline, and the log says so in a
few lines instead of millions."""

from __future__ import annotations

import asyncio
import errno
import logging
import re
import resource
import selectors
import socket
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import make_url

from chotdon.connections import LINGER_BYTES, AcceptErrorLog, ConnectionLimits
from chotdon.errors import StartupError
from chotdon.http_server import listening
from chotdon.open_files import ACCEPT_BATCH, RESERVED_FILES, connection_cap
from chotdon.settings import load_settings
from kernel.database import create_engine
from kernel.http import signatures
from tests.conftest import in_thread
from tests.database.test_facebook_webhook import (
    SECRET,
    URL,
    comment,
    envelope,
    facebook_bytes,
    signed,
)
from tests.e2e.test_serve import Server, serving

DEADLINE_S = 3  # CHOTDON_REQUEST_DEADLINE_SECONDS of every server here
MARGIN_S = 10.0  # a loaded machine's lateness in closing a connection past the deadline
FILE_LIMIT = 1024
SLOW_CLIENTS = 1100
LOOKS_SIGNED = signatures.HEADER + ": sha256=" + "ab" * 32
MARKER = "M4RK3R-in-the-url"
TIMED_OUT, NO_ROOM = b"HTTP/1.1 408 Request Timeout", b"HTTP/1.1 503 Service Unavailable"


# The mechanism's parts, on their own


def test_the_connection_cap_leaves_room_below_the_file_limit_for_everything_else():
    reserved = RESERVED_FILES + ACCEPT_BATCH
    assert connection_cap(1024, None) == 1024 - reserved
    assert connection_cap(20000, None) == 20000 - reserved
    assert connection_cap(1024, 100) == 100  # CHOTDON_MAX_CONNECTIONS lowers it
    assert connection_cap(1024, 5000) == 1024 - reserved  # but never raises it
    assert 0 < connection_cap(64, None) < 64  # a tiny limit still leaves room both ways


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CHOTDON_REQUEST_DEADLINE_SECONDS", "0"),
        ("CHOTDON_REQUEST_DEADLINE_SECONDS", "-1"),
        ("CHOTDON_REQUEST_DEADLINE_SECONDS", "soon"),
        ("CHOTDON_REQUEST_DEADLINE_SECONDS", "86400"),
        ("CHOTDON_MAX_CONNECTIONS", "0"),
        ("CHOTDON_MAX_CONNECTIONS", "many"),
    ],
)
def test_a_bad_connection_setting_stops_start_up_naming_it(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(StartupError, match=variable):
        load_settings(_env_file=None)


def test_the_connection_settings_default_to_30_s_and_the_derived_cap(monkeypatch):
    monkeypatch.delenv("CHOTDON_REQUEST_DEADLINE_SECONDS", raising=False)
    monkeypatch.setenv("CHOTDON_MAX_CONNECTIONS", "")
    settings = load_settings(_env_file=None)
    assert (settings.request_deadline_seconds, settings.max_connections) == (30, None)


def test_accept_errors_are_logged_once_every_few_seconds_with_a_count(caplog):
    """asyncio's accept loop reports each EMFILE through the loop's exception handler; on a
    listener out of files that was thousands of tracebacks a second."""

    async def storm() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(AcceptErrorLog(every_s=0.3))
        error = OSError(errno.EMFILE, "Too many open files")
        for _ in range(1000):
            loop.call_exception_handler(
                {"message": "socket.accept() out of system resource", "exception": error}
            )
        await asyncio.sleep(0.6)  # the summary of the rest comes once the interval is over

    with caplog.at_level(logging.INFO):
        asyncio.run(storm())
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2, lines
    assert "Too many open files" in lines[0]
    assert "999" in lines[1]
    assert not any(record.exc_info for record in caplog.records)


async def http_get(port: int, path: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: shop\r\n\r\n".encode())
    return reader, writer


async def status_of(reader: asyncio.StreamReader) -> bytes:
    return (await asyncio.wait_for(reader.readline(), MARGIN_S)).strip()


async def test_over_the_cap_the_idle_go_first_then_the_slowest_and_the_busy_are_kept():
    """At most three connections: a newcomer closes an idle keep-alive one, else the one that
    has been reading its request longest, and is refused at once (503) only when every one is
    busy answering a whole request."""
    entered, release = asyncio.Semaphore(0), asyncio.Event()

    async def busy(request: web.Request) -> web.Response:
        entered.release()
        await release.wait()
        return web.Response(text="done")

    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/busy", busy)
    app.router.add_get("/ok", ok)
    limits = ConnectionLimits(max_connections=3, request_deadline_s=60)
    async with listening(app, host="127.0.0.1", port=0, limits=limits) as port:
        working = [await http_get(port, "/busy") for _ in range(2)]
        for _ in working:
            await asyncio.wait_for(entered.acquire(), MARGIN_S)

        idle, idle_writer = await http_get(port, "/ok")
        assert await status_of(idle) == b"HTTP/1.1 200 OK"
        await asyncio.wait_for(idle.readuntil(b"ok"), MARGIN_S)
        newcomer, newcomer_writer = await http_get(port, "/ok")
        assert await status_of(newcomer) == b"HTTP/1.1 200 OK"
        assert await asyncio.wait_for(idle.read(), MARGIN_S) == b""  # closed to make room
        newcomer_writer.close()

        slow, slow_writer = await asyncio.open_connection("127.0.0.1", port)
        slow_writer.write(b"GET /ok HTTP/1.1\r\nX-Slow: ")
        await asyncio.sleep(0.2)  # its clock is older than the next one's
        newcomer, newcomer_writer = await http_get(port, "/ok")
        assert await status_of(newcomer) == b"HTTP/1.1 200 OK"
        assert await status_of(slow) == NO_ROOM
        newcomer_writer.close()

        working.append(await http_get(port, "/busy"))
        await asyncio.wait_for(entered.acquire(), MARGIN_S)
        refused, refused_writer = await http_get(port, "/ok")
        assert await status_of(refused) == NO_ROOM
        rest = await asyncio.wait_for(refused.read(), MARGIN_S)  # to the end: it was closed
        assert rest.endswith(b"\r\n\r\n")

        release.set()
        for reader, writer in working:
            assert await status_of(reader) == b"HTTP/1.1 200 OK"
            writer.close()
        for writer in (idle_writer, slow_writer, refused_writer):
            writer.close()


@dataclass
class Lingered:
    """What a client that keeps sending after its deadline noticed."""

    answer: bytes  # everything it read up to the end of file
    answered_s: float  # from sending its head to that end of file
    cut_s: float | None  # from that end of file to a send failing: the server closed


SLOW_BODY = (
    b"POST /read HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n"
    b"Content-Length: 100000\r\n\r\n{"
)
SLOW_HEADERS = b"POST /read HTTP/1.1\r\nHost: shop\r\nX-Slow: "


def keep_sending(port: int, head: bytes, flood: bytes = b"", every_s: float = 0.1) -> Lingered:
    """A client that sends `head`, then a byte every `every_s` until it has read the answer
    to the end of file, then `flood`, then a byte every `every_s` until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=MARGIN_S) as sock:
        started = time.monotonic()
        sock.sendall(head)
        sock.settimeout(every_s)
        chunks = []
        while time.monotonic() - started < MARGIN_S:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                sock.sendall(b"a")
                continue
            if not chunk:
                break
            chunks.append(chunk)
        answered = time.monotonic()
        answer = b"".join(chunks)
        try:
            sock.sendall(flood)
            while time.monotonic() - answered < MARGIN_S:
                sock.sendall(b"a")
                time.sleep(every_s)
        except OSError:
            return Lingered(answer, answered - started, time.monotonic() - answered)
        return Lingered(answer, answered - started, None)


async def read_body(request: web.Request) -> web.Response:
    return web.Response(text=f"read {len(await request.read())} bytes")


def reading_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/read", read_body)
    app.router.add_get("/ok", read_body)
    return app


@pytest.mark.parametrize("head", [SLOW_BODY, SLOW_HEADERS], ids=["body", "headers"])
async def test_a_client_that_keeps_sending_reads_the_whole_408_and_is_closed_after_the_linger(
    head: bytes,
):
    """After the 408 the server shuts its side (the client reads the answer, then end of file)
    and drops what the client still sends until the linger is over: closed at once, a byte
    arriving after the close could reset the connection before the client read its 408."""
    limits = ConnectionLimits(max_connections=10, request_deadline_s=0.5, linger_s=1.0)
    async with listening(reading_app(), host="127.0.0.1", port=0, limits=limits) as port:
        lingered = await asyncio.to_thread(keep_sending, port, head)
    assert lingered.answer.startswith(TIMED_OUT), lingered.answer
    assert b"\r\nConnection: close\r\n" in lingered.answer, lingered.answer
    assert 0.4 <= lingered.answered_s < 0.5 + MARGIN_S
    assert lingered.cut_s is not None, "the server never closed a lingering connection"
    assert limits.linger_s - 0.1 <= lingered.cut_s < limits.linger_s + MARGIN_S


def upload_past_the_deadline(port: int) -> bytes:
    """What a client uploading, as fast as it can, a body too large for the deadline reads.
    As a real client, when a send fails it stops sending and reads the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=MARGIN_S) as sock:
        sock.sendall(b"POST /read HTTP/1.1\r\nHost: shop\r\nContent-Length: 10000000000\r\n\r\n")
        sock.setblocking(False)
        chunks, sending = [], True
        while chunk := receive(sock):
            chunks.append(chunk)
            if sending:
                try:
                    sock.send(b" " * 65536)
                except BlockingIOError:
                    pass
                except OSError:
                    sending = False
            if not sending or chunk is NOTHING_YET:
                time.sleep(0.0005)
        return b"".join(chunk for chunk in chunks if chunk is not NOTHING_YET)


NOTHING_YET = b"nothing yet"


def receive(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except BlockingIOError:
        return NOTHING_YET


async def test_a_client_uploading_past_the_deadline_reads_its_408_not_a_reset():
    """The bytes in flight when the server answers: closed at once, the server's socket would
    reset the connection, and the client could lose the 408 it had not read yet."""
    app = web.Application(client_max_size=2**40)
    app.router.add_post("/read", read_body)
    limits = ConnectionLimits(max_connections=10, request_deadline_s=0.5)
    async with listening(app, host="127.0.0.1", port=0, limits=limits) as port:
        for _ in range(5):  # a reset came 1 time in 3 before the linger
            answer = await asyncio.to_thread(upload_past_the_deadline, port)
            assert answer.startswith(TIMED_OUT), answer


async def test_a_client_that_floods_after_its_408_is_cut_off_before_the_linger_is_over():
    limits = ConnectionLimits(max_connections=10, request_deadline_s=0.5, linger_s=3 * MARGIN_S)
    async with listening(reading_app(), host="127.0.0.1", port=0, limits=limits) as port:
        lingered = await asyncio.to_thread(keep_sending, port, SLOW_BODY, b" " * 4 * LINGER_BYTES)
    assert lingered.answer.startswith(TIMED_OUT), lingered.answer
    assert lingered.cut_s is not None, "a client sending a mebibyte kept its connection"


async def test_a_lingering_connection_counts_against_the_cap_and_is_the_first_to_make_room():
    limits = ConnectionLimits(max_connections=2, request_deadline_s=0.5, linger_s=3 * MARGIN_S)
    async with listening(reading_app(), host="127.0.0.1", port=0, limits=limits) as port:
        idle, idle_writer = await http_get(port, "/ok")
        assert await status_of(idle) == b"HTTP/1.1 200 OK"
        await asyncio.wait_for(idle.readuntil(b"bytes"), MARGIN_S)

        slow, slow_writer = await asyncio.open_connection("127.0.0.1", port)
        slow_writer.write(SLOW_HEADERS)
        answer = await asyncio.wait_for(slow.read(), MARGIN_S)  # to the end of file
        assert answer.startswith(TIMED_OUT), answer

        newcomer, newcomer_writer = await http_get(port, "/ok")
        assert await status_of(newcomer) == b"HTTP/1.1 200 OK"
        idle_writer.write(b"GET /ok HTTP/1.1\r\nHost: shop\r\n\r\n")
        assert await status_of(idle) == b"HTTP/1.1 200 OK"  # the idle one was kept

        closed_within = time.monotonic() + MARGIN_S  # well before its linger is over
        with pytest.raises(ConnectionError):
            while time.monotonic() < closed_within:
                slow_writer.write(b"a")
                await slow_writer.drain()
                await asyncio.sleep(0.1)
        for writer in (idle_writer, slow_writer, newcomer_writer):
            writer.close()


# Many slow clients against a process limited to 1,024 open files


@dataclass
class SlowClient:
    """A connection that sends its request a byte at a time and never finishes it."""

    sock: socket.socket
    drip: bytes
    opened: float
    closed: float | None = None
    answer: bytes = b""


def limit_open_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))


@pytest.fixture
def many_open_files() -> Iterator[None]:
    """The test process itself holds 1,100 sockets and more."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = SLOW_CLIENTS + 1024
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"the hard limit on open files ({hard}) is below {wanted}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def open_slow(port: int, n: int) -> SlowClient:
    """Half send whole headers with a valid-looking signature and then a body a byte at a time
    (the receiver waits for the body to check it); half never finish their headers."""
    if n % 2:
        head = (
            f"POST {URL} HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n"
            f"Content-Length: 100000\r\n{LOOKS_SIGNED}\r\n\r\n{{"
        )
        drip = b" "
    else:
        head = f"POST {URL} HTTP/1.1\r\nHost: shop\r\nContent-Length: 100000\r\nX-Slow: "
        drip = b"a"
    sock = socket.create_connection(("127.0.0.1", port), timeout=MARGIN_S)
    sock.sendall(head.encode())
    sock.setblocking(False)
    return SlowClient(sock, drip, time.monotonic())


def notice_closed(clients: list[SlowClient], selector: selectors.BaseSelector, wait: float) -> None:
    for key, _ in selector.select(timeout=wait):
        client: SlowClient = key.data
        try:
            data = client.sock.recv(65536)
        except BlockingIOError:
            continue
        except OSError:
            data = b""
        client.answer += data
        if not data:
            client.closed = time.monotonic()
            selector.unregister(client.sock)


def drip(clients: list[SlowClient], selector: selectors.BaseSelector) -> None:
    for client in clients:
        if client.closed is None:
            try:
                client.sock.send(client.drip)
            except OSError:
                client.closed = time.monotonic()
                selector.unregister(client.sock)


def watch_until_closed(clients: list[SlowClient], selector: selectors.BaseSelector) -> None:
    """Keeps every slow client dripping (one byte a second) until the server closes it."""
    until = max(client.opened for client in clients) + DEADLINE_S + MARGIN_S
    next_drip = time.monotonic()
    while any(client.closed is None for client in clients) and time.monotonic() < until:
        notice_closed(clients, selector, 0.1)
        if time.monotonic() >= next_drip:
            drip(clients, selector)
            next_drip = time.monotonic() + 1.0


def timed_healthz(server: Server) -> float:
    """Seconds for a fresh connection to get `/healthz`'s 200."""
    started = time.monotonic()
    answer = httpx.get(server.base_url + "/healthz", timeout=5)
    elapsed = time.monotonic() - started
    assert answer.status_code == 200, answer.text
    return elapsed


def stored(database_url: str, body: bytes) -> bool:
    """Whether `body` is in the inbox. On SQLite that is the landing file it is committed to
    before the answer (it stays there for a week after the processor copied it on)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        landing = path.with_name(f"{path.stem}-inbox{path.suffix}")
        with sqlite3.connect(landing) as connection:
            rows = connection.execute("SELECT body FROM inbox").fetchall()
        return any(row == body for (row,) in rows)
    return in_thread(_stored_in(database_url, body))


async def _stored_in(database_url: str, body: bytes) -> bool:
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            query = text("SELECT count(*) FROM inbox WHERE body = :body")
            return bool(await connection.scalar(query, {"body": body}))
    finally:
        await engine.dispose()


def log_lines(server: Server) -> list[str]:
    return server.log.read_text(errors="replace").splitlines()


def test_slow_clients_beyond_the_file_limit_are_closed_and_healthz_and_webhooks_answer(
    tmp_path: Path, db_url: str, many_open_files: None
):
    port_clients: list[SlowClient] = []
    with serving(
        tmp_path,
        preexec_fn=limit_open_files,
        CHOTDON_DATABASE_URL=db_url,
        CHOTDON_REQUEST_DEADLINE_SECONDS=str(DEADLINE_S),
        FACEBOOK_APP_SECRET=SECRET,
    ) as server:
        assert server.get("/healthz").status_code == 200
        before = len(log_lines(server))
        port = int(server.base_url.rsplit(":", 1)[1])
        selector = selectors.DefaultSelector()
        try:
            for n in range(SLOW_CLIENTS):
                client = open_slow(port, n)
                port_clients.append(client)
                selector.register(client.sock, selectors.EVENT_READ, client)

            notice_closed(port_clients, selector, 0)
            still_open = sum(client.closed is None for client in port_clients)
            assert still_open > FILE_LIMIT // 4, "the slow clients were closed before the check"
            assert timed_healthz(server) < 1.0

            body = facebook_bytes(envelope(comment(1)))
            answer = httpx.post(
                server.base_url + URL, content=body, headers=signed(body), timeout=MARGIN_S
            )
            assert answer.status_code == 200, answer.text
            assert stored(db_url, body)

            watch_until_closed(port_clients, selector)
        finally:
            for client in port_clients:
                client.sock.close()
            selector.close()
        late = [c for c in port_clients if (c.closed or 1e18) > c.opened + DEADLINE_S + MARGIN_S]
        assert not late, f"{len(late)} slow clients were not closed by the server in time"
        answers = {client.answer.split(b"\r\n", 1)[0] for client in port_clients}
        assert answers <= {
            b"",
            b"HTTP/1.1 408 Request Timeout",
            b"HTTP/1.1 503 Service Unavailable",
        }
        assert timed_healthz(server) < 1.0
        lines = log_lines(server)[before:]
        assert server.stop() == 0
    about_it = [line for line in lines if '"GET /healthz' not in line]
    assert len(about_it) <= 12, "\n".join(about_it[:40])
    log = server.log.read_text(errors="replace")
    # A surge of 1,100 connections may still meet the file limit for a moment (an evicted
    # socket's file is closed on the loop's next turn, after more were accepted): what the old
    # service did millions of times is now the throttled summary line, and nothing else says it.
    unthrottled = [
        line
        for line in log.splitlines()
        if "Too many open files" in line and "accepting connections failed" not in line
    ]
    assert not unthrottled and "Traceback" not in log, "\n".join(unthrottled[:5])
    assert re.search(r"open files: .*1024", log), log[:2000]


# Deadlines and malformed requests, one request at a time


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("deadline")
    with serving(
        directory,
        CHOTDON_DATABASE_URL=f"sqlite+aiosqlite:///{directory / 'chotdon.db'}",
        CHOTDON_REQUEST_DEADLINE_SECONDS=str(DEADLINE_S),
        FACEBOOK_APP_SECRET=SECRET,
    ) as running:
        assert running.get("/healthz").status_code == 200
        yield running
        assert running.stop() == 0


def raw(server: Server) -> socket.socket:
    port = int(server.base_url.rsplit(":", 1)[1])
    return socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S + MARGIN_S)


def read_to_eof(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def answered_within_deadline(server: Server, head: str, drip: bytes) -> tuple[bytes, float]:
    """What a client that sends `head` and then `drip` once a second gets, and when."""
    with raw(server) as sock:
        started = time.monotonic()
        sock.sendall(head.encode())
        sock.settimeout(1.0)
        answer = b""
        while time.monotonic() - started < DEADLINE_S + MARGIN_S:
            try:
                answer = read_to_eof(sock)
                break
            except TimeoutError:
                sock.sendall(drip)
        return answer, time.monotonic() - started


def test_a_signed_looking_body_that_stalls_gets_408_and_is_closed_after_the_deadline(server):
    head = (
        f"POST {URL} HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n"
        f"Content-Length: 100000\r\n{LOOKS_SIGNED}\r\n\r\n{{"
    )
    answer, elapsed = answered_within_deadline(server, head, b" ")
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert DEADLINE_S - 0.5 <= elapsed < DEADLINE_S + MARGIN_S


def test_headers_that_never_end_get_408_and_are_closed_after_the_deadline(server):
    answer, elapsed = answered_within_deadline(server, "GET /healthz HTTP/1.1\r\nX-Slow: ", b"a")
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert DEADLINE_S - 0.5 <= elapsed < DEADLINE_S + MARGIN_S


def test_each_request_on_a_keep_alive_connection_has_a_deadline_of_its_own(server):
    """Three quick requests over a connection open longer than the deadline all answer."""
    # /metrics, not /healthz: what is tested is the connection, and a health probe on a
    # starved machine may truthfully say 503.
    with httpx.Client(base_url=server.base_url, timeout=MARGIN_S) as client:
        started = time.monotonic()
        for _ in range(3):
            assert client.get("/metrics").status_code == 200
            time.sleep(DEADLINE_S * 0.6)
        assert time.monotonic() - started > DEADLINE_S
        assert client.get("/metrics").status_code == 200


garbage = st.binary(min_size=1, max_size=60).filter(lambda b: b"\r" not in b and b"\n" not in b)


@st.composite
def malformed(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["garbage", "long url", "long header", "many headers"]))
    repeat = draw(st.integers(min_value=500, max_value=1500))
    if kind == "garbage":
        return draw(garbage).replace(b" ", b"") + MARKER.encode() + b"\r\n\r\n"
    if kind == "long url":
        return f"GET /{MARKER * repeat} HTTP/1.1\r\nHost: shop\r\n\r\n".encode()
    if kind == "long header":
        return f"GET / HTTP/1.1\r\nHost: shop\r\nX-Token: {MARKER * repeat}\r\n\r\n".encode()
    headers = "".join(f"X-{n}: {MARKER}\r\n" for n in range(200))
    return f"GET / HTTP/1.1\r\nHost: shop\r\n{headers}\r\n".encode()


def test_malformed_requests_get_400_and_one_warning_without_traceback_or_url(server):
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    @given(request=malformed())
    @example(request=b"GARBAGE\r\n\r\n")
    @example(request=f"GET /{MARKER * 1000} HTTP/1.1\r\n\r\n".encode())
    def check(request: bytes) -> None:
        before = len(log_lines(server))
        with raw(server) as sock:
            sock.sendall(request)
            answer = read_to_eof(sock)
        assert answer.startswith(b"HTTP/1.1 400 ") or answer.startswith(b"HTTP/1.0 400 "), answer
        assert MARKER.encode() not in answer
        lines = log_lines(server)[before:]
        warnings = [line for line in lines if " WARNING " in line]
        assert len(warnings) == 1, lines
        assert "malformed" in warnings[0]
        assert not any(" ERROR " in line or "Traceback" in line for line in lines), lines
        assert not any(MARKER in line for line in lines), lines

    check()
