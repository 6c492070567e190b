"""Button data: what a tap hands back must say exactly which order, version and action, fit
Telegram's 64 bytes, and a stale, forged or garbled button must be refused, never crash."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import callbacks as cb
from orders.lifecycle import Action
from orders.shipper_kinds import SHIPPER_KINDS

ids = st.integers(1, 2**53)
versions = st.integers(0, 10**9)
codes = st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True)

callbacks = st.one_of(
    st.builds(cb.ActionTap, ids, versions, st.sampled_from(sorted(cb.TAP_ACTIONS))),
    st.builds(cb.ShipMenu, ids, versions),
    st.builds(cb.ShipPick, ids, versions, st.sampled_from(SHIPPER_KINDS)),
    st.builds(
        cb.ShipPick,
        ids,
        versions,
        st.just(cb.INDIVIDUAL),
        st.from_regex(r"0[0-9]{9}", fullmatch=True),
    ),
    st.builds(cb.EditMenu, ids, versions),
    st.builds(cb.EditPick, ids, versions, st.sampled_from(cb.EDIT_FIELDS)),
    st.builds(cb.FixMenu, ids, versions, ids),
    st.builds(cb.FixCode, ids, versions, ids, codes),
    st.builds(cb.AcceptLine, ids, versions, ids),
    st.builds(cb.OpenCard, ids),
    st.builds(
        cb.ListPage,
        st.sampled_from(cb.TABS),
        st.integers(0, cb.MAX_ROW_ID),
        st.none() | st.integers(1, cb.MAX_ROW_ID),
        st.none() | st.integers(1, cb.MAX_ROW_ID),
    ),
    st.builds(cb.Back, ids, versions),
    st.builds(cb.StopLive, st.integers(1, cb.MAX_ROW_ID)),
    st.just(cb.Close()),
    st.builds(cb.FlagAsk, ids, versions),
    st.builds(cb.Unflag, ids, versions),
    st.builds(cb.Approve, ids, versions, st.just("create_order")),
    st.builds(cb.Approve, ids, versions, st.just("ship"), st.sampled_from(SHIPPER_KINDS)),
    st.builds(
        cb.Approve,
        ids,
        versions,
        st.just("ship"),
        st.just(cb.INDIVIDUAL),
        st.from_regex(r"0[0-9]{9}", fullmatch=True),
    ),
)


@given(callbacks)
def test_every_button_round_trips_and_fits_64_bytes(callback: cb.Callback) -> None:
    data = cb.encode(callback)
    assert len(data.encode("utf-8")) <= cb.MAX_BYTES
    assert cb.decode(data) == callback


@given(st.text(max_size=100))
def test_arbitrary_text_is_refused_with_bad_callback_or_is_canonical(data: str) -> None:
    try:
        callback = cb.decode(data)
    except cb.BadCallback as error:
        assert str(error)
    else:
        assert cb.encode(callback) == data


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["ship", "edit", "fix", "card", "list", "back", "close"]),
            st.sampled_from([a.value for a in Action]),
            st.sampled_from([*SHIPPER_KINDS, *cb.EDIT_FIELDS, *cb.TABS]),
            st.from_regex(r"[-+0-9 ]{0,22}", fullmatch=True),
            st.from_regex(r"[sv][-+0-9 ]{0,12}", fullmatch=True),  # list filters
            codes,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_near_miss_fields_never_escape_as_anything_but_bad_callback(fields: list[str]) -> None:
    data = ":".join(fields)
    try:
        callback = cb.decode(data)
    except cb.BadCallback:
        return
    assert cb.encode(callback) == data


WORST = 2**53

EXAMPLES = [
    ("complete:123:4", cb.ActionTap(123, 4, Action.COMPLETE)),
    ("return:7:0", cb.ActionTap(7, 0, Action.RETURN)),
    ("ship:123:4", cb.ShipMenu(123, 4)),
    ("ship:123:4:ghtk", cb.ShipPick(123, 4, "ghtk")),
    ("ship:123:4:individual", cb.ShipPick(123, 4, "individual")),
    ("ship:123:4:individual:0987654321", cb.ShipPick(123, 4, "individual", "0987654321")),
    ("edit:123:4", cb.EditMenu(123, 4)),
    ("edit:123:4:shipping_fee", cb.EditPick(123, 4, "shipping_fee")),
    ("fix:123:4:88", cb.FixMenu(123, 4, 88)),
    ("fix:123:4:88:A1", cb.FixCode(123, 4, 88, "A1")),
    ("accept:123:4:88", cb.AcceptLine(123, 4, 88)),
    ("card:123", cb.OpenCard(123)),
    ("list:wait_for_cod:20", cb.ListPage("wait_for_cod", 20)),
    ("list:all:0:s3", cb.ListPage("all", 0, staff=3)),
    ("list:shipping:120:v7", cb.ListPage("shipping", 120, live=7)),
    ("list:draft:120:s3:v7", cb.ListPage("draft", 120, staff=3, live=7)),
    (
        f"list:waiting_for_shipping:{cb.MAX_ROW_ID}:s{cb.MAX_ROW_ID}:v{cb.MAX_ROW_ID}",
        cb.ListPage("waiting_for_shipping", cb.MAX_ROW_ID, cb.MAX_ROW_ID, cb.MAX_ROW_ID),
    ),
    ("back:123:4", cb.Back(123, 4)),
    ("close", cb.Close()),
    ("flag:12:3", cb.FlagAsk(12, 3)),
    ("unflag:12:3", cb.Unflag(12, 3)),
    ("ok:12:3:create_order", cb.Approve(12, 3, "create_order")),
    ("edit:12:3:discount", cb.EditPick(12, 3, "discount")),
    ("edit:12:3:price", cb.EditPick(12, 3, "price")),
    ("new:7:keep", cb.NewOrderTap(7, "keep")),
    ("stop:7", cb.StopLive(7)),
    (f"stop:{cb.MAX_ROW_ID}", cb.StopLive(cb.MAX_ROW_ID)),
    (f"new:{cb.MAX_ROW_ID}:cancel", cb.NewOrderTap(cb.MAX_ROW_ID, "cancel")),
    ("ok:12:3:ship:ghn", cb.Approve(12, 3, "ship", "ghn")),
    (
        f"ok:{WORST}:{cb.MAX_VERSION}:ship:individual:0912345678",
        cb.Approve(WORST, cb.MAX_VERSION, "ship", "individual", "0912345678"),
    ),
    (
        f"fix:{WORST}:{cb.MAX_VERSION}:{WORST}:ABCD1234-XYZ",
        cb.FixCode(WORST, cb.MAX_VERSION, WORST, "ABCD1234-XYZ"),
    ),
    (
        f"print_shipping_note:{WORST}:{cb.MAX_VERSION}",
        cb.ActionTap(WORST, cb.MAX_VERSION, Action.PRINT_SHIPPING_NOTE),
    ),
]


@pytest.mark.parametrize(("data", "callback"), EXAMPLES)
def test_the_documented_grammar(data: str, callback: cb.Callback) -> None:
    assert cb.encode(callback) == data
    assert cb.decode(data) == callback
    assert len(data.encode()) <= 64


@pytest.mark.parametrize("action", sorted(cb.TAP_ACTIONS))
def test_action_name_and_order_id_are_fields_of_the_data(action: Action) -> None:
    fields = cb.encode(cb.ActionTap(991, 5, action)).split(":")
    assert action.value in fields and "991" in fields


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (None, "no data"),
        ("", "no data"),
        ("complete:1:2" + "0" * 60, "over 64"),
        ("complete:１:2", "ASCII"),
        ("launch:1:2", "unknown button kind 'launch'"),
        ("complete:1", "takes 3 fields"),
        ("complete:01:2", "not a plain decimal"),
        ("complete:+1:2", "not a plain decimal"),
        ("complete: 1:2", "not a plain decimal"),
        ("complete:1_0:2", "not a plain decimal"),
        ("complete:0:2", "outside 1.."),
        (f"complete:{2**53 + 1}:2", "outside 1.."),
        (f"complete:1:{2**31}", "outside 0.."),
        ("ship:1:2:dhl", "unknown carrier 'dhl'"),
        ("ship:1:2:ghn:0", "only an individual shipper"),
        ("ship:1:2:individual:100", "not a phone"),
        ("ship:1:2:individual:+84987654321", "not a phone"),
        ("ship:1:2:ghn:0987654321", "only an individual shipper"),
        ("edit:1:2:prices", "unknown field 'prices'"),
        ("fix:1:2:3:A1?", "must be 1..12"),
        ("fix:1:2:3:", "must be 1..12"),
        ("list:paid:0", "unknown tab 'paid'"),
        ("list:all", "takes 3 or 4 or 5 fields"),
        ("list:all:01", "not a plain decimal"),
        (f"list:all:{2**31}", "outside 0.."),
        ("list:all:0:v1:s2", "not s<staff id> then v<live id>"),
        ("list:all:0:s1:s2", "not s<staff id> then v<live id>"),
        ("list:all:0:x1", "not s<staff id> then v<live id>"),
        ("list:all:0:s01", "not a plain decimal"),
        ("list:all:0:s", "not a plain decimal"),
        ("list:all:0:v0", "outside 1.."),
        ("list:all:0:s1:v2:v3", "takes 3 or 4 or 5 fields"),
        ("close:1", "takes 1 fields"),
        ("ship:1:2:individual:", "not a phone"),
    ],
)
def test_bad_buttons_say_what_is_wrong(data: str | None, reason: str) -> None:
    with pytest.raises(cb.BadCallback, match=re.escape(reason)):
        cb.decode(data)


def test_bad_values_are_refused_when_the_button_is_drawn_too() -> None:
    with pytest.raises(cb.BadCallback, match="not a plain tap"):
        cb.ActionTap(1, 1, Action.SHIP)
    with pytest.raises(cb.BadCallback, match=r"must be 1\.\.12"):
        cb.FixCode(1, 1, 1, "QUÁ-DÀI")
    with pytest.raises(cb.BadCallback, match="must be an integer"):
        cb.OpenCard(True)
    assert issubclass(cb.BadCallback, ValueError)
