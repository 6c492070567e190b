from tests.factories import order_in, seed_items


async def test_walk_to_wait_for_cod(sessions, service):
    await seed_items(sessions)
    order = await order_in(service, "wait_for_cod")
    assert order["cod_amount"] == 330_000
