"""The `chotdon` command as a person types it: a real process, a real database file, and
what it prints and returns."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
from sqlalchemy import select, update

from chotdon.cli import main
from kernel.database import create_engine, session_factory
from kernel.outbox.jobs import Job, OutboxJob, enqueue
from orders.catalog import list_items
from tests.conftest import in_thread
from tests.helpers import clean_environment


class Chotdon:
    """Runs `python -m chotdon ...` in its own directory, so no stray `.env` is read."""

    def __init__(self, directory: Path, database_url: str) -> None:
        self.directory = directory
        self.database_url = database_url

    def __call__(self, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
        return finish(self.start(*args, **variables))

    def start(self, *args: str, **variables: str) -> subprocess.Popen[str]:
        """Without waiting: each run pays a second of start-up, so independent ones overlap."""
        return subprocess.Popen(
            [sys.executable, "-m", "chotdon", *args],
            cwd=self.directory,
            env=clean_environment(CHOTDON_DATABASE_URL=self.database_url, **variables),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args[3:], process.returncode, out, err)


@pytest.fixture
def chotdon(tmp_path: Path) -> Chotdon:
    """On a database file that does not exist yet, as on a newcomer's first run."""
    return Chotdon(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'chotdon.db'}")


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("chotdon: ")
    return lines[0]


async def _catalog(url: str) -> dict[str, dict]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return {item.sku: asdict(item) for item in await list_items(session)}
    finally:
        await engine.dispose()


async def _seed_outbox(url: str) -> tuple[int, int]:
    """A dead job and a delivered one; returns their ids."""
    engine = create_engine(url)
    try:
        async with session_factory(engine).begin() as session:
            await enqueue(session, Job("carrier.create_shipment", "order-9:ship"))
            await enqueue(session, Job("order.changed", "order-9:card"))
            await session.execute(
                update(OutboxJob)
                .where(OutboxJob.idempotency_key == "order-9:ship")
                .values(status="dead", attempts=10, last_error="HTTPStatusError: 502 from GHN")
            )
            await session.execute(
                update(OutboxJob)
                .where(OutboxJob.idempotency_key == "order-9:card")
                .values(status="done", attempts=1)
            )
            rows = await session.execute(select(OutboxJob.idempotency_key, OutboxJob.id))
            ids = {key: job_id for key, job_id in rows}
        return ids["order-9:ship"], ids["order-9:card"]
    finally:
        await engine.dispose()


async def _job(url: str, job_id: int) -> OutboxJob:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            job = await session.get(OutboxJob, job_id)
            assert job is not None
            return job
    finally:
        await engine.dispose()


def test_staff_add_list_remove(sqlite_url, tmp_path):
    chotdon = Chotdon(tmp_path, sqlite_url)
    adding = [
        chotdon.start("staff", "add", "1001", "--name", "Bích Ngọc", "--role", "manager"),
        chotdon.start("staff", "add", "1002", "--name", "Tú", "--role", "sales"),
    ]
    added = [finish(process) for process in adding]
    assert [result.returncode for result in added] == [0, 0], added
    assert "Added Bích Ngọc (manager)" in added[0].stdout
    assert chotdon("staff", "remove", "1002").returncode == 0

    listed = chotdon("staff", "list")
    assert listed.returncode == 0
    rows = [line.split(maxsplit=2) for line in listed.stdout.splitlines()]
    assert rows == [["TELEGRAM_ID", "ROLE", "NAME"], ["1001", "manager", "Bích Ngọc"]]


def test_commands_started_together_on_a_fresh_install_all_migrate_and_succeed(chotdon):
    """Each migrates first, the inbox file included; they take turns instead of racing to
    create the same tables."""
    started = [chotdon.start("staff", "list") for _ in range(3)] + [chotdon.start("db", "upgrade")]
    results = [finish(process) for process in started]
    assert [result.returncode for result in results] == [0, 0, 0, 0], results
    assert (chotdon.directory / "chotdon-inbox.db").exists()


def test_a_mistake_is_one_readable_line_and_exit_1(chotdon):
    result = chotdon("staff", "add", "7", "--name", "Tú", "--role", "boss")
    assert result.returncode == 1
    assert one_line_error(result) == "chotdon: Role must be manager, cashier or sales, not 'boss'."


MISTAKES = {
    ("staff", "remove", "7"): "No staff member has Telegram id 7",
    ("outbox", "retry", "4242"): "no outbox job 4242",
    ("outbox", "retry", "2"): "job 2 is done: only dead or skipped jobs can be retried",
    ("items", "import", "missing.csv"): "Cannot read missing.csv",
    ("staff", "add", "7", "--name", " ", "--role", "sales"): "needs a name",
}


