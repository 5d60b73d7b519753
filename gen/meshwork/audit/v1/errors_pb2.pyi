from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    VALIDATION_FAILED: _ClassVar[ErrorReason]
    AUDIT_ENTRY_NOT_FOUND: _ClassVar[ErrorReason]
    IDEMPOTENCY_KEY_REUSED: _ClassVar[ErrorReason]
    LOG_BATCH_TOO_LARGE: _ClassVar[ErrorReason]
    INVALID_TIME_RANGE: _ClassVar[ErrorReason]
    INVALID_PAGE_TOKEN: _ClassVar[ErrorReason]
    AUDIT_CHAIN_NOT_FOUND: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
VALIDATION_FAILED: ErrorReason
AUDIT_ENTRY_NOT_FOUND: ErrorReason
IDEMPOTENCY_KEY_REUSED: ErrorReason
LOG_BATCH_TOO_LARGE: ErrorReason
INVALID_TIME_RANGE: ErrorReason
INVALID_PAGE_TOKEN: ErrorReason
AUDIT_CHAIN_NOT_FOUND: ErrorReason
