"""Outbox handlers that ask partner carriers to create or cancel a shipment.

They run after the staff's transaction has committed, so a carrier that is slow, down or
saying no never holds a database lock or loses a tap. Creating is idempotent on our order
code: when an earlier try may have reached the carrier (a timeout, a lost answer), the carrier
is asked for the shipment it already has before it is asked to make one. Whatever happens ends
on the order: the carrier's yes moves it to shipping, its no is written there for staff, and
while it does not answer the card says that we keep trying.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import NoReturn

from application.services import OrderService
from carriers.base import Carrier, CarrierError, Contact, Instruction, Shipment
from carriers.parcels import parcel_from_snapshot
from kernel.outbox.worker import Delivery, Handler, PermanentFailure
from orders.actors import Actor
from orders.errors import OrderError
from orders.lifecycle import Action
from orders.outbox import CARRIER_CANCEL_SHIPMENT, CARRIER_CREATE_SHIPMENT
from orders.shipments import CANCELLING, REQUESTING, Accepted

log = logging.getLogger(__name__)


def outbox_handlers(
    carriers: Mapping[str, Carrier],
    orders: OrderService,
    *,
    sender: Contact,
    instruction: Instruction,
) -> dict[str, Handler]:
    jobs = ShippingJobs(carriers, orders, sender, instruction)
    return {CARRIER_CREATE_SHIPMENT: jobs.create, CARRIER_CANCEL_SHIPMENT: jobs.cancel}


class ShippingJobs:
    def __init__(
        self,
        carriers: Mapping[str, Carrier],
        orders: OrderService,
        sender: Contact,
        instruction: Instruction,
    ) -> None:
        self.carriers = carriers
        self.orders = orders
        self.sender = sender
        self.instruction = instruction

    async def create(self, job: Delivery) -> None:
        order_id, carrier = await self._order_and_carrier(job, cancelling=False)
        order, weights = await self.orders.shippable(order_id)
        shipper = order.shipper
        asked = (shipper.state, shipper.attempt, shipper.kind) if shipper else (None, None, None)
        if shipper is None or asked != (REQUESTING, job.payload.get("attempt"), carrier.name):
            # Cancelled, or asked again since: this request is over. If an earlier try did
            # reach the carrier, that parcel must not go out.
            await self._withdraw(carrier, order.code or "", f"order is {order.status}")
            return
        parcel = parcel_from_snapshot(
            order, sender=self.sender, weights=weights, instruction=self.instruction
        )
        try:
            shipment = await self._existing(carrier, parcel.order_code, job, shipper.attempt)
            shipment = shipment or await carrier.create_shipment(parcel)
        except CarrierError as error:
            await self._failed(job, order_id, error, cancelling=False)
        accepted = Accepted(shipment.tracking_code, shipment.fee, shipment.expected_delivery)
        try:
            await self.orders.shipment_accepted(order_id, carrier.name, accepted)
        except OrderError as error:
            log.warning("order %s moved on while %s created it: %s", order_id, carrier.name, error)
            await self._cancel_quietly(carrier, shipment)

    async def cancel(self, job: Delivery) -> None:
        order_id, carrier = await self._order_and_carrier(job, cancelling=True)
        order = await self.orders.detail(order_id)
        shipper = order.shipper
        if shipper is None or shipper.state != CANCELLING:
            return  # the carrier's own report settled it meanwhile
        shipment = Shipment(carrier.name, shipper.tracking_code or "", order.code or "", 0)
        try:
            await carrier.cancel(shipment)
        except CarrierError as error:
            await self._failed(job, order_id, error, cancelling=True)
        try:
            await self.orders.act(
                order_id,
                Action.CANCEL,
                actor=Actor.carrier(carrier.name),
                version=None,
                reason="cancelled at the shop's request",
            )
        except OrderError as error:
            log.warning(
                "%s cancelled %s, but the order moved on: %s", carrier.name, order_id, error
            )

    async def _order_and_carrier(self, job: Delivery, *, cancelling: bool) -> tuple[int, Carrier]:
        try:
            order_id = int(job.payload["order_id"])
            name = str(job.payload["carrier"])
        except (KeyError, TypeError, ValueError) as error:
            raise PermanentFailure(f"{job.kind} job without order_id or carrier") from error
        carrier = self.carriers.get(name)
        if carrier is None:
            message = f"{name} is not configured (no API token): ship with another carrier."
            await self.orders.shipment_refused(order_id, message, cancelling=cancelling)
            raise PermanentFailure(message)
        return order_id, carrier

    async def _existing(
        self, carrier: Carrier, order_code: str, job: Delivery, request: int
    ) -> Shipment | None:
        """Only when an earlier try of this order may have reached the carrier."""
        if job.attempt == 1 and request == 1:
            return None
        return await carrier.find_shipment(order_code)

    async def _failed(
        self, job: Delivery, order_id: int, error: CarrierError, *, cancelling: bool
    ) -> NoReturn:
        """Always raises: the error itself to be retried with backoff, or `PermanentFailure`
        once retrying cannot help or the attempts are spent."""
        if error.retryable and not job.is_last_attempt:
            note = (
                f"{error.carrier} is not answering ({error.message}); trying again "
                f"(attempt {job.attempt} of {job.max_attempts})."
            )
            await self.orders.shipment_waiting(order_id, job.attempt, note)
            raise error
        message = error.message
        if error.retryable:
            message = f"{error.carrier} did not answer in {job.attempt} attempts: {message}"
        await self.orders.shipment_refused(order_id, message, cancelling=cancelling)
        raise PermanentFailure(f"{error.carrier}: {message}") from error

    async def _withdraw(self, carrier: Carrier, order_code: str, why: str) -> None:
        try:
            shipment = await carrier.find_shipment(order_code)
        except CarrierError as error:
            log.warning(
                "%s: cannot check for a stray shipment of %s: %s", carrier.name, order_code, error
            )
            raise
        if shipment is not None:
            log.warning(
                "%s made shipment %s for %s (%s): cancelling it",
                carrier.name,
                shipment.tracking_code,
                order_code,
                why,
            )
            await self._cancel_quietly(carrier, shipment)

    async def _cancel_quietly(self, carrier: Carrier, shipment: Shipment) -> None:
        try:
            await carrier.cancel(shipment)
        except CarrierError as error:
            log.error(
                "%s shipment %s for %s could not be cancelled: %s; cancel it in %s's portal",
                carrier.name,
                shipment.tracking_code,
                shipment.order_code,
                error,
                carrier.name,
            )
