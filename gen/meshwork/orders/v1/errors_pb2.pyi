from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    VALIDATION_FAILED: _ClassVar[ErrorReason]
    ORDER_NOT_FOUND: _ClassVar[ErrorReason]
    INVALID_PAGE_TOKEN: _ClassVar[ErrorReason]
    PRODUCT_NOT_FOUND: _ClassVar[ErrorReason]
    MIXED_CURRENCIES: _ClassVar[ErrorReason]
    ORDER_NOT_CANCELLABLE: _ClassVar[ErrorReason]
    UNSUPPORTED_CURRENCY: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
VALIDATION_FAILED: ErrorReason
ORDER_NOT_FOUND: ErrorReason
INVALID_PAGE_TOKEN: ErrorReason
PRODUCT_NOT_FOUND: ErrorReason
MIXED_CURRENCIES: ErrorReason
ORDER_NOT_CANCELLABLE: ErrorReason
UNSUPPORTED_CURRENCY: ErrorReason
