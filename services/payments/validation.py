"""Checks on what callers send: money, metadata, page requests; violations name each field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mesh.actor import Actor
from mesh.paging import Page, page
from mesh.validation import Violations
from services.payments import commands
from services.payments.domain import PaymentState, ReceiptState, RefundReason, RefundState
from services.payments.errors import DOMAIN, idempotency_key_required
from services.payments.money import MAXIMUM_AMOUNT, SUPPORTED, Money

MAX_METADATA = 20


class PaymentViolations(Violations):
    def __init__(self) -> None:
        super().__init__(domain=DOMAIN)

    def money(self, prefix: str, amount: int, currency_code: str) -> Money:
        """An amount in minor units, 1 to MAXIMUM_AMOUNT, of a currency the provider takes."""
        if currency_code not in SUPPORTED:
            self.add(
                f"{prefix}.currency_code",
                f"{currency_code!r} is not an upper-case ISO 4217 code the provider charges in",
                reason="UNSUPPORTED_CURRENCY",
            )
        if not 0 < amount <= MAXIMUM_AMOUNT:
            self.add(
                f"{prefix}.amount",
                f"must be 1 to {MAXIMUM_AMOUNT} minor units of the currency (got {amount})",
                reason="INVALID_AMOUNT",
            )
        return Money(amount, currency_code)

    def metadata(self, field: str, metadata: dict[str, str]) -> dict[str, str]:
        if len(metadata) > MAX_METADATA:
            self.add(field, f"must have at most {MAX_METADATA} entries (got {len(metadata)})")
        for key, value in metadata.items():
            self.text(f"{field}[{key!r}]", value, maximum=500)
            self.text(f"{field} key", key, maximum=40, required=True)
        return dict(metadata)


@dataclass(frozen=True, slots=True)
class NewPayment:
    money: Money
    description: str
    payment_method_id: str
    metadata: dict[str, str]
    key: str


def new_payment(command: commands.CreatePayment) -> NewPayment:
    if not command.idempotency_key:
        raise idempotency_key_required()
    violations = PaymentViolations()
    money = violations.money("payment", command.amount, command.currency_code)
    description = violations.text("payment.description", command.description, maximum=1000)
    method = violations.text("payment.payment_method_id", command.payment_method_id, maximum=255)
    metadata = violations.metadata("payment.metadata", command.metadata)
    violations.raise_if_any()
    return NewPayment(money, description, method, metadata, command.idempotency_key)


@dataclass(frozen=True, slots=True)
class PaymentQuery:
    page: Page
    user_id: str
    state: PaymentState | None


def payment_query(command: commands.ListPayments, actor: Actor) -> PaymentQuery:
    """Users list their own payments; staff anyone's, or everyone's with no user id."""
    violations = PaymentViolations()
    user_id = command.user_id
    if user_id or not actor.is_staff:
        user_id = violations.user_id("user_id", user_id or "me", actor=actor)
        if not actor.may_access(user_id):
            violations.add("user_id", 'must be your own id or "me": users list their own')
    state = violations.enum_member("state", command.state, PaymentState, required=False)
    query = {"list": "payments", "user_id": user_id, "state": command.state}
    size, token = command.page_size, command.page_token
    wanted = page(violations, size=size, token=token, query=query, key=(datetime, str))
    violations.raise_if_any()
    return PaymentQuery(wanted, user_id, state)


@dataclass(frozen=True, slots=True)
class NewRefund:
    payment_id: str
    amount: int
    reason: RefundReason
    note: str
    key: str


def new_refund(command: commands.CreateRefund) -> NewRefund:
    if not command.idempotency_key:
        raise idempotency_key_required()
    violations = PaymentViolations()
    payment_id = violations.required("payment_id", command.payment_id)
    if command.amount < 0:
        violations.add("refund.amount", f"must not be negative (got {command.amount})")
    reason = violations.enum_member("refund.reason", command.reason, RefundReason)
    note = violations.text("refund.note", command.note, maximum=1000)
    return NewRefund(
        payment_id, command.amount, violations.valid(reason), note, command.idempotency_key
    )


#: The payment id ListRefunds takes for "every payment".
EVERY_PAYMENT = "-"


@dataclass(frozen=True, slots=True)
class RefundQuery:
    page: Page
    #: "" for every payment.
    payment_id: str
    state: RefundState | None


def refund_query(command: commands.ListRefunds, actor: Actor) -> RefundQuery:
    violations = PaymentViolations()
    payment_id = violations.required("payment_id", command.payment_id)
    if payment_id == EVERY_PAYMENT:
        actor.require_staff("listing the refunds of every payment")
        payment_id = ""
    state = violations.enum_member("state", command.state, RefundState, required=False)
    query = {"list": "refunds", "payment_id": payment_id, "state": command.state}
    size, token = command.page_size, command.page_token
    wanted = page(violations, size=size, token=token, query=query, key=(datetime, str))
    violations.raise_if_any()
    return RefundQuery(wanted, payment_id, state)


@dataclass(frozen=True, slots=True)
class ReceiptQuery:
    page: Page
    state: ReceiptState | None
    event_type: str
    payment_id: str


def receipt_query(command: commands.ListWebhookReceipts) -> ReceiptQuery:
    violations = PaymentViolations()
    state = violations.enum_member("state", command.state, ReceiptState, required=False)
    event_type = violations.text("event_type", command.event_type, maximum=128)
    payment_id = violations.text("payment_id", command.payment_id, maximum=64)
    query = {"list": "receipts", "state": command.state, "type": event_type, "pay": payment_id}
    size, token = command.page_size, command.page_token
    wanted = page(violations, size=size, token=token, query=query, key=(datetime, str))
    violations.raise_if_any()
    return ReceiptQuery(wanted, state, event_type, payment_id)


#: How far back reconciliation looks by default, and at most (as long as events are kept).
DEFAULT_LOOKBACK = timedelta(days=1)
MIN_LOOKBACK_S, MAX_LOOKBACK_S = 60, 30 * 24 * 3600


def reconcile_lookback(command: commands.ReconcilePayments) -> timedelta:
    seconds = command.lookback_seconds
    if not seconds:
        return DEFAULT_LOOKBACK
    if not MIN_LOOKBACK_S <= seconds <= MAX_LOOKBACK_S:
        violations = PaymentViolations()
        violations.add(
            "lookback_seconds",
            f"must be {MIN_LOOKBACK_S} to {MAX_LOOKBACK_S} (30 days), or 0 for a day "
            f"(got {seconds})",
        )
        violations.raise_if_any()
    return timedelta(seconds=seconds)
