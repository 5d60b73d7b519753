from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    VALIDATION_FAILED: _ClassVar[ErrorReason]
    MESSAGE_NOT_FOUND: _ClassVar[ErrorReason]
    TEMPLATE_NOT_FOUND: _ClassVar[ErrorReason]
    TEMPLATE_ALREADY_EXISTS: _ClassVar[ErrorReason]
    TEMPLATE_BUILT_IN: _ClassVar[ErrorReason]
    TEMPLATE_INVALID: _ClassVar[ErrorReason]
    TEMPLATE_VARIABLES_MISSING: _ClassVar[ErrorReason]
    CHANNEL_NOT_SUPPORTED: _ClassVar[ErrorReason]
    USER_NOT_FOUND: _ClassVar[ErrorReason]
    RECIPIENT_REQUIRED: _ClassVar[ErrorReason]
    PREFERENCE_NOT_CHANGEABLE: _ClassVar[ErrorReason]
    INVALID_UPDATE_MASK: _ClassVar[ErrorReason]
    INVALID_PAGE_TOKEN: _ClassVar[ErrorReason]
    MAILBOX_DISABLED: _ClassVar[ErrorReason]
    DEPENDENCY_UNAVAILABLE: _ClassVar[ErrorReason]
    INVALID_PHONE_NUMBER: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
VALIDATION_FAILED: ErrorReason
MESSAGE_NOT_FOUND: ErrorReason
TEMPLATE_NOT_FOUND: ErrorReason
TEMPLATE_ALREADY_EXISTS: ErrorReason
TEMPLATE_BUILT_IN: ErrorReason
TEMPLATE_INVALID: ErrorReason
TEMPLATE_VARIABLES_MISSING: ErrorReason
CHANNEL_NOT_SUPPORTED: ErrorReason
USER_NOT_FOUND: ErrorReason
RECIPIENT_REQUIRED: ErrorReason
PREFERENCE_NOT_CHANGEABLE: ErrorReason
INVALID_UPDATE_MASK: ErrorReason
INVALID_PAGE_TOKEN: ErrorReason
MAILBOX_DISABLED: ErrorReason
DEPENDENCY_UNAVAILABLE: ErrorReason
INVALID_PHONE_NUMBER: ErrorReason
