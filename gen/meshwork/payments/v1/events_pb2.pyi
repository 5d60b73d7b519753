from meshwork.payments.v1 import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentCreated(_message.Message):
    __slots__ = ("payment_id", "user_id", "amount", "currency_code", "description", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    user_id: str
    amount: int
    currency_code: str
    description: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, payment_id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency_code: _Optional[str] = ..., description: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class PaymentSucceeded(_message.Message):
    __slots__ = ("payment_id", "user_id", "amount", "currency_code", "description", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    user_id: str
    amount: int
    currency_code: str
    description: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, payment_id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency_code: _Optional[str] = ..., description: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class PaymentFailed(_message.Message):
    __slots__ = ("payment_id", "user_id", "amount", "currency_code", "failure_code", "failure_message", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_CODE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    user_id: str
    amount: int
    currency_code: str
    failure_code: str
    failure_message: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, payment_id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency_code: _Optional[str] = ..., failure_code: _Optional[str] = ..., failure_message: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class PaymentCancelled(_message.Message):
    __slots__ = ("payment_id", "user_id", "cancelled_by", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_BY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    user_id: str
    cancelled_by: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, payment_id: _Optional[str] = ..., user_id: _Optional[str] = ..., cancelled_by: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class RefundCreated(_message.Message):
    __slots__ = ("refund_id", "payment_id", "user_id", "amount", "currency_code", "reason", "requested_by")
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    refund_id: str
    payment_id: str
    user_id: str
    amount: int
    currency_code: str
    reason: _resources_pb2.RefundReason
    requested_by: str
    def __init__(self, refund_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency_code: _Optional[str] = ..., reason: _Optional[_Union[_resources_pb2.RefundReason, str]] = ..., requested_by: _Optional[str] = ...) -> None: ...

class RefundSucceeded(_message.Message):
    __slots__ = ("refund_id", "payment_id", "user_id", "amount", "currency_code", "payment_amount_refunded")
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_AMOUNT_REFUNDED_FIELD_NUMBER: _ClassVar[int]
    refund_id: str
    payment_id: str
    user_id: str
    amount: int
    currency_code: str
    payment_amount_refunded: int
    def __init__(self, refund_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency_code: _Optional[str] = ..., payment_amount_refunded: _Optional[int] = ...) -> None: ...

class RefundFailed(_message.Message):
    __slots__ = ("refund_id", "payment_id", "user_id", "amount", "currency_code", "failure_message")
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    refund_id: str
    payment_id: str
    user_id: str
    amount: int
    currency_code: str
    failure_message: str
    def __init__(self, refund_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency_code: _Optional[str] = ..., failure_message: _Optional[str] = ...) -> None: ...
