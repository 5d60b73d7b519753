from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    VALIDATION_FAILED: _ClassVar[ErrorReason]
    INVALID_AMOUNT: _ClassVar[ErrorReason]
    UNSUPPORTED_CURRENCY: _ClassVar[ErrorReason]
    INVALID_PAYMENT_METHOD: _ClassVar[ErrorReason]
    IDEMPOTENCY_KEY_REQUIRED: _ClassVar[ErrorReason]
    IDEMPOTENCY_KEY_REUSED: _ClassVar[ErrorReason]
    IDEMPOTENCY_KEY_IN_USE: _ClassVar[ErrorReason]
    PAYMENT_NOT_FOUND: _ClassVar[ErrorReason]
    PAYMENT_NOT_CANCELLABLE: _ClassVar[ErrorReason]
    PAYMENT_NOT_REFUNDABLE: _ClassVar[ErrorReason]
    REFUND_EXCEEDS_REMAINING_AMOUNT: _ClassVar[ErrorReason]
    REFUND_NOT_FOUND: _ClassVar[ErrorReason]
    CUSTOMER_NOT_FOUND: _ClassVar[ErrorReason]
    WEBHOOK_SIGNATURE_INVALID: _ClassVar[ErrorReason]
    WEBHOOK_PAYLOAD_INVALID: _ClassVar[ErrorReason]
    WEBHOOK_RECEIPT_NOT_FOUND: _ClassVar[ErrorReason]
    INVALID_PAGE_TOKEN: _ClassVar[ErrorReason]
    PROVIDER_UNAVAILABLE: _ClassVar[ErrorReason]
    PROVIDER_ERROR: _ClassVar[ErrorReason]
    WEBHOOK_PAYMENT_UNKNOWN: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
VALIDATION_FAILED: ErrorReason
INVALID_AMOUNT: ErrorReason
UNSUPPORTED_CURRENCY: ErrorReason
INVALID_PAYMENT_METHOD: ErrorReason
IDEMPOTENCY_KEY_REQUIRED: ErrorReason
IDEMPOTENCY_KEY_REUSED: ErrorReason
IDEMPOTENCY_KEY_IN_USE: ErrorReason
PAYMENT_NOT_FOUND: ErrorReason
PAYMENT_NOT_CANCELLABLE: ErrorReason
PAYMENT_NOT_REFUNDABLE: ErrorReason
REFUND_EXCEEDS_REMAINING_AMOUNT: ErrorReason
REFUND_NOT_FOUND: ErrorReason
CUSTOMER_NOT_FOUND: ErrorReason
WEBHOOK_SIGNATURE_INVALID: ErrorReason
WEBHOOK_PAYLOAD_INVALID: ErrorReason
WEBHOOK_RECEIPT_NOT_FOUND: ErrorReason
INVALID_PAGE_TOKEN: ErrorReason
PROVIDER_UNAVAILABLE: ErrorReason
PROVIDER_ERROR: ErrorReason
WEBHOOK_PAYMENT_UNKNOWN: ErrorReason
