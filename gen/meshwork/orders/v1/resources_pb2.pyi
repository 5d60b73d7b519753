import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_STATE_UNSPECIFIED: _ClassVar[OrderState]
    ORDER_STATE_PENDING: _ClassVar[OrderState]
    ORDER_STATE_CONFIRMED: _ClassVar[OrderState]
    ORDER_STATE_CANCELLED: _ClassVar[OrderState]

class CheckoutStep(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHECKOUT_STEP_UNSPECIFIED: _ClassVar[CheckoutStep]
    CHECKOUT_STEP_RESERVE_STOCK: _ClassVar[CheckoutStep]
    CHECKOUT_STEP_CREATE_PAYMENT: _ClassVar[CheckoutStep]
    CHECKOUT_STEP_AWAIT_PAYMENT: _ClassVar[CheckoutStep]
    CHECKOUT_STEP_CONFIRM: _ClassVar[CheckoutStep]
    CHECKOUT_STEP_CANCEL_PAYMENT: _ClassVar[CheckoutStep]
    CHECKOUT_STEP_REFUND_PAYMENT: _ClassVar[CheckoutStep]
    CHECKOUT_STEP_RELEASE_STOCK: _ClassVar[CheckoutStep]
    CHECKOUT_STEP_DONE: _ClassVar[CheckoutStep]
ORDER_STATE_UNSPECIFIED: OrderState
ORDER_STATE_PENDING: OrderState
ORDER_STATE_CONFIRMED: OrderState
ORDER_STATE_CANCELLED: OrderState
CHECKOUT_STEP_UNSPECIFIED: CheckoutStep
CHECKOUT_STEP_RESERVE_STOCK: CheckoutStep
CHECKOUT_STEP_CREATE_PAYMENT: CheckoutStep
CHECKOUT_STEP_AWAIT_PAYMENT: CheckoutStep
CHECKOUT_STEP_CONFIRM: CheckoutStep
CHECKOUT_STEP_CANCEL_PAYMENT: CheckoutStep
CHECKOUT_STEP_REFUND_PAYMENT: CheckoutStep
CHECKOUT_STEP_RELEASE_STOCK: CheckoutStep
CHECKOUT_STEP_DONE: CheckoutStep

class Product(_message.Message):
    __slots__ = ("id", "display_name", "unit_price", "currency_code", "stock", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    display_name: str
    unit_price: int
    currency_code: str
    stock: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., display_name: _Optional[str] = ..., unit_price: _Optional[int] = ..., currency_code: _Optional[str] = ..., stock: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderLine(_message.Message):
    __slots__ = ("product_id", "quantity", "display_name", "unit_price", "line_total")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    LINE_TOTAL_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    quantity: int
    display_name: str
    unit_price: int
    line_total: int
    def __init__(self, product_id: _Optional[str] = ..., quantity: _Optional[int] = ..., display_name: _Optional[str] = ..., unit_price: _Optional[int] = ..., line_total: _Optional[int] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("id", "owner_id", "lines", "payment_method_id", "total_amount", "currency_code", "state", "checkout_step", "cancel_reason", "cancel_message", "payment_id", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CHECKOUT_STEP_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    CANCEL_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    owner_id: str
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    payment_method_id: str
    total_amount: int
    currency_code: str
    state: OrderState
    checkout_step: CheckoutStep
    cancel_reason: str
    cancel_message: str
    payment_id: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., owner_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., payment_method_id: _Optional[str] = ..., total_amount: _Optional[int] = ..., currency_code: _Optional[str] = ..., state: _Optional[_Union[OrderState, str]] = ..., checkout_step: _Optional[_Union[CheckoutStep, str]] = ..., cancel_reason: _Optional[str] = ..., cancel_message: _Optional[str] = ..., payment_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