@pytest.mark.parametrize("args", list(MISTAKES), ids=" ".join)
def test_every_mistake_reads_as_one_line(args, sqlite_url, tmp_path, monkeypatch, capsys):
    """The same `main` the script runs, in-process: one second of start-up saved per case."""
    for name in os.environ.keys() - clean_environment().keys():
        monkeypatch.delenv(name)
    monkeypatch.setenv("CHOTDON_DATABASE_URL", sqlite_url)
    monkeypatch.chdir(tmp_path)
    dead, done = in_thread(_seed_outbox(sqlite_url))
    assert (dead, done) == (1, 2)

    assert main(list(args)) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("chotdon: ") and MISTAKES[args] in captured.err


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql+asyncpg://chotdon@127.0.0.1:1/chotdon", "127.0.0.1"),
        ("sqlite+aiosqlite:///{tmp}/empty.db", "no such table: staff (run: chotdon db upgrade)"),
    ],
    ids=["unreachable", "not migrated"],
)
def test_database_trouble_reads_as_one_line(url, says, tmp_path, monkeypatch, capsys):
    for name in os.environ.keys() - clean_environment().keys():
        monkeypatch.delenv(name)
    monkeypatch.setenv("CHOTDON_DATABASE_URL", url.format(tmp=tmp_path))
    monkeypatch.setenv("CHOTDON_AUTO_MIGRATE", "0")
    monkeypatch.chdir(tmp_path)

    assert main(["staff", "list"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert error.startswith("chotdon: database error: ") and says in error


def test_items_import_creates_then_updates_by_sku(chotdon):
    csv = chotdon.directory / "items.csv"
    csv.write_text(
        "sku,name,price,stock,weight_g,code\n"
        "AO-001,Áo thun trắng,150000,100,200,A1\n"
        "QUAN-002,Quần jean xanh,320.000,50,500,\n",
        encoding="utf-8",
    )
    first = chotdon("items", "import", str(csv))
    assert first.returncode == 0, first.stderr
    assert "2 created, 0 updated" in first.stdout

    csv.write_text(
        "sku,name,price,stock,weight_g\n"
        "AO-001,Áo thun trắng,135000,80,200\n"
        "MU-003,Mũ lưỡi trai,90000,2,100\n",
        encoding="utf-8",
    )
    second = chotdon("items", "import", str(csv))
    assert "1 created, 1 updated" in second.stdout

    catalog = in_thread(_catalog(chotdon.database_url))
    assert catalog["AO-001"]["price"] == 135_000 and catalog["AO-001"]["stock"] == 80
    assert catalog["QUAN-002"]["price"] == 320_000
    assert set(catalog) == {"AO-001", "QUAN-002", "MU-003"}


def test_a_bad_csv_row_names_its_line_and_imports_nothing(chotdon):
    csv = chotdon.directory / "items.csv"
    csv.write_text(
        "sku,name,price,stock,weight_g,code\nAO-001,Áo,150000,100,200,A1\nQUAN-002,Quần,abc,5,1,\n",
        encoding="utf-8",
    )
    result = chotdon("items", "import", str(csv))
    assert result.returncode == 1
    assert "Line 3: price" in one_line_error(result)
    assert in_thread(_catalog(chotdon.database_url)) == {}


def test_an_import_the_database_stops_says_how_far_it_got_and_running_it_again_finishes(chotdon):
    csv = chotdon.directory / "items.csv"
    lines = "".join(f"S{i:04d},Item {i},{1000 + i},{i % 9},100,\n" for i in range(1200))
    csv.write_text("sku,name,price,stock,weight_g,code\n" + lines, encoding="utf-8")
    assert chotdon("db", "upgrade").returncode == 0
    database = chotdon.directory / "chotdon.db"
    with sqlite3.connect(database) as connection:  # the database refuses item 1001 on
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON items WHEN NEW.sku = 'S1000' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
        )
    stopped = chotdon("items", "import", str(csv))
    assert stopped.returncode == 1
    line = one_line_error(stopped)
    assert "Imported 1000 of 1200 items from items.csv (1000 created, 0 updated)" in line
    assert "stopped at item 1001: refused by the test trigger" in line
    assert "Run the same command again to finish" in line
    with sqlite3.connect(database) as connection:
        connection.execute("DROP TRIGGER refuse")

    again = chotdon("items", "import", str(csv))
    assert again.returncode == 0, again.stderr
    assert "200 created, 1000 updated" in again.stdout
    catalog = in_thread(_catalog(chotdon.database_url))
    assert len(catalog) == 1200 and catalog["S1000"]["price"] == 2000


def test_a_bad_setting_stops_with_one_line_naming_it_and_exit_2(chotdon, tmp_path):
    from_dotenv = Chotdon(tmp_path / "elsewhere", chotdon.database_url)
    from_dotenv.directory.mkdir()
    (from_dotenv.directory / ".env").write_text("CHOTDON_LANGUAGE=fr\n")
    runs = {
        "TELEGRAM_STAFF_CHAT_ID": chotdon.start("staff", "list", TELEGRAM_STAFF_CHAT_ID="abc"),
        "CHOTDON_LANGUAGE": from_dotenv.start("staff", "list"),
    }
    for variable, process in runs.items():
        result = finish(process)
        assert result.returncode == 2
        assert variable in one_line_error(result)


def test_outbox_list_shows_what_needs_a_person_and_retry_queues_a_dead_job(db_url, tmp_path):
    chotdon = Chotdon(tmp_path, db_url)
    dead, _ = in_thread(_seed_outbox(db_url))

    listed = chotdon("outbox", "list")
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split() == ["ID", "KIND", "STATUS", "ATTEMPTS", "NEXT_ATTEMPT", "LAST_ERROR"]
    shown = [row.split(maxsplit=5) for row in rows]
    error = "HTTPStatusError: 502 from GHN"
    assert shown == [[str(dead), "carrier.create_shipment", "dead", "10/10", "-", error]]

    assert chotdon("outbox", "retry", str(dead)).returncode == 0
    job = in_thread(_job(db_url, dead))
    assert (job.status, job.attempts) == ("pending", 0)
