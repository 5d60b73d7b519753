from google.protobuf import field_mask_pb2 as _field_mask_pb2
from meshwork.orders.v1 import resources_pb2 as _resources_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrdersCreated(_message.Message):
    __slots__ = ("orders",)
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    orders: _resources_pb2.Orders
    def __init__(self, orders: _Optional[_Union[_resources_pb2.Orders, _Mapping]] = ...) -> None: ...

class OrdersUpdated(_message.Message):
    __slots__ = ("orders", "update_mask")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    orders: _resources_pb2.Orders
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, orders: _Optional[_Union[_resources_pb2.Orders, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class OrdersDeleted(_message.Message):
    __slots__ = ("orders_id", "owner_id", "deleted_by")
    ORDERS_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DELETED_BY_FIELD_NUMBER: _ClassVar[int]
    orders_id: str
    owner_id: str
    deleted_by: str
    def __init__(self, orders_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., deleted_by: _Optional[str] = ...) -> None: ...
