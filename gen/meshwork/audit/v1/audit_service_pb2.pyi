import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from meshwork.audit.v1 import resources_pb2 as _resources_pb2
from meshwork.options.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListAuditEntriesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "kind", "service", "type", "actor_user_id", "actor_service", "subject_type", "subject_id", "trace_id", "start_time", "end_time")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_SERVICE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    kind: _resources_pb2.AuditEntryKind
    service: str
    type: str
    actor_user_id: str
    actor_service: str
    subject_type: str
    subject_id: str
    trace_id: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., kind: _Optional[_Union[_resources_pb2.AuditEntryKind, str]] = ..., service: _Optional[str] = ..., type: _Optional[str] = ..., actor_user_id: _Optional[str] = ..., actor_service: _Optional[str] = ..., subject_type: _Optional[str] = ..., subject_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAuditEntriesResponse(_message.Message):
    __slots__ = ("audit_entries", "next_page_token")
    AUDIT_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    audit_entries: _containers.RepeatedCompositeFieldContainer[_resources_pb2.AuditEntry]
    next_page_token: str
    def __init__(self, audit_entries: _Optional[_Iterable[_Union[_resources_pb2.AuditEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetAuditEntryRequest(_message.Message):
    __slots__ = ("audit_entry_id",)
    AUDIT_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    audit_entry_id: str
    def __init__(self, audit_entry_id: _Optional[str] = ...) -> None: ...

class GetAuditEntryResponse(_message.Message):
    __slots__ = ("audit_entry",)
    AUDIT_ENTRY_FIELD_NUMBER: _ClassVar[int]
    audit_entry: _resources_pb2.AuditEntry
    def __init__(self, audit_entry: _Optional[_Union[_resources_pb2.AuditEntry, _Mapping]] = ...) -> None: ...

class RecordAuditEntryRequest(_message.Message):
    __slots__ = ("idempotency_key", "audit_entry")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    AUDIT_ENTRY_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    audit_entry: _resources_pb2.AuditEntry
    def __init__(self, idempotency_key: _Optional[str] = ..., audit_entry: _Optional[_Union[_resources_pb2.AuditEntry, _Mapping]] = ...) -> None: ...

class RecordAuditEntryResponse(_message.Message):
    __slots__ = ("audit_entry",)
    AUDIT_ENTRY_FIELD_NUMBER: _ClassVar[int]
    audit_entry: _resources_pb2.AuditEntry
    def __init__(self, audit_entry: _Optional[_Union[_resources_pb2.AuditEntry, _Mapping]] = ...) -> None: ...

class WriteLogsRequest(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[_resources_pb2.LogEntry]
    def __init__(self, entries: _Optional[_Iterable[_Union[_resources_pb2.LogEntry, _Mapping]]] = ...) -> None: ...

class WriteLogsResponse(_message.Message):
    __slots__ = ("written_count",)
    WRITTEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    written_count: int
    def __init__(self, written_count: _Optional[int] = ...) -> None: ...

class ListLogEntriesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "service", "min_severity", "trace_id", "request_id", "query", "start_time", "end_time")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    MIN_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    service: str
    min_severity: _resources_pb2.LogSeverity
    trace_id: str
    request_id: str
    query: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., service: _Optional[str] = ..., min_severity: _Optional[_Union[_resources_pb2.LogSeverity, str]] = ..., trace_id: _Optional[str] = ..., request_id: _Optional[str] = ..., query: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListLogEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[_resources_pb2.LogEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[_resources_pb2.LogEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class PurgeExpiredLogEntriesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PurgeExpiredLogEntriesResponse(_message.Message):
    __slots__ = ("purged_entry_count",)
    PURGED_ENTRY_COUNT_FIELD_NUMBER: _ClassVar[int]
    purged_entry_count: int
    def __init__(self, purged_entry_count: _Optional[int] = ...) -> None: ...

class VerifyAuditChainRequest(_message.Message):
    __slots__ = ("chain",)
    CHAIN_FIELD_NUMBER: _ClassVar[int]
    chain: str
    def __init__(self, chain: _Optional[str] = ...) -> None: ...

class VerifyAuditChainResponse(_message.Message):
    __slots__ = ("intact", "chains")
    INTACT_FIELD_NUMBER: _ClassVar[int]
    CHAINS_FIELD_NUMBER: _ClassVar[int]
    intact: bool
    chains: _containers.RepeatedCompositeFieldContainer[_resources_pb2.AuditChainReport]
    def __init__(self, intact: _Optional[bool] = ..., chains: _Optional[_Iterable[_Union[_resources_pb2.AuditChainReport, _Mapping]]] = ...) -> None: ...
