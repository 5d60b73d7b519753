"""The errors the payments service reports, each with its ErrorReason (errors.proto)."""

from __future__ import annotations

from mesh.errors import (
    DomainError,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    Unavailable,
)

#: ErrorInfo domain of every error this service reports.
DOMAIN = "payments.meshwork"


class ProviderError(DomainError):
    """The provider refused a request for a reason other than a decline."""

    code = "INTERNAL"


def payment_not_found(payment_id: str) -> NotFound:
    return NotFound(
        f"no payment {payment_id!r}",
        reason="PAYMENT_NOT_FOUND",
        domain=DOMAIN,
        metadata={"payment_id": payment_id},
    )


def refund_not_found(refund_id: str) -> NotFound:
    return NotFound(
        f"no refund {refund_id!r} of this payment",
        reason="REFUND_NOT_FOUND",
        domain=DOMAIN,
        metadata={"refund_id": refund_id},
    )


def not_cancellable(payment_id: str, state: str) -> FailedPrecondition:
    return FailedPrecondition(
        f"payment {payment_id!r} is {state} and can no longer be cancelled",
        reason="PAYMENT_NOT_CANCELLABLE",
        domain=DOMAIN,
        metadata={"state": state},
    )


def not_refundable(payment_id: str, state: str) -> FailedPrecondition:
    return FailedPrecondition(
        f"payment {payment_id!r} is {state}; only succeeded payments can be refunded",
        reason="PAYMENT_NOT_REFUNDABLE",
        domain=DOMAIN,
        metadata={"state": state},
    )


def refund_exceeds(amount: str, left: str) -> InvalidArgument:
    """REFUND_EXCEEDS_REMAINING_AMOUNT naming what is left to refund."""
    return InvalidArgument(
        f"the refund of {amount} is more than the {left} left unrefunded",
        reason="REFUND_EXCEEDS_REMAINING_AMOUNT",
        domain=DOMAIN,
        violations=[FieldViolation("refund.amount", f"must be at most {left} (what is left)")],
        metadata={"amount_left": left},
    )


def idempotency_key_required() -> InvalidArgument:
    return InvalidArgument(
        "this method moves money: send an Idempotency-Key header (gRPC metadata "
        "'idempotency-key'), a fresh unique value such as a UUID",
        reason="IDEMPOTENCY_KEY_REQUIRED",
        domain=DOMAIN,
        violations=[FieldViolation("idempotency-key", "is required")],
    )


def provider_unavailable(detail: str) -> Unavailable:
    return Unavailable(
        f"the payment provider did not answer ({detail}); retry with the same idempotency key",
        reason="PROVIDER_UNAVAILABLE",
        domain=DOMAIN,
    )


def provider_error(code: str, message: str) -> ProviderError:
    return ProviderError(
        f"the payment provider refused the request: {message}",
        reason="PROVIDER_ERROR",
        domain=DOMAIN,
        metadata={"provider_code": code},
    )


def invalid_payment_method(message: str) -> InvalidArgument:
    return InvalidArgument(
        f"the payment method cannot be used: {message}",
        reason="INVALID_PAYMENT_METHOD",
        domain=DOMAIN,
        violations=[FieldViolation("payment.payment_method_id", message)],
    )


def webhook_signature_invalid(detail: str) -> InvalidArgument:
    return InvalidArgument(
        f"the webhook signature is not valid: {detail}",
        reason="WEBHOOK_SIGNATURE_INVALID",
        domain=DOMAIN,
        violations=[FieldViolation("signature", detail)],
    )


def webhook_payload_invalid(detail: str) -> InvalidArgument:
    return InvalidArgument(
        f"the webhook body is not a provider event: {detail}",
        reason="WEBHOOK_PAYLOAD_INVALID",
        domain=DOMAIN,
        violations=[FieldViolation("payload", detail)],
    )


def webhook_payment_unknown(provider_payment_id: str) -> Unavailable:
    return Unavailable(
        f"the event concerns payment {provider_payment_id!r}, not recorded here yet; "
        "the provider's redelivery applies it",
        reason="WEBHOOK_PAYMENT_UNKNOWN",
        domain=DOMAIN,
    )


def customer_not_found(user_id: str) -> NotFound:
    return NotFound(
        f"user {user_id!r} has no customer record (they never paid)",
        reason="CUSTOMER_NOT_FOUND",
        domain=DOMAIN,
    )


def receipt_not_found(receipt_id: str) -> NotFound:
    return NotFound(
        f"no webhook receipt {receipt_id!r}", reason="WEBHOOK_RECEIPT_NOT_FOUND", domain=DOMAIN
    )
