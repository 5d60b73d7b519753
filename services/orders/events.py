"""The events the orders service reacts to: the outcome of its checkouts' payments."""

from __future__ import annotations

from collections.abc import Callable

from nats.aio.client import Client as NATS

from mesh.db import UnitOfWork
from mesh.events.consumer import Consumer
from mesh.events.envelope import Envelope
from meshwork.payments.v1 import events_pb2 as payments_events
from services.orders import handlers, messages
from services.orders.domain import Timeouts

#: The durable consumer on payments' stream.
PAYMENTS_CONSUMER = "orders-on-payments"


def payments_consumer(
    nc: NATS, unit_of_work: Callable[[], UnitOfWork], timeouts: Timeouts
) -> Consumer:
    """Moves checkouts on as their payments succeed, fail or are cancelled (payments of
    anything but an order carry no order id and are passed over)."""

    async def on_payment(envelope: Envelope, event: messages.PaymentEvent, uow: UnitOfWork) -> None:
        order_id = event.metadata.get(messages.ORDER_ID, "")
        if order_id:
            outcome = messages.outcome_of_event(event)
            await handlers.record_payment_outcome(uow, order_id, outcome, timeouts)

    return Consumer(
        nc,
        unit_of_work,
        name=PAYMENTS_CONSUMER,
        handlers={
            payments_events.PaymentSucceeded: on_payment,
            payments_events.PaymentFailed: on_payment,
            payments_events.PaymentCancelled: on_payment,
        },
    )
