"""What Prometheus scrapes: requests, transitions by action, and the outbox backlog."""

from __future__ import annotations

from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from tests.conftest import API_TOKEN, make_settings
from tests.factories import seed_items

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
ORDER = {
    "customer": {
        "name": "Lê Văn An",
        "phone": "0901234567",
        "address": "3 Trần Phú",
        "ward": "Phường Hải Châu",
        "province": "Đà Nẵng",
    },
    "lines": [{"code": "A1", "quantity": 1}],
}


async def test_metrics_count_requests_transitions_and_backlog(aiohttp_client, sqlite_url):
    app = create_app(make_settings(sqlite_url), run_worker=False)
    client = await aiohttp_client(app)
    runtime = app[RUNTIME]
    await seed_items(runtime.sessions)
    created = await (await client.post("/api/orders", json=ORDER, headers=AUTH)).json()
    answer = await client.post(
        f"/api/orders/{created['id']}/actions/create_order", json={"version": 1}, headers=AUTH
    )
    assert answer.status == 200
    await runtime.worker.refresh_backlog()

    scrape = await client.get("/metrics")
    assert scrape.status == 200 and scrape.content_type.startswith("text/plain")
    text = await scrape.text()
    assert 'chotdon_order_transitions_total{action="create_order",source="api"} 1.0' in text
    assert 'chotdon_order_transitions_total{action="create",source="api"} 1.0' in text
    assert 'chotdon_http_requests_total{method="POST",route="/api/orders",status="201"} 1.0' in text
    # One card update queued per change, nothing delivered yet: the worker is not running.
    assert 'chotdon_outbox_backlog{status="pending"} 2.0' in text


async def test_healthz_answers_ok_when_the_database_does(aiohttp_client, sqlite_url):
    client = await aiohttp_client(create_app(make_settings(sqlite_url), run_worker=False))
    answer = await client.get("/healthz")
    assert answer.status == 200 and await answer.json() == {"status": "ok"}
