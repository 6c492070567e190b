"""Quotes side by side when one carrier's module breaks: the others' prices still show."""

from __future__ import annotations

from application.quotes import compare
from carriers.base import Quote, ShipmentOrder
from chotdon.app import shop_profile
from tests.conftest import make_settings
from tests.order_views import customer, line, order_view


class _Priced:
    name = "ghtk"

    async def quote(self, order: ShipmentOrder) -> Quote:
        return Quote(self.name, 32_000, "road")


class _Broken:
    """A carrier module with a bug: anything but a `CarrierError` escapes it."""

    name = "ghn"

    async def quote(self, order: ShipmentOrder) -> Quote:
        raise KeyError("total")


SNAPSHOT = order_view(
    code="DH000001",
    customer=customer(
        name="Nguyễn Thị Hoa",
        phone="0987654321",
        address="25 Phố Huế",
        ward="Phường Hai Bà Trưng",
        district="",
        province="Hà Nội",
    ),
    lines=[line(sku="AO-1", name="Áo", quantity=1, unit_price=150_000)],
    cod_amount=150_000,
    subtotal=150_000,
    total=150_000,
    note="",
)


async def test_a_carrier_module_that_breaks_is_named_and_the_others_still_quote(caplog):
    carriers = {"ghn": _Broken(), "ghtk": _Priced()}
    settings = make_settings("sqlite+aiosqlite:///unused.db")

    compared = await compare(carriers, SNAPSHOT, {"AO-1": 200}, shop_profile(settings))  # type: ignore[arg-type]

    assert [(quote.carrier, quote.fee) for quote in compared.quotes] == [("ghtk", 32_000)]
    assert "could not get a price (KeyError)" in compared.errors["ghn"]
    assert "ghn quote failed unexpectedly" in caplog.text
