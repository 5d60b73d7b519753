"""What each use case is asked to do, as received: plain values, not yet validated."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CreatePayment:
    amount: int
    currency_code: str
    description: str = ""
    payment_method_id: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    #: The caller's idempotency key ("" when none was sent: refused).
    idempotency_key: str = ""


@dataclass(frozen=True, slots=True)
class ListPayments:
    page_size: int = 0
    page_token: str = ""
    user_id: str = ""
    #: A PaymentState name, "" for any.
    state: str = ""


@dataclass(frozen=True, slots=True)
class CreateRefund:
    payment_id: str
    #: 0 refunds all that is left.
    amount: int
    #: A RefundReason name, "" when unspecified.
    reason: str
    note: str = ""
    idempotency_key: str = ""


@dataclass(frozen=True, slots=True)
class ListRefunds:
    #: "-" lists the refunds of every payment (staff only).
    payment_id: str
    page_size: int = 0
    page_token: str = ""
    #: A RefundState name, "" for any.
    state: str = ""


@dataclass(frozen=True, slots=True)
class ListWebhookReceipts:
    page_size: int = 0
    page_token: str = ""
    #: A ReceiptState name, "" for any.
    state: str = ""
    event_type: str = ""
    payment_id: str = ""


@dataclass(frozen=True, slots=True)
class ReconcilePayments:
    #: Seconds back from now; 0 takes the default.
    lookback_seconds: int = 0
