"""One action over many orders: each order through `OrderService.act`, the one function that
changes an order, so a batch checks, versions, logs and refuses exactly as one tap would.

A refusal of one order never stops the others: it is written as that order's result (the
machine code and a sentence in the shop's language) and the batch goes on. Progress is written to
the `BatchRun` row after each order, in its own short transaction, so a page or a chat can follow
a batch while it runs and read its outcome after the fact; no transaction spans two orders.

Shipping with a partner carrier quotes each order first (`application.quotes`): the cheapest of
the carrier's services is chosen unless staff picked one, and an order the carrier gives no
price for is refused rather than sent blind.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from application import quotes
from application.services import OrderService
from application.shop import ShopProfile
from application.wording.batch import unexpected
from application.wording.refusals import describe
from carriers.base import Carrier
from kernel.tables import utcnow
from orders import queries
from orders.actors import Actor
from orders.errors import InvalidInput, NoQuote, NotFound, OrderError, Reason
from orders.lifecycle import EDIT_ACTIONS, Action
from orders.shipper_kinds import CARRIERS, SHIPPER_KINDS
from orders.tables import BatchRun, Order
from orders.transitions import ShipWith, parse_action

log = logging.getLogger(__name__)

MAX_IDS: Final = 1000  # one batch; a live's 300 drafts fit three times over
RUNNING: Final = "running"
DONE: Final = "done"
STOPPED: Final = "stopped"
# No progress for this long (one order's carrier quote times out far sooner): the process that
# ran it is gone.
ABANDONED: Final = timedelta(minutes=10)
# Actions a batch may take: all but the edits and recording a payment, which need each order's
# own changes or amount.
BATCH_ACTIONS: Final = tuple(
    a.value for a in Action if a not in EDIT_ACTIONS and a is not Action.RECORD_PAYMENT
)


@dataclass(frozen=True)
class Ship:
    """Who carries every parcel of a `ship` batch: one partner carrier (`service` names the
    carrier's service staff picked; empty: the cheapest), or one individual shipper."""

    kind: str
    service: str = ""
    name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class BatchAsk:
    """What staff asked: the action, the orders in their order, and the action's fields."""

    action: str
    ids: tuple[int, ...]
    versions: Mapping[int, int] = field(default_factory=dict)  # absent: the current version
    ship: Ship | None = None
    reason: str = ""
    approve_risky: bool = False
    approve_unpaid: bool = False  # ship transfer or deposit orders whose money has not come

    def params(self) -> dict[str, Any]:
        """The action's fields as the `BatchRun` row keeps them."""
        values: dict[str, Any] = {"approve_risky": self.approve_risky}
        if self.approve_unpaid:
            values["approve_unpaid"] = True
        if self.reason:
            values["reason"] = self.reason
        if self.ship is not None:
            values["ship"] = {
                "kind": self.ship.kind,
                "service": self.ship.service,
                "name": self.ship.name,
                "phone": self.ship.phone,
            }
        if self.versions:
            values["versions"] = {str(k): v for k, v in self.versions.items()}
        return values


@dataclass(frozen=True)
class Result:
    """What happened to one order: done (its status and version now) or refused (why)."""

    id: int
    ok: bool
    status: str = ""
    version: int = 0
    error: str = ""
    message: str = ""
    code: str = ""  # the order's code, for people reading the outcome
    fee: int | None = None  # ship with a carrier: the price quoted
    service: str = ""

    def as_json(self) -> dict[str, Any]:
        """The contract's shape, plus the code and the quoted fee and service when known."""
        if self.ok:
            body: dict[str, Any] = {
                "id": self.id,
                "ok": True,
                "status": self.status,
                "version": self.version,
            }
        else:
            body = {"id": self.id, "ok": False, "error": self.error, "message": self.message}
        if self.code:
            body["code"] = self.code
        if self.fee is not None:
            body["fee"] = self.fee
            body["service"] = self.service
        return body

    @classmethod
    def of_json(cls, data: Mapping[str, Any]) -> Result:
        fee = data.get("fee")
        return cls(
            id=int(data.get("id", 0)),
            ok=bool(data.get("ok")),
            status=str(data.get("status", "")),
            version=int(data.get("version", 0) or 0),
            error=str(data.get("error", "")),
            message=str(data.get("message", "")),
            code=str(data.get("code", "")),
            fee=fee if isinstance(fee, int) else None,
            service=str(data.get("service", "")),
        )


@dataclass(frozen=True)
class BatchView:
    """A batch as a page or chat shows it: how far it got and what happened to each order."""

    id: int
    action: str
    total: int
    done: int
    state: str
    actor: str
    results: tuple[Result, ...]

    @property
    def finished(self) -> bool:
        return self.state != RUNNING

    @property
    def succeeded(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.ok)

    @property
    def refused(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if not r.ok)

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


@dataclass(frozen=True)
class Shipping:
    """The carriers with a token and the shop as sender: what quoting needs."""

    carriers: Mapping[str, Carrier]
    shop: ShopProfile


Progress = Callable[[BatchView], Awaitable[None]]


def check(ask: BatchAsk, carriers: Mapping[str, Carrier]) -> Action:
    """Refuses a batch that cannot start (an unknown action, an edit, a ship without a carrier
    or with one not set up) before any order is touched; returns the action."""
    action = parse_action(ask.action)
    if action in EDIT_ACTIONS or action is Action.RECORD_PAYMENT:
        raise InvalidInput(Reason.UNKNOWN_ACTION, given=action.value, known=list(BATCH_ACTIONS))
    if action is Action.SHIP:
        kind = ask.ship.kind if ask.ship else ""
        offered = [k for k in SHIPPER_KINDS if k not in CARRIERS or k in carriers]
        if kind not in offered:
            raise InvalidInput(Reason.UNKNOWN_CARRIER, field="carrier", given=kind, known=offered)
    return action


async def start(service: OrderService, ask: BatchAsk, actor: Actor) -> int:
    """The `BatchRun` row a batch writes its progress to; its id."""
    async with service.transaction() as session:
        run = BatchRun(
            action=ask.action,
            order_ids=list(ask.ids),
            params=ask.params(),
            actor=actor.name[:255],
            state=RUNNING,
            done=0,
            results=[],
        )
        session.add(run)
        await session.flush()
        return run.id


async def run(
    service: OrderService,
    run_id: int,
    ask: BatchAsk,
    actor: Actor,
    *,
    shipping: Shipping,
    language: str,
    progress: Progress | None = None,
) -> BatchView:
    """Every order of `ask` in turn; the row `run_id` follows. Cancelled (the service
    stopping), the row says `stopped` and the orders not reached are not touched."""
    action = check(ask, shipping.carriers)
    results: list[Result] = []
    try:
        for order_id in ask.ids:
            result = await _one(service, order_id, action, ask, actor, shipping, language)
            results.append(result)
            view = await _record(service, run_id, result)
            if progress is not None:
                await progress(view)
    except BaseException:  # cancelled (the service stopping) or the database gone
        await asyncio.shield(_finish(service, run_id, STOPPED))
        raise
    await _finish(service, run_id, DONE)
    found = await read(service, run_id)
    assert found is not None
    return found


async def run_now(
    service: OrderService,
    ask: BatchAsk,
    actor: Actor,
    *,
    shipping: Shipping,
    language: str,
) -> BatchView:
    """Check, start and run a batch, waiting for its end (the JSON API's synchronous form)."""
    check(ask, shipping.carriers)
    run_id = await start(service, ask, actor)
    return await run(service, run_id, ask, actor, shipping=shipping, language=language)


async def read(service: OrderService, run_id: int) -> BatchView | None:
    async with service.reading() as session:
        row = await session.get(BatchRun, run_id)
        return _view(row) if row is not None else None


async def matching_ids(service: OrderService, filters: queries.OrderFilter) -> list[int]:
    """Every order `filters` names (all pages of a tab, not the one shown), newest first as
    the list shows them, at most `MAX_IDS + 1` so a caller can say "too many"."""
    async with service.reading() as session:
        query = queries.narrowed(select(Order.id), filters).order_by(Order.id.desc())
        return list(await session.scalars(query.limit(MAX_IDS + 1)))


async def known_ids(service: OrderService, codes: Sequence[str]) -> dict[str, int]:
    """Orders by the codes staff typed (any case); codes that name no order are absent."""
    wanted = {code.strip().upper() for code in codes if code.strip()}
    if not wanted:
        return {}
    async with service.reading() as session:
        rows = await session.execute(select(Order.code, Order.id).where(Order.code.in_(wanted)))
        return {str(code): int(id_) for code, id_ in rows.all()}


async def _one(
    service: OrderService,
    order_id: int,
    action: Action,
    ask: BatchAsk,
    actor: Actor,
    shipping: Shipping,
    language: str,
) -> Result:
    code = ""
    try:
        async with service.reading() as session:
            code, version = await _current(session, order_id)
        version = ask.versions.get(order_id, version)
        fee, chosen = None, ""
        if action is Action.SHIP and ask.ship and ask.ship.kind in CARRIERS:
            fee, chosen = await _quoted(service, order_id, ask.ship, shipping)
        view = await service.act(
            order_id,
            action,
            actor=actor,
            version=version,
            ship_with=_ship_with(ask.ship) if action is Action.SHIP else None,
            reason=ask.reason,
            approve_risky=ask.approve_risky,
            approve_unpaid=ask.approve_unpaid,
        )
    except OrderError as refused:
        return Result(
            order_id, False, error=refused.code, message=describe(refused, language), code=code
        )
    except Exception:  # a bug with one order must not stop the others
        log.exception("batch %s: order %s failed unexpectedly", action.value, order_id)
        return Result(order_id, False, error="failed", message=unexpected(language), code=code)
    return Result(
        order_id, True, view.status, view.version, code=view.code or "", fee=fee, service=chosen
    )


async def _current(session: AsyncSession, order_id: int) -> tuple[str, int]:
    row = (
        await session.execute(select(Order.code, Order.version).where(Order.id == order_id))
    ).first()
    if row is None:
        raise NotFound(Reason.NO_ORDER, order=order_id)
    return str(row[0] or f"#{order_id}"), int(row[1])


def _ship_with(ship: Ship | None) -> ShipWith | None:
    return ShipWith(ship.kind, ship.name, ship.phone) if ship else None


async def _quoted(
    service: OrderService, order_id: int, ship: Ship, shipping: Shipping
) -> tuple[int, str]:
    """The fee and service the carrier quotes for the order: the cheapest of its services, or
    the one staff picked; refused when it gives none."""
    carrier = shipping.carriers[ship.kind]
    order, weights = await service.shippable(order_id)
    compared = await quotes.compare({ship.kind: carrier}, order, weights, shipping.shop)
    code = order.code or f"#{order.id}"
    offered = [q for q in compared.quotes if not ship.service or q.service == ship.service]
    if not compared.quotes:
        said = compared.errors.get(ship.kind, "")
        raise NoQuote(Reason.QUOTE_FAILED, order=code, carrier=ship.kind, said=said[:200])
    if not offered:
        raise NoQuote(
            Reason.NO_SERVICE,
            order=code,
            carrier=ship.kind,
            service=ship.service,
            offered=[q.service for q in compared.quotes],
        )
    return offered[0].fee, offered[0].service


async def _record(service: OrderService, run_id: int, result: Result) -> BatchView:
    """One more order handled: a short transaction of its own."""
    async with service.transaction() as session:
        row = await session.get(BatchRun, run_id, with_for_update=True)
        if row is None:
            raise LookupError(f"batch run {run_id} is gone")
        row.results = [*row.results, result.as_json()]
        row.done = len(row.results)
        row.updated_at = utcnow()
        return _view(row)


async def _finish(service: OrderService, run_id: int, state: str) -> None:
    async with service.transaction() as session:
        row = await session.get(BatchRun, run_id)
        if row is not None and row.state == RUNNING:
            row.state = state
            row.updated_at = utcnow()


def _state(row: BatchRun) -> str:
    """A run whose process died (no `stopped` written) would say `running` for ever: one
    that has not moved for `ABANDONED` is shown as stopped, so no page waits on it."""
    if row.state != RUNNING or row.updated_at is None:
        return row.state
    quiet = utcnow().replace(tzinfo=None) - row.updated_at.replace(tzinfo=None)
    return STOPPED if quiet > ABANDONED else RUNNING


def _view(row: BatchRun) -> BatchView:
    return BatchView(
        id=row.id,
        action=row.action,
        total=len(row.order_ids or []),
        done=row.done,
        state=_state(row),
        actor=row.actor,
        results=tuple(Result.of_json(item) for item in row.results or []),
    )
