"""New drafts: buyers recognised, text made storable, codes resolved through a session table."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from orders.changes import LineInput
from orders.drafts import NewOrder
from orders.errors import InvalidInput
from orders.tables import Customer
from tests.factories import BUYER, STAFF, draft, seed_items


async def test_order_codes_are_short_and_unique(sessions, service):
    await seed_items(sessions)
    first, second = await draft(service), await draft(service)
    assert first.code != second.code
    assert first.code.startswith("DH") and len(first.code) == 8


async def test_the_same_buyer_keeps_one_customer_record(sessions, service):
    await seed_items(sessions)
    await draft(service)
    await draft(service, buyer=replace(BUYER, facebook_id=None))  # same phone
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Customer)) == 1


async def test_text_is_stored_in_nfc(sessions, service):
    await seed_items(sessions)
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hoa")
    order = await draft(service, buyer=replace(BUYER, name=decomposed))
    assert order.customer.name == unicodedata.normalize("NFC", "Nguyễn Thị Hoa")


@pytest.mark.parametrize(
    ("field", "value"), [("name", "x" * 256), ("street", "nhà\x00số 5"), ("province", "\ud800")]
)
async def test_text_that_cannot_be_stored_is_refused_by_name(sessions, service, field, value):
    await seed_items(sessions)
    with pytest.raises(InvalidInput) as refused:
        await draft(service, buyer=replace(BUYER, **{field: value}))
    assert refused.value.field in {"buyer_name", field}


async def test_a_session_code_table_overrides_default_codes(sessions, service):
    await seed_items(sessions)
    order = await service.create_draft(
        NewOrder(
            buyer=BUYER,
            lines=[LineInput(quantity=1, code="a1"), LineInput(quantity=1, code="x5")],
            source="livestream",
            codes={"a1": "QUAN-002"},
        ),
        STAFF,
    )
    first, second = order.lines
    assert (first.sku, first.code, first.needs_review) == ("QUAN-002", "A1", False)
    assert (second.sku, second.code, second.needs_review) == (None, "X5", True)


async def test_a_manual_order_refuses_an_unknown_code(sessions, service):
    await seed_items(sessions)
    with pytest.raises(InvalidInput, match="Z9"):
        await draft(service, lines=[LineInput(quantity=1, code="Z9")])
