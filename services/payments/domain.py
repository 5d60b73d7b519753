"""Payments, refunds and the rules they move by: the payments service's domain, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from mesh.actor import Actor
from services.payments.errors import (
    not_cancellable,
    not_refundable,
    payment_not_found,
    refund_exceeds,
)
from services.payments.money import Money


class PaymentState(StrEnum):
    REQUIRES_PAYMENT_METHOD = "REQUIRES_PAYMENT_METHOD"
    REQUIRES_ACTION = "REQUIRES_ACTION"
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class RefundState(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class RefundReason(StrEnum):
    REQUESTED_BY_CUSTOMER = "REQUESTED_BY_CUSTOMER"
    DUPLICATE = "DUPLICATE"
    FRAUDULENT = "FRAUDULENT"


FINAL = frozenset({PaymentState.SUCCEEDED, PaymentState.FAILED, PaymentState.CANCELLED})
#: How far along each state is: a payment only ever moves to a later rank, so a webhook that
#: arrives late ("processing" after "succeeded") changes nothing.
_RANK = {
    PaymentState.REQUIRES_PAYMENT_METHOD: 0,
    PaymentState.REQUIRES_ACTION: 1,
    PaymentState.PROCESSING: 2,
    PaymentState.SUCCEEDED: 3,
    PaymentState.FAILED: 3,
    PaymentState.CANCELLED: 3,
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where the provider says a payment stands, and why it failed when it did."""

    state: PaymentState
    failure_code: str = ""
    failure_message: str = ""


@dataclass(slots=True)
class Payment:
    """One charge of a user: the aggregate every payment use case loads, changes and saves."""

    id: str
    user_id: str
    money: Money
    create_time: datetime
    update_time: datetime
    description: str = ""
    payment_method_id: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    state: PaymentState = PaymentState.REQUIRES_PAYMENT_METHOD
    amount_refunded: int = 0
    customer_id: str = ""
    provider_payment_id: str = ""
    client_secret: str = field(default="", repr=False)
    failure_code: str = ""
    failure_message: str = ""

    @property
    def amount_left(self) -> Money:
        """What may still be refunded."""
        return Money(self.money.amount - self.amount_refunded, self.money.currency_code)

    def advance(self, outcome: Outcome, *, now: datetime) -> bool:
        """Moves to the provider's state if that is further along; whether anything changed."""
        if self.state in FINAL or _RANK[outcome.state] < _RANK[self.state]:
            return False
        if outcome.state == self.state and outcome.state != PaymentState.REQUIRES_ACTION:
            return False
        self.state = outcome.state
        self.failure_code, self.failure_message = outcome.failure_code, outcome.failure_message
        self.update_time = now
        return True

    def ensure_cancellable(self) -> None:
        if self.state in FINAL - {PaymentState.CANCELLED} or self.state == PaymentState.PROCESSING:
            raise not_cancellable(self.id, self.state.value)

    def refund_amount(self, asked: int) -> int:
        """The amount a refund of `asked` (0: all that is left) takes; refused past what is
        left, or when the payment has not succeeded."""
        if self.state != PaymentState.SUCCEEDED:
            raise not_refundable(self.id, self.state.value)
        left = self.amount_left
        amount = asked or left.amount
        if amount > left.amount or left.amount == 0:
            raise refund_exceeds(str(Money(amount, left.currency_code)), str(left))
        return amount

    def record_refund(self, amount: int, *, now: datetime) -> None:
        self.amount_refunded += amount
        self.update_time = now


@dataclass(slots=True)
class Refund:
    """All or part of a succeeded payment returned to its payer."""

    id: str
    payment_id: str
    user_id: str
    money: Money
    reason: RefundReason
    requested_by: str
    create_time: datetime
    update_time: datetime
    note: str = ""
    state: RefundState = RefundState.PENDING
    provider_refund_id: str = ""
    failure_message: str = ""


@dataclass(frozen=True, slots=True)
class Customer:
    """A payer's customer record at the provider, made with their first payment."""

    id: str
    user_id: str
    provider_customer_id: str
    create_time: datetime


def visible(payment: Payment | None, actor: Actor, payment_id: str) -> Payment:
    """The payment if the actor may see it: its payer, staff, or a service the contract admits
    without a user; NOT_FOUND otherwise (others' payments are not admitted to exist)."""
    if payment is None or (actor.is_user and not actor.may_access(payment.user_id)):
        raise payment_not_found(payment_id)
    return payment


class ReceiptState(StrEnum):
    PROCESSED = "PROCESSED"
    IGNORED = "IGNORED"
    FAILED = "FAILED"


@dataclass(slots=True)
class WebhookReceipt:
    """One provider event as received, once however often it is delivered."""

    id: str
    provider_event_id: str
    event_type: str
    receive_time: datetime
    state: ReceiptState = ReceiptState.FAILED
    payment_id: str = ""
    refund_id: str = ""
    error: str = ""
    delivery_count: int = 1
    process_time: datetime | None = None

    @property
    def settled(self) -> bool:
        """Whether the event needs nothing more: a redelivery of it changes nothing."""
        return self.state != ReceiptState.FAILED
