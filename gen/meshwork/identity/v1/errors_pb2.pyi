from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    VALIDATION_FAILED: _ClassVar[ErrorReason]
    INVALID_EMAIL: _ClassVar[ErrorReason]
    PASSWORD_TOO_WEAK: _ClassVar[ErrorReason]
    EMAIL_ALREADY_REGISTERED: _ClassVar[ErrorReason]
    INVALID_CREDENTIALS: _ClassVar[ErrorReason]
    ACCOUNT_SUSPENDED: _ClassVar[ErrorReason]
    TOO_MANY_ATTEMPTS: _ClassVar[ErrorReason]
    REFRESH_TOKEN_INVALID: _ClassVar[ErrorReason]
    REFRESH_TOKEN_EXPIRED: _ClassVar[ErrorReason]
    REFRESH_TOKEN_REUSED: _ClassVar[ErrorReason]
    CURRENT_PASSWORD_INCORRECT: _ClassVar[ErrorReason]
    PASSWORD_RESET_TOKEN_INVALID: _ClassVar[ErrorReason]
    PASSWORD_RESET_TOKEN_EXPIRED: _ClassVar[ErrorReason]
    EMAIL_VERIFICATION_TOKEN_INVALID: _ClassVar[ErrorReason]
    EMAIL_VERIFICATION_TOKEN_EXPIRED: _ClassVar[ErrorReason]
    EMAIL_ALREADY_VERIFIED: _ClassVar[ErrorReason]
    SESSION_NOT_FOUND: _ClassVar[ErrorReason]
    USER_NOT_FOUND: _ClassVar[ErrorReason]
    INVALID_CLIENT_CREDENTIALS: _ClassVar[ErrorReason]
    UNKNOWN_AUDIENCE: _ClassVar[ErrorReason]
    INVALID_PAGE_TOKEN: _ClassVar[ErrorReason]
    DEPENDENCY_UNAVAILABLE: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
VALIDATION_FAILED: ErrorReason
INVALID_EMAIL: ErrorReason
PASSWORD_TOO_WEAK: ErrorReason
EMAIL_ALREADY_REGISTERED: ErrorReason
INVALID_CREDENTIALS: ErrorReason
ACCOUNT_SUSPENDED: ErrorReason
TOO_MANY_ATTEMPTS: ErrorReason
REFRESH_TOKEN_INVALID: ErrorReason
REFRESH_TOKEN_EXPIRED: ErrorReason
REFRESH_TOKEN_REUSED: ErrorReason
CURRENT_PASSWORD_INCORRECT: ErrorReason
PASSWORD_RESET_TOKEN_INVALID: ErrorReason
PASSWORD_RESET_TOKEN_EXPIRED: ErrorReason
EMAIL_VERIFICATION_TOKEN_INVALID: ErrorReason
EMAIL_VERIFICATION_TOKEN_EXPIRED: ErrorReason
EMAIL_ALREADY_VERIFIED: ErrorReason
SESSION_NOT_FOUND: ErrorReason
USER_NOT_FOUND: ErrorReason
INVALID_CLIENT_CREDENTIALS: ErrorReason
UNKNOWN_AUDIENCE: ErrorReason
INVALID_PAGE_TOKEN: ErrorReason
DEPENDENCY_UNAVAILABLE: ErrorReason
