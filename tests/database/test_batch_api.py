"""`POST /api/orders/batch` through real HTTP, on SQLite and PostgreSQL: one action over many
orders, each through the one function, one refusal never stopping the others, every result in
the order the ids were given and worded in the shop's language."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from chotdon.app import create_app
from orders.tables import BatchRun, OrderLine
from tests.carrier_shop import BUYER, GHN_SHOP_ID, GHN_TOKEN, SHOP, open_fakes
from tests.conftest import make_settings
from tests.database.test_api import SHIP_INDIVIDUAL, Api
from tests.factories import seed_items

BATCH = "/api/orders/batch"


@pytest.fixture
async def api(aiohttp_client, db_url: str, sessions: async_sessionmaker[AsyncSession]) -> Api:
    await seed_items(sessions)
    return Api(await aiohttp_client(create_app(make_settings(db_url), run_worker=False)))


async def _batch(api: Api, body: dict[str, Any]) -> list[dict[str, Any]]:
    status, answer = await api.post(BATCH, body)
    assert status == 200, answer
    return answer["results"]


async def test_mixed_ids_each_get_their_result_in_the_order_given(api: Api, sessions) -> None:
    draft = await api.create()
    created = await api.act(await api.create(), "create_order")
    results = await _batch(
        api, {"ids": [created["id"], 999_999, draft["id"]], "action": "create_order"}
    )

    assert [r["id"] for r in results] == [created["id"], 999_999, draft["id"]]
    refused, unknown, done = results
    assert refused["ok"] is False and refused["error"] == "action_not_allowed"
    assert "đang ở trạng thái Chờ vận chuyển" in refused["message"]  # the shop's language
    assert (unknown["ok"], unknown["error"]) == (False, "not_found")
    assert "999999" in unknown["message"]
    assert done["ok"] is True
    assert (done["status"], done["version"]) == ("waiting_for_shipping", draft["version"] + 1)
    # The refusals stopped nothing: the draft really moved, and stock was taken for it.
    _, seen = await api.get(f"/api/orders/{draft['id']}")
    assert seen["status"] == "waiting_for_shipping"
    assert seen["events"][-1]["action"] == "create_order"

    async with sessions() as session:
        run = (await session.scalars(select(BatchRun))).one()
    assert (run.action, run.state, run.done) == ("create_order", "done", 3)
    assert [r["id"] for r in run.results] == [created["id"], 999_999, draft["id"]]


async def test_versions_are_honoured_and_a_stale_one_is_refused(api: Api) -> None:
    first, second = await api.create(), await api.create()
    results = await _batch(
        api,
        {
            "ids": [first["id"], second["id"]],
            "action": "cancel",
            "reason": "khách không nghe máy",
            "versions": {str(first["id"]): first["version"], str(second["id"]): 0},
        },
    )
    assert results[0]["ok"] is True and results[0]["status"] == "cancelled"
    assert results[1] == {
        "id": second["id"],
        "ok": False,
        "error": "stale_version",
        "message": results[1]["message"],
        "code": second["code"],
    }
    assert "vừa được thay đổi" in results[1]["message"]
    _, kept = await api.get(f"/api/orders/{second['id']}")
    assert kept["status"] == "draft"
    _, cancelled = await api.get(f"/api/orders/{first['id']}")
    assert cancelled["events"][-1]["details"]["reason"] == "khách không nghe máy"


async def test_a_flagged_buyer_s_order_is_refused_unless_the_batch_approves(api: Api) -> None:
    risky, fine = (
        await api.create(),
        await api.create(
            customer={
                "name": "Lê Văn B",
                "phone": "0987000111",
                "address": "1 Hàng Bài",
                "ward": "Phường Cửa Nam",
                "province": "Hà Nội",
            }
        ),
    )
    await api.patch(
        f"/api/customers/{risky['customer']['id']}", {"flagged": True, "flag_reason": "bom hàng"}
    )
    ids = [risky["id"], fine["id"]]
    results = await _batch(api, {"ids": ids, "action": "create_order"})
    assert [(r["ok"], r.get("error")) for r in results] == [(False, "risky_buyer"), (True, None)]
    assert "bom hàng" in results[0]["message"]

    approved = await _batch(
        api, {"ids": [risky["id"]], "action": "create_order", "approve_risky": True}
    )
    assert approved[0]["ok"] is True
    _, seen = await api.get(f"/api/orders/{risky['id']}")
    assert seen["events"][-1]["details"]["approved_risky"] is True


async def test_ship_with_one_individual_shipper_and_then_complete_and_collect(api: Api) -> None:
    orders = [await api.create(), await api.create(cod_amount=0)]
    ids = [order["id"] for order in orders]
    shipped = await _batch(api, {"ids": ids, "action": "ship", **SHIP_INDIVIDUAL})
    assert [r["status"] for r in shipped] == ["shipping", "shipping"]
    completed = await _batch(api, {"ids": ids, "action": "complete"})
    assert [r["status"] for r in completed] == ["wait_for_cod", "complete"]
    collected = await _batch(api, {"ids": ids, "action": "collect_cod"})
    assert collected[0]["ok"] is True and collected[0]["status"] == "complete"
    assert collected[1]["error"] == "action_not_allowed"  # prepaid: nothing to collect


@pytest.mark.parametrize(
    ("body", "status", "error", "words"),
    [
        ({"ids": [], "action": "complete"}, 422, "invalid_input", "ids"),
        ({"ids": [1, 1], "action": "complete"}, 422, "invalid_input", "repeat"),
        ({"ids": [1], "action": "fly"}, 422, "invalid_input", "fly"),
        ({"ids": [1], "action": "edit"}, 422, "invalid_input", "edit"),
        ({"ids": [1], "action": "ship"}, 422, "invalid_input", "carrier"),
        ({"ids": [1], "action": "ship", "carrier": "ghn"}, 422, "carrier_not_configured", "GHN"),
        ({"ids": [1], "action": "complete", "carrier": "individual"}, 422, "invalid_input", "ship"),
        ({"ids": [1], "action": "complete", "note": "x"}, 422, "invalid_input", "note"),
        ({"ids": [1], "action": "complete", "version": 1}, 422, "invalid_input", "versions"),
        ({"ids": [1], "action": "complete", "versions": {"2": 1}}, 422, "invalid_input", "'2'"),
        ({"ids": ["1"], "action": "complete"}, 422, "invalid_input", "ids[0]"),
        ({"ids": [0], "action": "complete"}, 422, "invalid_input", "ids[0]"),
        ({"ids": list(range(1, 1002)), "action": "complete"}, 422, "too_many_ids", "1000"),
    ],
)
async def test_a_bad_body_is_refused_whole_before_any_order_moves(
    api: Api, body: dict[str, Any], status: int, error: str, words: str
) -> None:
    await api.create()
    answer_status, answer = await api.post(BATCH, body)
    assert (answer_status, answer["error"]) == (status, error), answer
    assert words in answer["message"]
    _, seen = await api.get("/api/orders/1")
    assert seen["status"] == "draft"


async def test_not_json_is_a_400(api: Api) -> None:
    status, answer = await api.call("POST", BATCH, data=b"{ids:")
    assert (status, answer["error"]) == (400, "invalid_json")


async def test_ship_with_a_carrier_quotes_each_order_and_refuses_one_it_cannot_price(
    aiohttp_client, db_url, sessions
) -> None:
    await seed_items(sessions)
    async with open_fakes() as fakes:
        settings = make_settings(
            db_url,
            ghn_api_url=fakes.urls["ghn"],
            ghn_token=GHN_TOKEN,
            ghn_shop_id=GHN_SHOP_ID,
            **SHOP,
        )
        api = Api(await aiohttp_client(create_app(settings, run_worker=False)))
        good = await api.create(customer=BUYER)
        nowhere = await api.create(customer={**BUYER, "ward": "Phường Không Có"})
        results = await _batch(
            api, {"ids": [nowhere["id"], good["id"]], "action": "ship", "carrier": "ghn"}
        )
    refused, asked = results
    assert (refused["ok"], refused["error"]) == (False, "no_quote")
    assert "GHN" in refused["message"] and "chưa gửi đơn" in refused["message"]
    assert asked["ok"] is True and asked["fee"] > 0
    _, seen = await api.get(f"/api/orders/{good['id']}")
    assert seen["shipper"]["kind"] == "ghn" and seen["shipper"]["state"] == "requesting"
    _, untouched = await api.get(f"/api/orders/{nowhere['id']}")
    assert untouched["shipper"] is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
BODIES = st.fixed_dictionaries(
    {},
    optional={
        "ids": st.lists(st.integers(min_value=-2, max_value=2**40) | JSON, max_size=4),
        "action": st.sampled_from(["create_order", "ship", "complete", "cancel", "edit", "x"])
        | JSON,
        "versions": st.dictionaries(
            st.text(max_size=4) | st.sampled_from(["1", "2"]), JSON, max_size=2
        ),
        "carrier": st.sampled_from(["individual", "ghn", ""]) | JSON,
        "shipper_name": JSON,
        "shipper_phone": st.sampled_from(["0987654321"]) | JSON,
        "service": JSON,
        "reason": JSON,
        "approve_risky": JSON,
    },
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODIES | JSON)
async def test_no_body_is_a_500(api: Api, body: Any) -> None:
    status, answer = await api.post(BATCH, body)
    assert status in (200, 400, 422), answer
    if status == 200:
        assert all(set(r) >= {"id", "ok"} for r in answer["results"])
    else:
        assert answer["error"] and answer["message"]


# --- drafts with no line ----------------------------------------------------------------------


async def empty_out(sessions: async_sessionmaker[AsyncSession], order_id: int) -> None:
    """Every line of the draft cancelled by the buyer, as a "huỷ" comment leaves it."""
    async with sessions.begin() as session:
        await session.execute(delete(OrderLine).where(OrderLine.order_id == order_id))


async def test_the_list_can_hide_or_show_only_drafts_with_no_line(api: Api, sessions) -> None:
    empty, full = await api.create(), await api.create()
    await empty_out(sessions, empty["id"])
    listed = {}
    for value in ("", "include", "hide", "only"):
        status, page = await api.get(f"/api/orders?empty_drafts={value}")
        assert status == 200, page
        listed[value] = [order["id"] for order in page["orders"]]
    assert listed[""] == listed["include"] == [full["id"], empty["id"]]
    assert listed["hide"] == [full["id"]]
    assert listed["only"] == [empty["id"]]
    status, refused = await api.get("/api/orders?empty_drafts=maybe")
    assert (status, refused["error"]) == (422, "invalid_input")
    assert "maybe" in refused["message"]
