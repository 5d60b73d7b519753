from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from meshwork.options.v1 import options_pb2 as _options_pb2
from meshwork.orders.v1 import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateOrdersRequest(_message.Message):
    __slots__ = ("orders",)
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    orders: _resources_pb2.Orders
    def __init__(self, orders: _Optional[_Union[_resources_pb2.Orders, _Mapping]] = ...) -> None: ...

class CreateOrdersResponse(_message.Message):
    __slots__ = ("orders",)
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    orders: _resources_pb2.Orders
    def __init__(self, orders: _Optional[_Union[_resources_pb2.Orders, _Mapping]] = ...) -> None: ...

class GetOrdersRequest(_message.Message):
    __slots__ = ("orders_id",)
    ORDERS_ID_FIELD_NUMBER: _ClassVar[int]
    orders_id: str
    def __init__(self, orders_id: _Optional[str] = ...) -> None: ...

class GetOrdersResponse(_message.Message):
    __slots__ = ("orders",)
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    orders: _resources_pb2.Orders
    def __init__(self, orders: _Optional[_Union[_resources_pb2.Orders, _Mapping]] = ...) -> None: ...

class ListOrdersesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListOrdersesResponse(_message.Message):
    __slots__ = ("orderses", "next_page_token")
    ORDERSES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    orderses: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Orders]
    next_page_token: str
    def __init__(self, orderses: _Optional[_Iterable[_Union[_resources_pb2.Orders, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateOrdersRequest(_message.Message):
    __slots__ = ("orders", "update_mask")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    orders: _resources_pb2.Orders
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, orders: _Optional[_Union[_resources_pb2.Orders, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateOrdersResponse(_message.Message):
    __slots__ = ("orders",)
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    orders: _resources_pb2.Orders
    def __init__(self, orders: _Optional[_Union[_resources_pb2.Orders, _Mapping]] = ...) -> None: ...

class DeleteOrdersRequest(_message.Message):
    __slots__ = ("orders_id",)
    ORDERS_ID_FIELD_NUMBER: _ClassVar[int]
    orders_id: str
    def __init__(self, orders_id: _Optional[str] = ...) -> None: ...

class DeleteOrdersResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
