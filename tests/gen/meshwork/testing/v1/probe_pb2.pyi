from meshwork.options.v1 import options_pb2 as _options_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class EchoRequest(_message.Message):
    __slots__ = ("message", "fail_with", "delay_ms")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FAIL_WITH_FIELD_NUMBER: _ClassVar[int]
    DELAY_MS_FIELD_NUMBER: _ClassVar[int]
    message: str
    fail_with: str
    delay_ms: int
    def __init__(self, message: _Optional[str] = ..., fail_with: _Optional[str] = ..., delay_ms: _Optional[int] = ...) -> None: ...

class EchoResponse(_message.Message):
    __slots__ = ("message", "deadline_ms", "request_id", "trace_id")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_MS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    message: str
    deadline_ms: int
    request_id: str
    trace_id: str
    def __init__(self, message: _Optional[str] = ..., deadline_ms: _Optional[int] = ..., request_id: _Optional[str] = ..., trace_id: _Optional[str] = ...) -> None: ...

class RecordRequest(_message.Message):
    __slots__ = ("key",)
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: str
    def __init__(self, key: _Optional[str] = ...) -> None: ...

class RecordResponse(_message.Message):
    __slots__ = ("count",)
    COUNT_FIELD_NUMBER: _ClassVar[int]
    count: int
    def __init__(self, count: _Optional[int] = ...) -> None: ...

class AdminOnlyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AdminOnlyResponse(_message.Message):
    __slots__ = ("subject",)
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    subject: str
    def __init__(self, subject: _Optional[str] = ...) -> None: ...

class InternalRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class InternalResponse(_message.Message):
    __slots__ = ("service",)
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    service: str
    def __init__(self, service: _Optional[str] = ...) -> None: ...
