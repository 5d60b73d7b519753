from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    VALIDATION_FAILED: _ClassVar[ErrorReason]
    UNKNOWN_JOB_TYPE: _ClassVar[ErrorReason]
    INVALID_JOB_PAYLOAD: _ClassVar[ErrorReason]
    IDEMPOTENCY_KEY_REUSED: _ClassVar[ErrorReason]
    JOB_NOT_FOUND: _ClassVar[ErrorReason]
    JOB_NOT_CANCELLABLE: _ClassVar[ErrorReason]
    JOB_NOT_RETRYABLE: _ClassVar[ErrorReason]
    SCHEDULE_NOT_FOUND: _ClassVar[ErrorReason]
    WEBHOOK_ENDPOINT_NOT_FOUND: _ClassVar[ErrorReason]
    INVALID_WEBHOOK_URL: _ClassVar[ErrorReason]
    UNKNOWN_EVENT_TYPE: _ClassVar[ErrorReason]
    INVALID_UPDATE_MASK: _ClassVar[ErrorReason]
    INVALID_PAGE_TOKEN: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
VALIDATION_FAILED: ErrorReason
UNKNOWN_JOB_TYPE: ErrorReason
INVALID_JOB_PAYLOAD: ErrorReason
IDEMPOTENCY_KEY_REUSED: ErrorReason
JOB_NOT_FOUND: ErrorReason
JOB_NOT_CANCELLABLE: ErrorReason
JOB_NOT_RETRYABLE: ErrorReason
SCHEDULE_NOT_FOUND: ErrorReason
WEBHOOK_ENDPOINT_NOT_FOUND: ErrorReason
INVALID_WEBHOOK_URL: ErrorReason
UNKNOWN_EVENT_TYPE: ErrorReason
INVALID_UPDATE_MASK: ErrorReason
INVALID_PAGE_TOKEN: ErrorReason
