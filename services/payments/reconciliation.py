"""Reconciliation: the provider's recent payments and events against ours, and what missed
webhooks, or a stop between a charge and its commit, left behind repaired."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum

from sqlalchemy.exc import IntegrityError

from mesh.clock import utc_now
from mesh.errors import DomainError
from services.payments import commands, messages, validation
from services.payments.domain import Payment
from services.payments.handlers import UnitsOfWork, advance_to, derived_id, emit
from services.payments.money import Money
from services.payments.provider import PaymentProvider, ProviderPayment
from services.payments.repository import PaymentRepository
from services.payments.webhooks import ProviderEvent, Webhooks

logger = logging.getLogger("meshwork.payments")


class Repair(Enum):
    NONE = "none"
    RECOVERED = "recovered"
    REPAIRED = "repaired"


@dataclass(slots=True)
class ReconcileReport:
    checked_payments: int = 0
    recovered_payments: int = 0
    repaired_payments: int = 0
    checked_events: int = 0
    applied_events: int = 0


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """One reconciliation run at a time per call; running it again repairs nothing more."""

    units: UnitsOfWork
    provider: PaymentProvider
    webhooks: Webhooks

    async def reconcile(self, command: commands.ReconcilePayments) -> ReconcileReport:
        """Payments first (so that events find them), then events, each oldest first."""
        since = utc_now() - validation.reconcile_lookback(command)
        report = ReconcileReport()
        for found in await self.provider.recent_payments(since):
            report.checked_payments += 1
            repair = await self._reconcile_payment(found)
            report.recovered_payments += repair == Repair.RECOVERED
            report.repaired_payments += repair == Repair.REPAIRED
        for data in await self.provider.recent_events(since):
            report.checked_events += 1
            report.applied_events += await self._apply_event(data)
        return report

    async def _reconcile_payment(self, found: ProviderPayment) -> Repair:
        try:
            return await self._repair(found)
        except IntegrityError:  # CreatePayment committed it meanwhile: look again
            return await self._repair(found)

    async def _repair(self, found: ProviderPayment) -> Repair:
        async with self.units() as uow:
            payments = PaymentRepository(uow.connection)
            payment = await payments.get(found.payment_id, for_update=True)
            if payment is not None:
                repaired = await advance_to(uow, payment, found.intent)
                await uow.commit()
                return Repair.REPAIRED if repaired else Repair.NONE
            customer = await payments.customer(found.user_id)
            payment = recorded(found, customer[0] if customer else derived_id("cus", found.user_id))
            await payments.add(payment)
            emit(uow, [messages.payment_created(payment)])
            await advance_to(uow, payment, found.intent)
            await uow.commit()
        logger.warning(
            "recorded payment %s, charged at the provider (%s) but never committed here",
            payment.id, found.intent.id,
        )  # fmt: skip
        return Repair.RECOVERED

    async def _apply_event(self, data: dict[str, object]) -> bool:
        event = data.get("data")
        body = event.get("object") if isinstance(event, dict) else None
        if not isinstance(body, dict):
            return False
        missed = ProviderEvent(str(data["id"]), str(data["type"]), body)
        try:
            return await self.webhooks.apply_missed(missed)
        except DomainError as error:  # recorded on its receipt; the rest still gets applied
            logger.warning("event %s could not be applied: %s", missed.id, error.message)
            return False


def recorded(found: ProviderPayment, customer_id: str) -> Payment:
    """The payment as CreatePayment would have recorded it, in the provider's first state;
    `advance_to` then moves it on to where the provider has it."""
    return Payment(
        found.payment_id,
        found.user_id,
        Money(found.amount, found.currency_code),
        found.create_time,
        found.create_time,
        found.description,
        found.payment_method_id,
        found.metadata,
        customer_id=customer_id,
        provider_payment_id=found.intent.id,
    )
