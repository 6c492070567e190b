"""Messenger events to orders: what a buyer answers to the private reply.

Every event is kept once per `mid` (`BuyerMessage`), with what the service made of it. From a
buyer the service knows (a customer holding the sender's Messenger id): a phone and an address
in the text fill the empty fields of the buyer's open draft; the quick replies `CONFIRM:<code>`
and `CANCEL:<code>` confirm the order or cancel the draft. Each change goes through the order
core (`apply_action`, `orders.confirmations`) with the buyer as actor, so the history says it
was the buyer in Messenger. The service answers each time, in Vietnamese, through the outbox.
A sender nobody knows is kept for staff to attach (`application.buyer_messages`).

Confirming an order that asks money by transfer (or a deposit) while the shop's account is set
(`IngestConfig.bank`) is answered with where to send it (amount, account, holder, the memo to
keep), then the order's VietQR code as a picture (`/t/<token>/vietqr.png`, under
`CHOTDON_PUBLIC_URL`), queued by the answer's job once the answer is out.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from application.comment_replies import (
    CANCEL,
    CONFIRM,
    MAX_ECHO,
    fitted,
    missing_details,
    money,
)
from application.graph_jobs import MESSENGER_REPLY, on_page
from application.wording.messenger import buyer_text, missing_phrase
from kernel.outbox.jobs import Job, enqueue_many
from livestream.config import IngestConfig
from livestream.events import MessengerEvent
from livestream.parser import CodeTable, parse_comment
from livestream.tables import BuyerMessage
from orders.actors import Actor
from orders.addresses import Address, written_address
from orders.changes import OrderChanges
from orders.confirmations import CONFIRMABLE, Confirmation, mark_confirmation, record_confirmation
from orders.errors import OrderError
from orders.lifecycle import Action, Status
from orders.locking import lock_order
from orders.payments import PaymentMethod
from orders.tables import Customer, Order
from orders.transfer_ask import TransferAsk, transfer_ask, vietqr_image_url
from orders.transitions import apply_action
from orders.views import order_row

log = logging.getLogger(__name__)

# What the service did with a message (`BuyerMessage.outcome`).
FILLED = "filled"
CONFIRMED = "confirmed"
DECLINED = "declined"
REFUSED = "refused"  # a payload naming an order that is not the buyer's or cannot take it
NOTHING = "nothing"
NO_DRAFT = "no_draft"
UNLINKED = "unlinked"

CANCEL_REASON = "cancelled by the buyer in Messenger"


@dataclass(frozen=True)
class Answer:
    outcome: str
    order_id: int | None
    reply: str
    image_url: str | None = None  # a picture sent after the reply: the order's VietQR code


async def apply_messages(
    session: AsyncSession, events: Sequence[MessengerEvent], config: IngestConfig
) -> int:
    """Apply `events` in time order, each `mid` once; returns how many were new. The caller
    commits: the messages, the orders' changes and the answers' jobs go together."""
    fresh: dict[str, MessengerEvent] = {}
    for event in sorted(events, key=lambda e: e.at):
        if not config.is_page(event.sender_id):  # a Page's own, whatever the echo flag says
            fresh.setdefault(event.mid, event)
    if not fresh:
        return 0
    seen = set(await session.scalars(select(BuyerMessage.mid).where(BuyerMessage.mid.in_(fresh))))
    todo = [event for mid, event in fresh.items() if mid not in seen]
    senders = {event.sender_id for event in todo}
    customers = {
        c.messenger_id: c
        for c in await session.scalars(select(Customer).where(Customer.messenger_id.in_(senders)))
    }
    jobs: list[Job] = []
    for event in todo:
        customer = customers.get(event.sender_id)
        answer = await _answer(session, customer, event, config) if customer else None
        row = BuyerMessage(
            mid=event.mid,
            page_id=event.page_id,
            sender_id=event.sender_id,
            kind=event.kind,
            text=event.text,
            payload=event.payload,
            at=event.at,
            customer_id=customer.id if customer else None,
            order_id=answer.order_id if answer else None,
            outcome=answer.outcome if answer else UNLINKED,
        )
        if answer and answer.reply and config.page_token_set:
            row.reply = fitted(answer.reply)
            jobs.append(_reply_job(event, answer))
        session.add(row)
    await session.flush()
    await enqueue_many(session, jobs)
    return len(todo)


def _reply_job(event: MessengerEvent, answer: Answer) -> Job:
    payload: dict[str, object] = {
        "recipient_id": event.sender_id,
        "message": fitted(answer.reply),
        "order_id": answer.order_id,
        "replied_to_at": event.at.isoformat(),
    }
    if answer.image_url:
        payload["image_url"] = answer.image_url
    # The Page the buyer wrote to answers, with its own token.
    return Job(MESSENGER_REPLY, f"{MESSENGER_REPLY}:{event.mid}", on_page(payload, event.page_id))


async def _answer(
    session: AsyncSession, customer: Customer, event: MessengerEvent, config: IngestConfig
) -> Answer:
    actor = Actor.buyer(customer.name or "messenger")
    command = _command(event.payload)
    try:
        async with session.begin_nested():  # a refusal leaves nothing half-done
            if command is not None:
                return await _command_answer(session, customer, actor, config, *command)
            return await _text_answer(session, customer, actor, event.text)
    except OrderError as error:
        log.warning("message %s: not applied: %s", event.mid, error)
        return Answer(REFUSED, None, buyer_text("not_saved"))


def _command(payload: str | None) -> tuple[str, str] | None:
    """`CONFIRM:A-12` -> (CONFIRM, A-12); anything else is read as text."""
    for verb in (CONFIRM, CANCEL):
        if payload and payload.startswith(verb):
            code = payload[len(verb) :].strip()
            if code:
                return verb, code
    return None


async def _command_answer(
    session: AsyncSession,
    customer: Customer,
    actor: Actor,
    config: IngestConfig,
    verb: str,
    code: str,
) -> Answer:
    found = await session.scalar(select(Order.id).where(Order.code == code))
    if found is None:
        return Answer(REFUSED, None, buyer_text("not_yours", code=code))
    order = await lock_order(session, found)
    if order.customer_id != customer.id:
        return Answer(REFUSED, None, buyer_text("not_yours", code=code))
    if order.status == Status.CANCELLED.value:
        return Answer(NOTHING, order.id, buyer_text("already_cancelled", code=code))
    if verb == CONFIRM:
        return await _confirm(session, order, actor, config)
    if order.status != Status.DRAFT.value:
        return Answer(REFUSED, order.id, buyer_text("cannot_cancel", code=code))
    cancelled = await apply_action(
        session, order.id, Action.CANCEL, actor=actor, version=order.version, reason=CANCEL_REASON
    )
    mark_confirmation(session, cancelled, Confirmation.DECLINED, actor, new_version=False)
    return Answer(DECLINED, order.id, buyer_text("declined", code=code))


async def _confirm(
    session: AsyncSession, order: Order, actor: Actor, config: IngestConfig
) -> Answer:
    code = order.code or ""
    if order.buyer_confirmation == Confirmation.CONFIRMED.value:
        return Answer(NOTHING, order.id, buyer_text("already_confirmed", code=code))
    if order.status not in CONFIRMABLE:
        return Answer(REFUSED, order.id, buyer_text("cannot_confirm", code=code))
    await record_confirmation(session, order.id, Confirmation.CONFIRMED, actor)
    ask = _asked(order, config)
    if ask is None:
        return Answer(CONFIRMED, order.id, _with_missing(buyer_text("confirmed", code=code), order))
    deposit = order.payment_method == PaymentMethod.DEPOSIT
    thanks = buyer_text("confirmed_deposit" if deposit else "confirmed_transfer", code=code)
    sentences = [_with_missing(thanks, order), _transfer_text(ask, deposit=deposit)]
    image_url = vietqr_image_url(config.public_url, order.tracking_token)
    if image_url:
        sentences.append(buyer_text("transfer.qr"))
    return Answer(CONFIRMED, order.id, " ".join(sentences), image_url)


def _asked(order: Order, config: IngestConfig) -> TransferAsk | None:
    """What the confirmed order asks by transfer now, when the shop's account is set."""
    if config.bank is None or not order.money.awaiting_transfer:
        return None
    return transfer_ask(config.bank, order_row(order))


