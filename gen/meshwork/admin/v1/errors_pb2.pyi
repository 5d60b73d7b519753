from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    VALIDATION_FAILED: _ClassVar[ErrorReason]
    USER_NOT_FOUND: _ClassVar[ErrorReason]
    ROLE_NOT_FOUND: _ClassVar[ErrorReason]
    ROLE_GRANT_NOT_FOUND: _ClassVar[ErrorReason]
    ROLE_ALREADY_GRANTED: _ClassVar[ErrorReason]
    LAST_ADMIN: _ClassVar[ErrorReason]
    SUSPENSION_NOT_FOUND: _ClassVar[ErrorReason]
    USER_ALREADY_SUSPENDED: _ClassVar[ErrorReason]
    USER_NOT_SUSPENDED: _ClassVar[ErrorReason]
    CANNOT_SUSPEND_SELF: _ClassVar[ErrorReason]
    ADMIN_ACTION_NOT_FOUND: _ClassVar[ErrorReason]
    INVALID_PAGE_TOKEN: _ClassVar[ErrorReason]
    DEPENDENCY_UNAVAILABLE: _ClassVar[ErrorReason]
    CANNOT_DEMOTE_SELF: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
VALIDATION_FAILED: ErrorReason
USER_NOT_FOUND: ErrorReason
ROLE_NOT_FOUND: ErrorReason
ROLE_GRANT_NOT_FOUND: ErrorReason
ROLE_ALREADY_GRANTED: ErrorReason
LAST_ADMIN: ErrorReason
SUSPENSION_NOT_FOUND: ErrorReason
USER_ALREADY_SUSPENDED: ErrorReason
USER_NOT_SUSPENDED: ErrorReason
CANNOT_SUSPEND_SELF: ErrorReason
ADMIN_ACTION_NOT_FOUND: ErrorReason
INVALID_PAGE_TOKEN: ErrorReason
DEPENDENCY_UNAVAILABLE: ErrorReason
CANNOT_DEMOTE_SELF: ErrorReason
