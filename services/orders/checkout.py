"""The checkout saga's runner: runs each order's due step, the payment calls included.

Every order whose `due_time` has come is looked at: a new order at once (placing it wakes the
runner), one waiting on its payment when the payment's deadline passes, one whose step was
claimed by a runner that crashed or hung when the claim expires. A step that calls the
payments service is claimed first (its attempt recorded and its due time pushed back), so
replicas never run it twice at once; the call carries an idempotency key derived from the
order, so running it again after a crash repeats nothing at the payments service.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc

from mesh.background import BackgroundLoop
from mesh.clock import utc_now
from mesh.context import ANONYMOUS, IDEMPOTENCY_KEY, principal_var
from mesh.db import UnitOfWork
from meshwork.payments.v1 import payments_service_pb2 as payments_pb
from services.orders import handlers, messages
from services.orders.domain import (
    LOCAL_STEPS,
    Order,
    PaymentOutcome,
    PaymentStatus,
    Step,
    Timeouts,
)
from services.orders.repository import OrderRepository

logger = logging.getLogger("meshwork.orders")

UnitsOfWork = Callable[..., UnitOfWork]
BATCH = 32


class PaymentRefusedError(Exception):
    """The payments service refused the request itself (INVALID_ARGUMENT): no retry helps."""


class PaymentsGateway:
    """The payments service as the checkout calls it: with this service's identity alone
    (payments' contract admits orders, naming the payer), and one idempotency key per
    order and action."""

    def __init__(self, stub: Callable[[], Any]) -> None:
        self._stub = stub  # resolved per call: the channel is created on first use

    async def _call(self, method: str, request: Any, *, key: str = "") -> Any:
        metadata = ((IDEMPOTENCY_KEY, key),) if key else ()
        token = principal_var.set(ANONYMOUS)  # never on behalf of a user being served
        try:
            return await getattr(self._stub(), method)(request, metadata=metadata)
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
                raise PaymentRefusedError(error.details() or "the payment was refused") from error
            raise
        finally:
            principal_var.reset(token)

    async def create(self, order: Order) -> PaymentOutcome:
        reply = await self._call(
            "CreatePayment", messages.payment_request(order), key=order.payment_key
        )
        return messages.payment_outcome(reply.payment)

    async def get(self, payment_id: str) -> PaymentOutcome:
        request = payments_pb.GetPaymentRequest(payment_id=payment_id)
        reply = await self._call("GetPayment", request)
        return messages.payment_outcome(reply.payment)

    async def cancel(self, payment_id: str) -> PaymentOutcome:
        """Cancels the payment; one that can no longer be cancelled is returned as it is."""
        request = payments_pb.CancelPaymentRequest(payment_id=payment_id)
        try:
            reply = await self._call("CancelPayment", request)
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.FAILED_PRECONDITION:
                raise
            return await self.get(payment_id)  # succeeded, failed or processing meanwhile
        return messages.payment_outcome(reply.payment)

    async def refund(self, order: Order) -> None:
        await self._call("CreateRefund", messages.refund_request(order), key=order.refund_key)


@dataclass(frozen=True, slots=True)
class CrashPoint:
    """Kills the process (SIGKILL) right after the first attempt of `step` took effect: the
    recovery tests' fault injection (`OrdersSettings.crash_after_step`); inert when empty."""

    step: str = ""

    def reached(self, step: Step, attempt: int) -> None:
        if self.step == step.value and attempt <= 1:
            logger.warning("crash point after %s: killing the process", step.value)
            os.kill(os.getpid(), signal.SIGKILL)


class CheckoutRunner(BackgroundLoop):
    """Runs the checkout steps that are due, `concurrency` orders at a time."""

    def __init__(
        self,
        units: UnitsOfWork,
        payments: PaymentsGateway,
        timeouts: Timeouts,
        *,
        interval_s: float,
        concurrency: int,
        crash_point: CrashPoint | None = None,
    ) -> None:
        super().__init__("checkout-runner")
        self._units = units
        self._payments = payments
        self._timeouts = timeouts
        self._interval_s = interval_s
        self._slots = asyncio.Semaphore(concurrency)
        self._crash = crash_point or CrashPoint()

    async def run_once(self) -> float:
        async with self._units(read_only=True) as uow:
            due = await OrderRepository(uow.connection).due(utc_now(), limit=BATCH)
        steps = [self._advance(order_id) for order_id in due]
        results = await asyncio.gather(*steps, return_exceptions=True)
        for order_id, result in zip(due, results, strict=True):
            if isinstance(result, Exception):  # its claim expires, then the step is retried
                logger.warning("checkout of order %s: a step failed: %r", order_id, result)
        return 0.0 if len(due) == BATCH else self._interval_s

    async def _advance(self, order_id: str) -> None:
        """Runs the order's steps one after another while they are due."""
        async with self._slots:
            while (order := await self._claim(order_id)) is not None:
                if order.step in LOCAL_STEPS:
                    await handlers.run_local_step(self._units(), order.id, order.step)
                    self._crash.reached(order.step, 1)
                else:
                    await self._remote_step(order)

    async def _claim(self, order_id: str) -> Order | None:
        """The order if its step is due, claimed when it calls the payments service."""
        async with self._units() as uow:
            orders = OrderRepository(uow.connection)
            order = await orders.get(order_id, for_update=True)
            now = utc_now()
            if order is None or order.step == Step.DONE or order.due_time is None:
                return None
            if order.due_time > now:
                return None
            if order.step not in LOCAL_STEPS:
                order.claim(now, self._timeouts)
                await orders.save(order)
                await uow.commit()
        return order

    async def _remote_step(self, order: Order) -> None:
        step, now = order.step, utc_now
        try:
            outcome = await self._call_payments(order)
        except PaymentRefusedError as refused:
            self._crash.reached(step, order.step_attempts)
            if step != Step.CREATE_PAYMENT:  # a compensation cannot be given up: retried later
                logger.error("payments refused %s of order %s: %s", step.value, order.id, refused)
                return
            reason = str(refused)
            await self._apply(order.id, lambda o: o.payment_refused(reason, now()))
            return
        self._crash.reached(step, order.step_attempts)
        if step == Step.REFUND_PAYMENT:
            await self._apply(order.id, lambda o: o.refunded(now()))
        elif (
            step == Step.AWAIT_PAYMENT
            and outcome is not None
            and outcome.status == PaymentStatus.OPEN
        ):
            await self._apply(order.id, lambda o: o.payment_overdue(now()))
        elif outcome is not None:
            await self._apply(order.id, lambda o: o.payment_outcome(outcome, now(), self._timeouts))

    async def _call_payments(self, order: Order) -> PaymentOutcome | None:
        if order.step == Step.CREATE_PAYMENT:
            return await self._payments.create(order)
        if order.step == Step.AWAIT_PAYMENT:
            return await self._payments.get(order.payment_id)
        if order.step == Step.CANCEL_PAYMENT:
            return await self._payments.cancel(order.payment_id)
        await self._payments.refund(order)
        return None

    async def _apply(self, order_id: str, transition: Callable[[Order], bool]) -> None:
        async with self._units() as uow:
            orders = OrderRepository(uow.connection)
            order = await orders.get(order_id, for_update=True)
            if order is not None and transition(order):
                await orders.save(order)
                for event in messages.settled_events(order):
                    uow.add_event(event)
                await uow.commit()
