from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor
ACCESS_FIELD_NUMBER: _ClassVar[int]
access: _descriptor.FieldDescriptor
DEFAULT_DEADLINE_MS_FIELD_NUMBER: _ClassVar[int]
default_deadline_ms: _descriptor.FieldDescriptor

class Access(_message.Message):
    __slots__ = ("public", "roles", "services", "internal")
    PUBLIC_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_FIELD_NUMBER: _ClassVar[int]
    public: bool
    roles: _containers.RepeatedScalarFieldContainer[str]
    services: _containers.RepeatedScalarFieldContainer[str]
    internal: bool
    def __init__(self, public: _Optional[bool] = ..., roles: _Optional[_Iterable[str]] = ..., services: _Optional[_Iterable[str]] = ..., internal: _Optional[bool] = ...) -> None: ...
