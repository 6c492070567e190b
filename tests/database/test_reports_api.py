"""The reports' JSON API through real HTTP, on SQLite and PostgreSQL: the contract's shapes
exactly, dates read strictly, and refusals naming what was wrong."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from chotdon.app import create_app
from tests.conftest import API_TOKEN, make_settings
from tests.database.test_ingest import VIDEO
from tests.database.test_reports import live, team  # noqa: F401 (fixtures)

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
LIVE_KEYS = [
    # the contract's, in its order
    "video_id",
    "comments",
    "buyers",
    "drafts",
    "created",
    "cancelled",
    "revenue",
    "average_order",
    "top_codes",
    "per_minute",
    # ours
    "title",
    "running",
    "shipped",
    "delivered",
    "returned",
    "conversion",
    "started_at",
    "ended_at",
]
STAFF_KEYS = [
    "telegram_id",
    "name",
    "claimed",
    "created",
    "shipped",
    "delivered",
    "revenue",
    "cod_collected",
]
DAY_KEYS = ["day", "drafts", "created", "shipped", "delivered", "revenue", "cod_collected"]


@pytest.fixture
async def client(aiohttp_client: Any, db_url: str) -> TestClient:
    return await aiohttp_client(create_app(make_settings(db_url), run_worker=False))


async def get(client: TestClient, path: str, headers: dict[str, str] = AUTH) -> tuple[int, Any]:
    async with client.get(path, headers=headers) as response:
        return response.status, await response.json()


async def test_a_lives_report_has_the_contracts_keys_then_ours(
    live: list[int],  # noqa: F811
    client: TestClient,
) -> None:
    status, body = await get(client, f"/api/reports/lives/{VIDEO}")
    assert status == 200, body
    assert list(body) == LIVE_KEYS
    assert {key: body[key] for key in LIVE_KEYS[:8]} == {
        "video_id": VIDEO,
        "comments": 6,
        "buyers": 5,
        "drafts": 5,
        "created": 3,
        "cancelled": 1,
        "revenue": 1_270_000,
        "average_order": 635_000,
    }
    assert body["top_codes"] == [{"code": "B3", "quantity": 3}, {"code": "A1", "quantity": 2}]
    assert body["per_minute"][:3] == [
        {"minute": "2026-03-14T12:00:00+00:00", "comments": 1},
        {"minute": "2026-03-14T12:01:00+00:00", "comments": 1},
        {"minute": "2026-03-14T12:02:00+00:00", "comments": 0},
    ]
    assert len(body["per_minute"]) == 7
    assert {key: body[key] for key in LIVE_KEYS[10:]} == {
        "title": "Live tối thứ Bảy",
        "running": True,
        "shipped": 2,
        "delivered": 1,
        "returned": 1,
        "conversion": 0.6,
        "started_at": "2026-03-14T12:00:00+00:00",
        "ended_at": "2026-03-14T12:06:00+00:00",
    }


async def test_an_unknown_live_is_a_404(client: TestClient) -> None:
    status, body = await get(client, "/api/reports/lives/404404")
    assert status == 404, body
    assert (body["error"], body["reason"]) == ("not_found", "no_live_session")
    assert body["params"] == {"video_id": "404404"}


async def test_the_staff_report_has_the_contracts_shape(
    team: None,  # noqa: F811
    client: TestClient,
) -> None:
    status, body = await get(client, "/api/reports/staff?from=2026-03-10&to=2026-03-11")
    assert status == 200, body
    assert list(body) == ["from", "to", "staff"]
    assert (body["from"], body["to"]) == ("2026-03-10", "2026-03-11")
    assert [list(row) for row in body["staff"]] == [STAFF_KEYS] * 3
    assert body["staff"][0] == {
        "telegram_id": 111,
        "name": "Lan",
        "claimed": 2,
        "created": 1,
        "shipped": 1,
        "delivered": 1,
        "revenue": 660_000,
        "cod_collected": 0,
    }
    assert [row["name"] for row in body["staff"]] == ["Lan", "Minh", "An"]


async def test_the_days_report_lists_every_day(
    team: None,  # noqa: F811
    client: TestClient,
) -> None:
    status, body = await get(client, "/api/reports/days?from=2026-03-10&to=2026-03-12")
    assert status == 200, body
    assert list(body) == ["from", "to", "days"]
    assert [list(row) for row in body["days"]] == [DAY_KEYS] * 3
    assert body["days"][1] == {
        "day": "2026-03-11",
        "drafts": 0,
        "created": 2,
        "shipped": 1,
        "delivered": 1,
        "revenue": 330_000,
        "cod_collected": 330_000,
    }


@pytest.mark.parametrize("report", ["staff", "days"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("to=2026-03-10", "from"),
        ("from=2026-03-10", "to"),
        ("from=2026-02-30&to=2026-03-10", "from"),
        ("from=10/03/2026&to=2026-03-10", "from"),
        ("from=20260301&to=2026-03-10", "from"),
        ("from=2026-03-01&to=2026-03-1", "to"),
        ("from=2026-03-01&to=%F0%9F%92%A5", "to"),
        ("from=2026-03-10&to=2026-03-09", "to"),
        ("from=2026-01-01&to=2027-01-02", "to"),
    ],
)
async def test_a_bad_range_is_a_422_naming_the_field(
    client: TestClient, report: str, query: str, field: str
) -> None:
    status, body = await get(client, f"/api/reports/{report}?{query}")
    assert status == 422, body
    assert body["error"] == "invalid_input"
    named = body.get("field") or body.get("params", {}).get("field")
    assert named == field, body
    assert body["message"]


async def test_the_reports_need_the_token(client: TestClient) -> None:
    status, _ = await get(client, f"/api/reports/lives/{VIDEO}", headers={})
    assert status == 401
    status, _ = await get(client, "/api/reports/staff?from=2026-03-10&to=2026-03-11", headers={})
    assert status == 401
