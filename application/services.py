"""The order use cases as adapters call them: one transaction each, then metrics and a nudge
to the outbox worker. Every door into the domain (API, bot, webhook processors, CLI) uses this,
so none of them handles sessions or commits by itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.database import read_only
from kernel.metrics import Metrics
from orders import carrier_updates, cod, drafts, queries, shipments, transitions
from orders.actors import Actor
from orders.catalog import list_items
from orders.changes import OrderChanges
from orders.history import log_event
from orders.lifecycle import Action
from orders.payments import PaymentIn
from orders.staff import find_staff
from orders.tables import Order
from orders.views import ItemView, OrderPage, OrderView


class OrderService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        metrics: Metrics | None = None,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.metrics = metrics
        self.on_commit = on_commit or (lambda: None)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions.begin() as session:
            yield session
        self.on_commit()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A reader's session: on SQLite it takes no write lock, so an API read or a print
        never waits for, nor holds up, the worker applying a comment storm."""
        async with self.sessions() as session:
            await read_only(session)
            yield session

    def _count(self, action: str, actor: Actor) -> None:
        if self.metrics:
            self.metrics.transitions.labels(action, actor.source.value).inc()

    async def create_draft(self, new: drafts.NewOrder, actor: Actor) -> OrderView:
        async with self.transaction() as session:
            order = await drafts.create_draft(session, new, actor)
            view = await queries.detail_of(session, order)
        self._count("create", actor)
        return view

    async def act(
        self,
        order_id: int,
        action: Action | str,
        *,
        actor: Actor,
        version: int | None,
        changes: OrderChanges | None = None,
        ship_with: transitions.ShipWith | None = None,
        accepted: shipments.Accepted | None = None,
        reason: str = "",
        approve_risky: bool = False,
        approve_unpaid: bool = False,
        payment: PaymentIn | None = None,
    ) -> OrderView:
        async with self.transaction() as session:
            order = await transitions.apply_action(
                session,
                order_id,
                action,
                actor=actor,
                version=version,
                changes=changes,
                ship_with=ship_with,
                accepted=accepted,
                reason=reason,
                approve_risky=approve_risky,
                approve_unpaid=approve_unpaid,
                payment=payment,
            )
            name = transitions.parse_action(action).value
            await session.flush()
            view = await queries.detail_of(session, order)
        self._count(name, actor)
        return view

    async def shipment_accepted(
        self, order_id: int, carrier: str, accepted: shipments.Accepted
    ) -> OrderView:
        """The carrier said yes to `ship`: the order goes to shipping with its tracking code."""
        return await self.act(
            order_id, Action.SHIP, actor=Actor.carrier(carrier), version=None, accepted=accepted
        )

    async def shipment_refused(self, order_id: int, message: str, *, cancelling: bool) -> bool:
        async with self.transaction() as session:
            return await shipments.note_refused(session, order_id, message, cancelling=cancelling)

    async def shipment_waiting(self, order_id: int, attempt: int, message: str) -> None:
        async with self.transaction() as session:
            await shipments.note_waiting(session, order_id, attempt, message)

    async def note(
        self, order_id: int, actor: Actor, action: str, details: dict[str, object]
    ) -> None:
        """An event staff should read that changes nothing (a hand-off delivered, say)."""
        async with self.transaction() as session:
            order = await session.get(Order, order_id)
            if order is None:
                return
            log_event(session, order, actor, action, order.status, order.status, details)

    async def carrier_status(
        self, report: carrier_updates.CarrierReport
    ) -> carrier_updates.Outcome:
        async with self.transaction() as session:
            outcome = await carrier_updates.apply_carrier_status(session, report)
        if outcome is carrier_updates.Outcome.APPLIED:
            self._count("carrier_status", Actor.carrier(report.carrier))
        return outcome

    async def detail(self, order_id: int) -> OrderView:
        async with self.reading() as session:
            return await queries.order_detail(session, order_id)

    async def printable(self, order_id: int) -> tuple[OrderView, int]:
        """The order's view and its weight in grams, read in one session so both describe
        the same moment; printing reads only, so it changes no version and writes no event."""
        async with self.reading() as session:
            view = await queries.order_detail(session, order_id)
            return view, await queries.order_weight_g(session, order_id)

    async def shippable(self, order_id: int) -> tuple[OrderView, dict[str, int]]:
        """The order's view and its items' weights by SKU, for a carrier."""
        async with self.reading() as session:
            view = await queries.order_detail(session, order_id)
            return view, await queries.item_weights(session, order_id)

    async def list_orders(self, filters: queries.OrderFilter) -> OrderPage:
        async with self.reading() as session:
            return await queries.list_orders(session, filters)

    async def items(self) -> list[ItemView]:
        async with self.reading() as session:
            return await list_items(session)

    async def staff_id(self, telegram_id: int) -> int | None:
        """Adapters know staff by Telegram id; orders point at the staff row."""
        async with self.reading() as session:
            staff = await find_staff(session, telegram_id)
            return staff.id if staff else None

    async def debts(self) -> list[cod.ShipperDebt]:
        async with self.reading() as session:
            return await cod.debts(session)
