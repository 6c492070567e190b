"""`chotdon live ...` and `chotdon simulate` as a person types them: real processes, a real
database file, and for `simulate` a real `chotdon serve` on a real port."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import API_TOKEN
from tests.e2e.test_cli import Chotdon, finish, one_line_error
from tests.e2e.test_serve import free_port, serving

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SECRET = "simulate-secret"
PAGE = "100000000000001"
DEADLINE_S = 90.0


@pytest.fixture
def chotdon(tmp_path: Path) -> Chotdon:
    chotdon = Chotdon(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'chotdon.db'}")
    imported = chotdon("items", "import", str(SAMPLES / "items.csv"))
    assert imported.returncode == 0, imported.stderr
    return chotdon


def test_live_open_sets_codes_caps_and_default_then_close_and_list(chotdon):
    opened = chotdon(
        "live", "open", "7788", "--title", "Live tối thứ Bảy", "--codes",
        "a01=DAM-MAXI:20,Q9=NON-RONG-VANH", "--default-code", "q09", "--max-qty", "30",
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.startswith("Live 7788 is open for orders: 9 codes (A1=DAM-MAXI:20,")
    assert "default code Q9; max quantity 30." in opened.stdout

    runs = [chotdon.start("live", "open", "9900"), chotdon.start("live", "close", "7788")]
    assert [finish(run).returncode for run in runs] == [0, 0]

    listed = chotdon("live", "list")
    assert listed.returncode == 0, listed.stderr
    header, *rows = [line.split(maxsplit=7) for line in listed.stdout.splitlines()]
    assert header == [
        "VIDEO_ID", "PAGE", "ORDERING", "CODES", "COMMENTS", "ORDERS", "DRAFTS", "TITLE"
    ]  # fmt: skip
    assert rows == [
        ["9900", "-", "open", "8", "0", "0", "0", "-"],
        ["7788", "-", "closed", "9", "0", "0", "0", "Live tối thứ Bảy"],
    ]


def test_live_open_on_instagram_keeps_the_platform_until_told_otherwise(chotdon):
    opened = chotdon("live", "open", "18000000000000042", "--platform", "instagram")
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.startswith("Instagram live 18000000000000042 is open for orders")
    again = chotdon("live", "open", "18000000000000042", "--title", "Live IG")
    assert again.stdout.startswith("Instagram live 18000000000000042"), again.stderr
    refused = chotdon("live", "open", "1", "--platform", "tiktok")
    assert refused.returncode == 2 and "invalid choice: 'tiktok'" in refused.stderr
    database = sqlite3.connect(chotdon.directory / "chotdon.db")
    try:
        query = "select video_id, platform, opened_by from live_sessions"
        rows = database.execute(query).fetchall()
    finally:
        database.close()
    assert rows == [("18000000000000042", "instagram", "staff")]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("live", "open", "1", "--codes", "A1=NO-SUCH-SKU"), "No item in the catalog has SKU NO"),
        (("live", "open", "1", "--codes", "A1"), "is not CODE=SKU"),
        (("live", "open", "1", "--default-code", "Z1"), "default code Z1 is not in"),
        (("live", "open", "1", "--max-qty", "0"), "Max quantity must be between 1 and 10,000"),
        (("live", "close", "404"), "no live session for video 404"),
    ],
    ids=["unknown-sku", "bad-codes", "unknown-default", "max-qty", "close-unknown"],
)
def test_live_mistakes_read_as_one_line(chotdon, args, says):
    result = chotdon(*args)
    assert result.returncode == 1
    assert says in one_line_error(result)


def test_live_list_on_a_fresh_database_says_how_to_start(tmp_path):
    chotdon = Chotdon(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    listed = chotdon("live", "list")
    assert (listed.returncode, listed.stdout.strip()) == (
        0,
        "No live sessions yet: chotdon live open VIDEO_ID",
    )


def test_simulate_needs_the_app_secret_and_a_readable_file(chotdon, tmp_path):
    sample = str(SAMPLES / "livestream.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"video_id": "1", "comment_id": "1_1", "created_time": 1}\nnot json\n')
    unreachable = f"http://127.0.0.1:{free_port()}"
    runs = {
        "FACEBOOK_APP_SECRET: is not set": chotdon.start("simulate", sample),
        "bad.jsonl line 2: not JSON": chotdon.start(
            "simulate", str(bad), FACEBOOK_APP_SECRET=SECRET
        ),
        "Cannot reach": chotdon.start(
            "simulate", sample, "--url", unreachable, FACEBOOK_APP_SECRET=SECRET
        ),
    }
    for says, process in runs.items():
        result = finish(process)
        assert result.returncode == (2 if "APP_SECRET" in says else 1), result.stderr
        assert says in one_line_error(result)


def _inbox(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        return dict(connection.execute("SELECT status, count(*) FROM inbox GROUP BY status"))


def _landed(landing_file: Path) -> int:
    with sqlite3.connect(landing_file) as connection:
        return connection.execute("SELECT count(*) FROM inbox").fetchone()[0]


def test_simulate_plays_the_sample_live_into_a_running_service(chotdon, tmp_path):
    database = tmp_path / "chotdon.db"
    expected = json.loads((SAMPLES / "livestream.expected.json").read_text(encoding="utf-8"))
    settings = {"FACEBOOK_APP_SECRET": SECRET, "FACEBOOK_PAGE_ID": PAGE}
    with serving(
        tmp_path, CHOTDON_DATABASE_URL=chotdon.database_url, CHOTDON_API_TOKEN=API_TOKEN, **settings
    ) as server:
        assert server.get("/healthz").status_code == 200
        played = chotdon(
            "simulate", str(SAMPLES / "livestream.jsonl"), "--url", server.base_url, **settings
        )
        assert played.returncode == 0, played.stderr
        assert played.stdout.strip() == (
            f"Posted {expected['comments']} comments to {server.base_url}/webhooks/facebook: "
            f"{expected['comments']} accepted."
        )

        # Every body landed before simulate returned; the processor copies them into the main
        # file in batches, so "all copied ones done" is not yet "all done".
        landed = _landed(database.with_name("chotdon-inbox.db"))
        deadline = time.monotonic() + DEADLINE_S
        while _inbox(database) != {"done": landed}:
            assert "failed" not in _inbox(database)
            assert time.monotonic() < deadline, f"inbox not handled: {_inbox(database)}"
            time.sleep(0.1)

        answer = httpx.get(
            f"{server.base_url}/api/orders",
            params={"video_id": expected["video_id"], "limit": 200},
            headers={"Authorization": f"Bearer {API_TOKEN}"},
        )
        assert answer.status_code == 200
        buyers = sorted(order["customer"]["facebook_id"] for order in answer.json()["orders"])
        assert buyers == sorted(expected["drafts"])
        assert server.stop() == 0
    assert "Traceback" not in server.log.read_text()


def test_simulate_and_login_links_follow_the_port_the_service_runs_on(chotdon, tmp_path):
    """`PORT=8093 make run`, then `chotdon simulate FILE` without `--url`: it finds the service
    on that port (with no `CHOTDON_PUBLIC_URL`), and so does the login link it prints."""
    port = str(free_port())
    settings = {"FACEBOOK_APP_SECRET": SECRET, "FACEBOOK_PAGE_ID": PAGE, "PORT": port}
    added = chotdon("staff", "add", "4242", "--name", "Lan", "--role", "manager")
    assert added.returncode == 0, added.stderr
    with serving(
        tmp_path, CHOTDON_DATABASE_URL=chotdon.database_url, CHOTDON_API_TOKEN=API_TOKEN, **settings
    ) as server:
        assert server.base_url == f"http://127.0.0.1:{port}"
        assert server.get("/healthz").status_code == 200
        played = chotdon("simulate", str(SAMPLES / "livestream.jsonl"), **settings)
        assert played.returncode == 0, played.stderr
        assert played.stdout.startswith(f"Posted 424 comments to {server.base_url}/webhooks/")
        link = chotdon("login-link", "4242", **settings)
        assert link.returncode == 0, link.stderr
        assert link.stdout.strip().startswith(f"{server.base_url}/login/")
        assert server.stop() == 0
