"""Stripe's webhook deliveries: the signature checked by the SDK, each event applied once,
in whatever order the events arrive."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import stripe
from sqlalchemy.exc import IntegrityError

from mesh.clock import utc_now
from mesh.db import UnitOfWork
from mesh.errors import DomainError
from mesh.paging import next_token
from services.payments import commands, messages, validation
from services.payments.domain import ReceiptState, RefundState, WebhookReceipt
from services.payments.errors import (
    receipt_not_found,
    webhook_payload_invalid,
    webhook_payment_unknown,
    webhook_signature_invalid,
)
from services.payments.handlers import UnitsOfWork, advance_to, derived_id, emit
from services.payments.provider import intent_of, refund_of
from services.payments.repository import PaymentRepository, ReceiptRepository

#: How old a signed delivery may be: Stripe's own default, against replays.
TOLERANCE_S = 300
_REFUND_EVENTS = frozenset({"refund.created", "refund.updated", "charge.refund.updated"})


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    id: str
    type: str
    object: dict[str, Any]


def verified_event(payload: bytes, signature: str, secrets: Sequence[str]) -> ProviderEvent:
    """The event if one of `secrets` signed it within the tolerance (several `v1` signatures
    in the header are each tried, as the SDK does); refused otherwise."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as error:
        raise webhook_payload_invalid("the body is not UTF-8") from error
    problem = "no signing secret is configured"
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(text, signature, secret, tolerance=TOLERANCE_S)
            break
        except stripe.SignatureVerificationError as error:
            problem = str(error.user_message or error)
    else:
        raise webhook_signature_invalid(problem)
    try:
        event = json.loads(text)
        return ProviderEvent(str(event["id"]), str(event["type"]), dict(event["data"]["object"]))
    except (ValueError, KeyError, TypeError) as error:
        raise webhook_payload_invalid(f"no event id, type or data.object ({error})") from error


@dataclass(frozen=True, slots=True)
class Webhooks:
    """Applies verified events; a receipt per event id makes redeliveries change nothing."""

    units: UnitsOfWork
    secrets: tuple[str, ...]

    async def handle(self, payload: bytes, signature: str) -> tuple[WebhookReceipt, bool]:
        """The event's receipt, and whether it had been handled before."""
        event = verified_event(payload, signature, self.secrets)
        try:
            return await self._receive_once(event)
        except DomainError as error:
            await self._record_failure(event, error.message)
            raise

    async def apply_missed(self, event: ProviderEvent) -> bool:
        """Applies an event listed at the provider unless a webhook delivered it already;
        whether it applied it. A receipt records it, so a late webhook is a duplicate."""
        async with self.units() as uow:
            receipt = await ReceiptRepository(uow.connection).by_event(event.id)
        if receipt is not None and receipt.settled:
            return False
        try:
            _, duplicate = await self._receive_once(event)
        except DomainError as error:
            await self._record_failure(event, error.message)
            raise
        return not duplicate

    async def get(self, receipt_id: str) -> WebhookReceipt:
        async with self.units(read_only=True) as uow:
            receipt = await ReceiptRepository(uow.connection).get(receipt_id)
        if receipt is None:
            raise receipt_not_found(receipt_id)
        return receipt

    async def list(self, command: commands.ListWebhookReceipts) -> tuple[list[WebhookReceipt], str]:
        """A page of receipts, newest first, and the next page's token."""
        query = validation.receipt_query(command)
        async with self.units(read_only=True) as uow:
            found = await ReceiptRepository(uow.connection).receipts(query)
        token = next_token(query.page, found, lambda r: (r.receive_time, r.id))
        return found[: query.page.size], token

    async def _receive_once(self, event: ProviderEvent) -> tuple[WebhookReceipt, bool]:
        try:
            return await self._receive(event)
        except IntegrityError:  # a concurrent delivery of the event recorded it first
            return await self._receive(event)

    async def _receive(self, event: ProviderEvent) -> tuple[WebhookReceipt, bool]:
        async with self.units() as uow:
            receipts = ReceiptRepository(uow.connection)
            receipt = await receipts.by_event(event.id)
            if receipt is None:
                receipt = WebhookReceipt(
                    derived_id("whr", event.id), event.id, event.type, utc_now()
                )
                await receipts.add(receipt)
            else:
                receipt.delivery_count += 1
            duplicate = receipt.settled
            if not duplicate:
                receipt.state = await _apply(uow, event, receipt)
                receipt.error, receipt.process_time = "", utc_now()
            await receipts.save(receipt)
            await uow.commit()
        return receipt, duplicate

    async def _record_failure(self, event: ProviderEvent, error: str) -> None:
        async with self.units() as uow:
            receipts = ReceiptRepository(uow.connection)
            receipt = await receipts.by_event(event.id)
            if receipt is None:
                receipt = WebhookReceipt(
                    derived_id("whr", event.id), event.id, event.type, utc_now()
                )
                receipt.error = error
                await receipts.add(receipt)
            else:
                receipt.delivery_count, receipt.error = receipt.delivery_count + 1, error
                await receipts.save(receipt)
            await uow.commit()


async def _apply(uow: UnitOfWork, event: ProviderEvent, receipt: WebhookReceipt) -> ReceiptState:
    if event.type.startswith("payment_intent."):
        return await _apply_intent(uow, event.object, receipt)
    if event.type in _REFUND_EVENTS:
        return await _apply_refund(uow, event.object, receipt)
    return ReceiptState.IGNORED


async def _apply_intent(
    uow: UnitOfWork, intent: dict[str, Any], receipt: WebhookReceipt
) -> ReceiptState:
    """Moves our payment on to the intent's state, if that is further along."""
    if not (intent.get("metadata") or {}).get("payment_id"):
        return ReceiptState.IGNORED  # not one of ours
    payments = PaymentRepository(uow.connection)
    payment = await payments.by_provider_id(str(intent["id"]))
    if payment is None:
        raise webhook_payment_unknown(str(intent["id"]))
    receipt.payment_id = payment.id
    await advance_to(uow, payment, intent_of(intent))
    return ReceiptState.PROCESSED


async def _apply_refund(
    uow: UnitOfWork, data: dict[str, Any], receipt: WebhookReceipt
) -> ReceiptState:
    """Settles a pending refund of ours once the provider says how it ended."""
    payments = PaymentRepository(uow.connection)
    refund = await payments.refund_by_provider_id(str(data["id"]))
    if refund is None:
        return ReceiptState.IGNORED  # made elsewhere, or ours not yet committed (it says so)
    receipt.payment_id, receipt.refund_id = refund.payment_id, refund.id
    ended = refund_of(data)
    if refund.state != RefundState.PENDING or ended.state == RefundState.PENDING:
        return ReceiptState.PROCESSED
    payment = await payments.get(refund.payment_id, for_update=True)
    assert payment is not None  # a refund's payment is never deleted
    now = utc_now()
    refund.state, refund.failure_message, refund.update_time = (
        ended.state,
        ended.failure_message,
        now,
    )
    if ended.state == RefundState.SUCCEEDED:
        emit(uow, [messages.refund_succeeded(refund, payment)])
    else:  # the money was not returned: it may be refunded again
        payment.record_refund(-refund.money.amount, now=now)
        await payments.save(payment)
        emit(uow, [messages.refund_failed(refund)])
    await payments.save_refund(refund)
    return ReceiptState.PROCESSED
