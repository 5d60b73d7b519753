import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_STATE_UNSPECIFIED: _ClassVar[PaymentState]
    PAYMENT_STATE_REQUIRES_PAYMENT_METHOD: _ClassVar[PaymentState]
    PAYMENT_STATE_REQUIRES_ACTION: _ClassVar[PaymentState]
    PAYMENT_STATE_PROCESSING: _ClassVar[PaymentState]
    PAYMENT_STATE_SUCCEEDED: _ClassVar[PaymentState]
    PAYMENT_STATE_FAILED: _ClassVar[PaymentState]
    PAYMENT_STATE_CANCELLED: _ClassVar[PaymentState]

class RefundReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_REASON_UNSPECIFIED: _ClassVar[RefundReason]
    REFUND_REASON_REQUESTED_BY_CUSTOMER: _ClassVar[RefundReason]
    REFUND_REASON_DUPLICATE: _ClassVar[RefundReason]
    REFUND_REASON_FRAUDULENT: _ClassVar[RefundReason]

class RefundState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_STATE_UNSPECIFIED: _ClassVar[RefundState]
    REFUND_STATE_PENDING: _ClassVar[RefundState]
    REFUND_STATE_SUCCEEDED: _ClassVar[RefundState]
    REFUND_STATE_FAILED: _ClassVar[RefundState]
    REFUND_STATE_CANCELLED: _ClassVar[RefundState]

class WebhookReceiptState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WEBHOOK_RECEIPT_STATE_UNSPECIFIED: _ClassVar[WebhookReceiptState]
    WEBHOOK_RECEIPT_STATE_PROCESSED: _ClassVar[WebhookReceiptState]
    WEBHOOK_RECEIPT_STATE_IGNORED: _ClassVar[WebhookReceiptState]
    WEBHOOK_RECEIPT_STATE_FAILED: _ClassVar[WebhookReceiptState]
PAYMENT_STATE_UNSPECIFIED: PaymentState
PAYMENT_STATE_REQUIRES_PAYMENT_METHOD: PaymentState
PAYMENT_STATE_REQUIRES_ACTION: PaymentState
PAYMENT_STATE_PROCESSING: PaymentState
PAYMENT_STATE_SUCCEEDED: PaymentState
PAYMENT_STATE_FAILED: PaymentState
PAYMENT_STATE_CANCELLED: PaymentState
REFUND_REASON_UNSPECIFIED: RefundReason
REFUND_REASON_REQUESTED_BY_CUSTOMER: RefundReason
REFUND_REASON_DUPLICATE: RefundReason
REFUND_REASON_FRAUDULENT: RefundReason
REFUND_STATE_UNSPECIFIED: RefundState
REFUND_STATE_PENDING: RefundState
REFUND_STATE_SUCCEEDED: RefundState
REFUND_STATE_FAILED: RefundState
REFUND_STATE_CANCELLED: RefundState
WEBHOOK_RECEIPT_STATE_UNSPECIFIED: WebhookReceiptState
WEBHOOK_RECEIPT_STATE_PROCESSED: WebhookReceiptState
WEBHOOK_RECEIPT_STATE_IGNORED: WebhookReceiptState
WEBHOOK_RECEIPT_STATE_FAILED: WebhookReceiptState

class Payment(_message.Message):
    __slots__ = ("id", "user_id", "amount", "currency_code", "description", "payment_method_id", "metadata", "state", "amount_refunded", "customer_id", "provider_payment_id", "client_secret", "failure_code", "failure_message", "create_time", "update_time")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_REFUNDED_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_SECRET_FIELD_NUMBER: _ClassVar[int]
    FAILURE_CODE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    amount: int
    currency_code: str
    description: str
    payment_method_id: str
    metadata: _containers.ScalarMap[str, str]
    state: PaymentState
    amount_refunded: int
    customer_id: str
    provider_payment_id: str
    client_secret: str
    failure_code: str
    failure_message: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency_code: _Optional[str] = ..., description: _Optional[str] = ..., payment_method_id: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., state: _Optional[_Union[PaymentState, str]] = ..., amount_refunded: _Optional[int] = ..., customer_id: _Optional[str] = ..., provider_payment_id: _Optional[str] = ..., client_secret: _Optional[str] = ..., failure_code: _Optional[str] = ..., failure_message: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Refund(_message.Message):
    __slots__ = ("id", "payment_id", "user_id", "amount", "currency_code", "reason", "note", "state", "requested_by", "provider_refund_id", "failure_message", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    FAILURE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    payment_id: str
    user_id: str
    amount: int
    currency_code: str
    reason: RefundReason
    note: str
    state: RefundState
    requested_by: str
    provider_refund_id: str
    failure_message: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., payment_id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency_code: _Optional[str] = ..., reason: _Optional[_Union[RefundReason, str]] = ..., note: _Optional[str] = ..., state: _Optional[_Union[RefundState, str]] = ..., requested_by: _Optional[str] = ..., provider_refund_id: _Optional[str] = ..., failure_message: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Customer(_message.Message):
    __slots__ = ("id", "user_id", "email", "provider_customer_id", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    email: str
    provider_customer_id: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., email: _Optional[str] = ..., provider_customer_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WebhookReceipt(_message.Message):
    __slots__ = ("id", "provider_event_id", "event_type", "state", "payment_id", "refund_id", "error", "delivery_count", "receive_time", "process_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_COUNT_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    PROCESS_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    provider_event_id: str
    event_type: str
    state: WebhookReceiptState
    payment_id: str
    refund_id: str
    error: str
    delivery_count: int
    receive_time: _timestamp_pb2.Timestamp
    process_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., provider_event_id: _Optional[str] = ..., event_type: _Optional[str] = ..., state: _Optional[_Union[WebhookReceiptState, str]] = ..., payment_id: _Optional[str] = ..., refund_id: _Optional[str] = ..., error: _Optional[str] = ..., delivery_count: _Optional[int] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., process_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
