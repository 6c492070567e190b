"""The staff bot as a shop meets it, everything real but the far ends: a signed Facebook comment
lands, the inbox makes the draft, the outbox posts its card to the fake Telegram group, staff
tap and reply through `/telegram/webhook`, a fake GHN accepts parcels and reports on them, and
the card follows every change in place."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from api.deps import API
from application.chat_prompts import prompt_at
from application.live_sessions import open_session, parse_codes
from bot import callbacks as cb
from bot.lifecycle import BOT
from bot.webhook import SECRET_HEADER
from chotdon.runtime import RUNTIME
from kernel.http import signatures
from livestream.simulate import SimulatedComment, webhook_body
from orders.staff import add_staff
from tests.carrier_shop import Shop, open_shop
from tests.conftest import GROUP, SECRET
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram, Message
from tests.helpers import DEADLINE_S, eventually

STAFF, OTHER_STAFF, STRANGER = 1001, 1002, 2002
FB_SECRET = "fb-app-secret"
PAGE = "999000111"
VIDEO = "776655443322"


@pytest.fixture
async def shop(root: str, sqlite_url: str) -> AsyncIterator[Shop]:
    async with open_shop(
        sqlite_url,
        telegram_bot_token=DEFAULT_TOKEN,
        telegram_api_url=root,
        telegram_staff_chat_id=GROUP,
        telegram_webhook_secret=SECRET,
        public_url="https://shop.example",
        facebook_app_secret=FB_SECRET,
        facebook_page_id=PAGE,
    ) as shop:
        runtime = shop.app[RUNTIME]
        async with runtime.sessions.begin() as session:
            await add_staff(session, STAFF, "Lan", "sales")
            await add_staff(session, OTHER_STAFF, "Minh", "cashier")
            await open_session(session, VIDEO, codes=parse_codes("A1=AO-001,B3=QUAN-002"))
        await asyncio.wait_for(shop.app[BOT].started.wait(), DEADLINE_S)
        yield shop


class Group:
    """The staff group as people in it see it and act in it."""

    def __init__(self, shop: Shop, fake: FakeTelegram) -> None:
        self.shop, self.fake = shop, fake

    async def card_of(self, order_id: int, check: Callable[[Message], bool], what: str) -> Message:
        """The card of the order once it shows what `check` looks for."""

        def of_order(message: Message) -> bool:
            fields = [d.split(":") for d in message.callback_data]
            return any(f[0] != "card" and f[1:2] == [str(order_id)] for f in fields)

        async def seen() -> Message | None:
            for message in self.fake.bot_messages(GROUP):
                if of_order(message) and check(message):
                    return message
            return None

        return await eventually(seen, what)

    async def current_card(self, order_id: int, what: str) -> Message:
        """The card once it shows the order as it is now: its buttons carry the version."""
        order = await self.shop.order(order_id)
        version = str(order["version"])
        return await self.card_of(
            order_id, lambda m: all(d.split(":")[2:3] == [version] for d in m.callback_data), what
        )

    async def post(self, update: dict[str, Any]) -> None:
        async with self.shop.client.post(
            "/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET}
        ) as answer:
            assert answer.status == 200

    async def tap(self, user: int, message: Message, data: str) -> dict[str, Any]:
        update = self.fake.callback_update(self.fake.user(user), GROUP, message.message_id, data)
        await self.post(update)
        query_id = update["callback_query"]["id"]

        async def answered() -> dict[str, Any] | None:
            return self.fake.callback_answers.get(query_id)

        return await eventually(answered, f"the answer to {data}")

    async def reply(self, user: int, to: Message, typed: str) -> dict[str, Any]:
        update = self.fake.reply_update(self.fake.user(user), GROUP, to.message_id, typed)
        await self.post(update)
        return update

    def last_id(self) -> int:
        return max((m.message_id for m in self.fake.chat(GROUP)), default=0)

    async def ask(self, card: Message, callback: cb.Callback) -> Message:
        """Tap a button that makes the bot ask something; the prompt it posts."""
        newer_than = self.last_id()
        await self.tap(STAFF, card, cb.encode(callback))

        async def seen() -> Message | None:
            prompts = [
                m
                for m in self.fake.bot_messages(GROUP)
                if m.reply_to_message_id == card.message_id and m.message_id > newer_than
            ]
            return prompts[-1] if prompts else None

        prompt = await eventually(seen, "the bot's prompt under the card")
        # A person reads the question before answering: by then the bot has recorded it (it
        # posts the prompt first, since the record holds the message's id).
        service = self.shop.client.app[API].orders

        async def recorded() -> bool:
            return await prompt_at(service, GROUP, prompt.message_id) is not None

        await eventually(recorded, "the prompt recorded")
        return prompt


def button(message: Message, prefix: str) -> str:
    [data] = [d for d in message.callback_data if d.startswith(prefix + ":") and d.count(":") == 2]
    return data


def has_button(prefix: str) -> Callable[[Message], bool]:
    return lambda message: any(d.startswith(prefix + ":") for d in message.callback_data)


async def comment(shop: Shop, text: str, *, buyer: str = "fb-77", n: int = 1) -> None:
    said = SimulatedComment(VIDEO, f"{VIDEO}_{n}", buyer, "Nguyễn Thị Hoa", text, 1_764_600_000)
    body = webhook_body([said], page_id=PAGE)
    headers = {signatures.HEADER: signatures.sign(FB_SECRET, body)}
    async with shop.client.post(
        "/webhooks/facebook", data=body, headers={**headers, "Content-Type": "application/json"}
    ) as answer:
        assert answer.status == 200


async def only_order(shop: Shop) -> dict[str, Any]:
    async def made() -> dict[str, Any] | None:
        status, page = await shop.call("GET", "/api/orders")
        return page["orders"][0] if status == 200 and page["orders"] else None

    return await eventually(made, "the draft made from the comment")


async def test_from_a_comment_to_cod_collected_by_tapping_in_the_group(shop: Shop, fake):
    group = Group(shop, fake)
    await comment(shop, "A1 2 0912345678")
    draft = await only_order(shop)

    card = await group.card_of(draft["id"], has_button("create_order"), "the draft's card")
    assert draft["code"] in (card.text or "") and "0912345678" in (card.text or "")
    assert "A1" in (card.text or "")

    # A stranger's tap changes nothing.
    refused = await group.tap(STRANGER, card, button(card, "create_order"))
    assert refused["show_alert"] and (await shop.order(draft["id"]))["status"] == "draft"

    # The comment had no address: staff type it in reply to the bot's prompt.
    version = _v(card, "create_order")
    prompt = await group.ask(card, cb.EditPick(draft["id"], version, "address"))
    await group.reply(STAFF, prompt, "45 Lê Lợi, P. Bến Thành, TP HCM")
    await shop.wait_for(draft["id"], lambda o: o["customer"]["ward"], "the address")
    card = await group.card_of(
        draft["id"], lambda m: "Bến Thành" in (m.text or ""), "the card with the address"
    )

    await group.tap(STAFF, card, button(card, "create_order"))
    await shop.wait_for(draft["id"], lambda o: o["status"] == "waiting_for_shipping", "created")
    card = await group.current_card(draft["id"], "the card of the created order")
    assert "send_to_shop" in [d.split(":")[0] for d in card.callback_data]

    prompt = await group.ask(card, cb.ShipPick(draft["id"], _v(card, "ship"), "individual"))
    await group.reply(STAFF, prompt, "Anh Tuấn 0987654321")
    await shop.wait_for(draft["id"], lambda o: o["status"] == "shipping", "shipping")
    card = await group.current_card(draft["id"], "the shipping card")
    assert "Anh Tuấn" in (card.text or "")

    await group.tap(STAFF, card, button(card, "complete"))
    await shop.wait_for(draft["id"], lambda o: o["status"] == "wait_for_cod", "delivered")
    card = await group.current_card(draft["id"], "waiting for COD")
    await group.tap(OTHER_STAFF, card, button(card, "collect_cod"))

    done = await shop.wait_for(draft["id"], lambda o: o["status"] == "complete", "complete")
    card = await group.current_card(draft["id"], "the completed card")
    assert not has_button("collect_cod")(card)
    assert card.message_id == (await _first_card(group, draft["id"])).message_id  # edited
    assert [e["action"] for e in done["events"]][-2:] == ["complete", "collect_cod"]


async def test_two_staff_tapping_at_once_give_one_transition(shop: Shop, fake):
    group = Group(shop, fake)
    order = await shop.create()
    card = await group.card_of(order["id"], has_button("create_order"), "the card")

    answers = await asyncio.gather(
        group.tap(STAFF, card, button(card, "create_order")),
        group.tap(OTHER_STAFF, card, button(card, "create_order")),
    )

    now = await shop.order(order["id"])
    assert now["status"] == "waiting_for_shipping" and now["version"] == order["version"] + 1
    assert sorted(bool(a.get("show_alert")) for a in answers) == [False, True]


async def test_a_carrier_webhook_edits_the_card(shop: Shop, fake):
    group = Group(shop, fake)
    order = await shop.shipping_order("ghn")
    card = await group.card_of(
        order["id"], lambda m: order["shipper"]["tracking_code"] in (m.text or ""), "shipped card"
    )
    edits = card.edits

    await shop.report("ghn", "status_delivered.json", order)

    delivered = await shop.wait_for(order["id"], lambda o: o["status"] != "shipping", "delivered")
    card = await group.card_of(order["id"], lambda m: m.edits > edits, "the card after GHN spoke")
    assert delivered["status"] in {"wait_for_cod", "complete"}
    assert card.message_id == (await _first_card(group, order["id"])).message_id


def _v(card: Message, prefix: str) -> int:
    return int(button(card, prefix).split(":")[2])


async def _first_card(group: Group, order_id: int) -> Message:
    return await group.card_of(order_id, lambda m: True, "the order's card")