def _transfer_text(ask: TransferAsk, *, deposit: bool) -> str:
    """Where to send the money, for a buyer typing the transfer by hand (or checking what the
    code fills in): the amount, the account and its holder, the bank's BIN, the memo."""
    holder = buyer_text("transfer.holder", name=ask.account_name) if ask.account_name else ""
    return buyer_text(
        "transfer.deposit" if deposit else "transfer",
        amount=money(ask.amount),
        account=ask.account,
        holder=holder,
        bin=ask.bank_bin,
        memo=ask.memo,
    )


async def _text_answer(
    session: AsyncSession, customer: Customer, actor: Actor, text: str
) -> Answer:
    found = await session.scalar(
        select(Order.id)
        .where(Order.customer_id == customer.id, Order.status == Status.DRAFT.value)
        .order_by(Order.id.desc())
        .limit(1)
    )
    if found is None:
        return Answer(NO_DRAFT, None, buyer_text("no_draft"))
    draft = await lock_order(session, found)
    code = draft.code or ""
    phone, address = _details_in(text)
    new_phone: str | None = None
    place: Address | None = None
    got: list[str] = []
    kept: list[str] = []
    review = False
    if phone and not draft.buyer_phone:
        new_phone = phone
        got.append(buyer_text("got.phone", phone=phone))
    elif phone and phone != draft.buyer_phone:
        kept.append("phone")
    if address and not (draft.street or draft.province):
        place, review = written_address(address)
        got.append(buyer_text("got.address", address=fitted(address, MAX_ECHO)))
    elif address:
        kept.append("address")
    sentences = []
    if got:
        changes = OrderChanges(
            buyer_phone=new_phone,
            street=place.street if place else None,
            ward=place.ward if place else None,
            district=place.district if place else None,
            province=place.province if place else None,
        )
        await apply_action(
            session, draft.id, Action.EDIT, actor=actor, version=draft.version, changes=changes
        )
        if review:
            draft.address_review = True
        sentences.append(buyer_text("filled", got=" và ".join(got), code=code))
    else:
        sentences.append(buyer_text("no_details", code=code))
    if kept:
        sentences.append(buyer_text("kept", code=code, fields=missing_phrase(kept)))
    outcome = FILLED if got else NOTHING
    return Answer(outcome, draft.id, _with_missing(" ".join(sentences), draft))


def _details_in(text: str) -> tuple[str | None, str | None]:
    """The phone and the address a message carries, read by the comments' own parser."""
    try:
        parsed = parse_comment(text, CodeTable())
    except Exception:  # a parser bug costs this message its details, not the inbox
        log.exception("a buyer's message could not be parsed; kept without effect")
        return None, None
    address = parsed.address.strip() if parsed.address else None
    return parsed.phone, address or None


def _with_missing(sentence: str, order: Order) -> str:
    """The sentence, then what the shop still needs to ship (or how to confirm)."""
    missing = missing_details(order)
    if missing:
        return f"{sentence} {buyer_text('ask', missing=missing_phrase(missing))}"
    ending = buyer_text("complete", code=order.code or "")
    if order.buyer_confirmation == Confirmation.AWAITING.value:
        ending = f"{ending} {buyer_text('tap')}"
    return f"{sentence} {ending}"
