"""The payments service's use cases: one async function each, the provider called outside
any transaction, the outcome committed with its events (the outbox) in one."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from google.protobuf.message import Message
from sqlalchemy.exc import IntegrityError

from mesh.actor import Actor
from mesh.clock import utc_now
from mesh.db import UnitOfWork
from mesh.idempotency import mark_committed
from mesh.idempotency.keys import caller_of_current_call
from mesh.paging import next_token
from services.payments import commands, messages, validation
from services.payments.domain import (
    Customer,
    Payment,
    PaymentState,
    Refund,
    RefundState,
    visible,
)
from services.payments.errors import customer_not_found, refund_not_found
from services.payments.money import Money
from services.payments.provider import Intent, IntentRequest, PaymentProvider
from services.payments.repository import PaymentRepository

UnitsOfWork = Callable[..., UnitOfWork]


def derived_id(prefix: str, *parts: str) -> str:
    """An id fixed by the caller's key: a retry, even after a crash, names the same payment,
    and so the same provider idempotency key, which never charges twice."""
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]
    return f"{prefix}_{digest}"


def emit(uow: UnitOfWork, events: Iterable[Message]) -> None:
    """Adds payments events to the outbox under ids their idempotency keys fix."""
    for event in events:
        uow.add_event(event, event_id=messages.event_id_of(event))


async def advance_to(
    uow: UnitOfWork, payment: Payment, intent: Intent, *, cancelled_by: str = ""
) -> bool:
    """Moves a payment locked in `uow` on to the provider's state if that is further along,
    with the event its new state calls for; whether it moved."""
    if not payment.advance(intent.outcome, now=utc_now()):
        return False
    payment.client_secret = intent.client_secret or payment.client_secret
    await PaymentRepository(uow.connection).save(payment)
    emit(uow, messages.payment_outcome(payment, cancelled_by))
    return True


@dataclass(frozen=True, slots=True)
class Payments:
    """The use cases' resources: units of work and the provider."""

    units: UnitsOfWork
    provider: PaymentProvider

    async def _payment(self, payment_id: str, actor: Actor) -> Payment:
        async with self.units(read_only=True) as uow:
            found = await PaymentRepository(uow.connection).get(payment_id)
        return visible(found, actor, payment_id)

    async def create_payment(self, command: commands.CreatePayment, actor: Actor) -> Payment:
        """Charges the caller; a retry with the key returns the payment and charges once."""
        new = validation.new_payment(command, actor)
        user_id = new.user_id
        payment_id = derived_id("pay", caller_of_current_call(), new.key)
        async with self.units(read_only=True) as uow:
            existing = await PaymentRepository(uow.connection).get(payment_id)
        if existing is not None:  # a retry whose first answer was lost
            return existing
        customer_id, provider_customer = await self._customer(user_id)
        intent = await self.provider.create_intent(
            IntentRequest(
                payment_id,
                user_id,
                provider_customer,
                new.money.amount,
                new.money.currency_code,
                new.description,
                new.payment_method_id,
                new.metadata,
            ),
            key=payment_id,
        )
        now = utc_now()
        payment = Payment(
            payment_id,
            user_id,
            new.money,
            now,
            now,
            new.description,
            new.payment_method_id,
            new.metadata,
            customer_id=customer_id,
            provider_payment_id=intent.id,
        )
        payment.advance(intent.outcome, now=now)
        payment.client_secret = intent.client_secret
        try:
            async with self.units() as uow:
                await PaymentRepository(uow.connection).add(payment)
                emit(uow, [messages.payment_created(payment), *messages.payment_outcome(payment)])
                await mark_committed(uow.connection)
                await uow.commit()
        except IntegrityError:  # the reconciler recorded the charge first (same id, same key)
            return await self._payment(payment_id, actor)
        return payment

    async def _customer(self, user_id: str) -> tuple[str, str]:
        """The payer's customer (id, provider id), created at the provider the first time."""
        async with self.units(read_only=True) as uow:
            found = await PaymentRepository(uow.connection).customer(user_id)
        if found is not None:
            return found[0], found[1]
        customer_id = derived_id("cus", user_id)
        provider_id = await self.provider.create_customer(user_id, key=customer_id)
        try:
            async with self.units() as uow:
                repository = PaymentRepository(uow.connection)
                await repository.add_customer(user_id, customer_id, provider_id, utc_now())
                await uow.commit()
        except IntegrityError:  # a concurrent payment created it (the same one: same key)
            pass
        return customer_id, provider_id

    async def get_payment(self, payment_id: str, actor: Actor) -> Payment:
        return await self._payment(payment_id, actor)

    async def list_payments(self, command: commands.ListPayments, actor: Actor) -> PaymentPage:
        query = validation.payment_query(command, actor)
        async with self.units(read_only=True) as uow:
            found = await PaymentRepository(uow.connection).payments(
                query.page, query.user_id, query.state
            )
        token = next_token(query.page, found, lambda p: (p.create_time, p.id))
        return PaymentPage(found[: query.page.size], token)

    async def cancel_payment(self, payment_id: str, actor: Actor) -> Payment:
        """Cancels at the provider, then here; a cancelled payment is returned unchanged."""
        payment = await self._payment(payment_id, actor)
        if payment.state == PaymentState.CANCELLED:
            return payment
        payment.ensure_cancellable()
        intent = await self.provider.cancel_intent(
            payment.provider_payment_id, key=f"{payment.id}-cancel"
        )
        return await self.apply_outcome(payment.id, intent, cancelled_by=actor.subject)

    async def apply_outcome(
        self, payment_id: str, intent: Intent, *, cancelled_by: str = ""
    ) -> Payment:
        """Moves the payment on to the provider's outcome if that is further along."""
        async with self.units() as uow:
            payment = await PaymentRepository(uow.connection).get(payment_id, for_update=True)
            if payment is None:
                raise RuntimeError(f"payment {payment_id} vanished")
            if await advance_to(uow, payment, intent, cancelled_by=cancelled_by):
                await mark_committed(uow.connection)  # a keyed CancelPayment's change
                await uow.commit()
        return payment

    async def create_refund(self, command: commands.CreateRefund, actor: Actor) -> Refund:
        """Refunds all or part of what is left of a succeeded payment (staff, or a service the
        contract admits)."""
        staff = actor.require_staff("refunding a payment") if actor.is_user else actor.subject
        new = validation.new_refund(command)
        payment = await self._payment(new.payment_id, actor)
        amount = payment.refund_amount(new.amount)
        refund_id = derived_id("ref", caller_of_current_call(), new.key)
        done = await self.provider.refund(
            payment.provider_payment_id, amount, new.reason.value, key=refund_id
        )
        now = utc_now()
        refund = Refund(
            refund_id,
            payment.id,
            payment.user_id,
            Money(amount, payment.money.currency_code),
            new.reason,
            staff,
            now,
            now,
            new.note,
            done.state,
            done.id,
            done.failure_message,
        )
        async with self.units() as uow:
            repository = PaymentRepository(uow.connection)
            payment = visible(await repository.get(payment.id, for_update=True), actor, payment.id)
            payment.record_refund(payment.refund_amount(amount), now=now)
            await repository.save(payment)
            await repository.add_refund(refund)
            emit(uow, [messages.refund_created(refund)])
            if refund.state == RefundState.SUCCEEDED:
                emit(uow, [messages.refund_succeeded(refund, payment)])
            await mark_committed(uow.connection)
            await uow.commit()
        return refund

    async def list_refunds(self, command: commands.ListRefunds, actor: Actor) -> RefundPage:
        """A payment's refunds (its payer's or staff's), or every refund (staff), newest first."""
        query = validation.refund_query(command, actor)
        if query.payment_id:
            await self._payment(query.payment_id, actor)
        async with self.units(read_only=True) as uow:
            found = await PaymentRepository(uow.connection).refunds(
                query.page, query.payment_id, query.state
            )
        token = next_token(query.page, found, lambda r: (r.create_time, r.id))
        return RefundPage(found[: query.page.size], token)

    async def get_customer(self, user_id: str, actor: Actor) -> Customer:
        """The user's customer record; others' are not found, as those who never paid."""
        violations = validation.PaymentViolations()
        target = violations.user_id("user_id", user_id, actor=actor)
        violations.raise_if_any()
        async with self.units(read_only=True) as uow:
            found = await PaymentRepository(uow.connection).customer(target)
        if found is None or not actor.may_access(target):
            raise customer_not_found(user_id)
        return Customer(found[0], target, found[1], found[2])

    async def get_refund(self, payment_id: str, refund_id: str, actor: Actor) -> Refund:
        await self._payment(payment_id, actor)
        async with self.units(read_only=True) as uow:
            refund = await PaymentRepository(uow.connection).refund(payment_id, refund_id)
        if refund is None:
            raise refund_not_found(refund_id)
        return refund


@dataclass(frozen=True, slots=True)
class PaymentPage:
    payments: list[Payment]
    next_page_token: str


@dataclass(frozen=True, slots=True)
class RefundPage:
    refunds: list[Refund]
    next_page_token: str
