from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    VALIDATION_FAILED: _ClassVar[ErrorReason]
    USER_NOT_FOUND: _ClassVar[ErrorReason]
    USER_ALREADY_EXISTS: _ClassVar[ErrorReason]
    EMAIL_ALREADY_REGISTERED: _ClassVar[ErrorReason]
    USER_DELETED: _ClassVar[ErrorReason]
    INVALID_UPDATE_MASK: _ClassVar[ErrorReason]
    INVALID_PHONE_NUMBER: _ClassVar[ErrorReason]
    INVALID_PAGE_TOKEN: _ClassVar[ErrorReason]
    KYC_ALREADY_PENDING: _ClassVar[ErrorReason]
    KYC_ALREADY_VERIFIED: _ClassVar[ErrorReason]
    KYC_NOT_PENDING: _ClassVar[ErrorReason]
    KYC_DOCUMENT_EXPIRED: _ClassVar[ErrorReason]
    KYC_SELF_REVIEW: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
VALIDATION_FAILED: ErrorReason
USER_NOT_FOUND: ErrorReason
USER_ALREADY_EXISTS: ErrorReason
EMAIL_ALREADY_REGISTERED: ErrorReason
USER_DELETED: ErrorReason
INVALID_UPDATE_MASK: ErrorReason
INVALID_PHONE_NUMBER: ErrorReason
INVALID_PAGE_TOKEN: ErrorReason
KYC_ALREADY_PENDING: ErrorReason
KYC_ALREADY_VERIFIED: ErrorReason
KYC_NOT_PENDING: ErrorReason
KYC_DOCUMENT_EXPIRED: ErrorReason
KYC_SELF_REVIEW: ErrorReason
