import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AuditEntryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIT_ENTRY_KIND_UNSPECIFIED: _ClassVar[AuditEntryKind]
    AUDIT_ENTRY_KIND_DOMAIN_EVENT: _ClassVar[AuditEntryKind]
    AUDIT_ENTRY_KIND_ADMIN_ACTION: _ClassVar[AuditEntryKind]
    AUDIT_ENTRY_KIND_SECURITY: _ClassVar[AuditEntryKind]

class LogSeverity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOG_SEVERITY_UNSPECIFIED: _ClassVar[LogSeverity]
    LOG_SEVERITY_DEBUG: _ClassVar[LogSeverity]
    LOG_SEVERITY_INFO: _ClassVar[LogSeverity]
    LOG_SEVERITY_WARNING: _ClassVar[LogSeverity]
    LOG_SEVERITY_ERROR: _ClassVar[LogSeverity]
    LOG_SEVERITY_CRITICAL: _ClassVar[LogSeverity]

class AuditChainBreakKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIT_CHAIN_BREAK_KIND_UNSPECIFIED: _ClassVar[AuditChainBreakKind]
    AUDIT_CHAIN_BREAK_KIND_CHANGED: _ClassVar[AuditChainBreakKind]
    AUDIT_CHAIN_BREAK_KIND_REMOVED: _ClassVar[AuditChainBreakKind]
    AUDIT_CHAIN_BREAK_KIND_REORDERED: _ClassVar[AuditChainBreakKind]
AUDIT_ENTRY_KIND_UNSPECIFIED: AuditEntryKind
AUDIT_ENTRY_KIND_DOMAIN_EVENT: AuditEntryKind
AUDIT_ENTRY_KIND_ADMIN_ACTION: AuditEntryKind
AUDIT_ENTRY_KIND_SECURITY: AuditEntryKind
LOG_SEVERITY_UNSPECIFIED: LogSeverity
LOG_SEVERITY_DEBUG: LogSeverity
LOG_SEVERITY_INFO: LogSeverity
LOG_SEVERITY_WARNING: LogSeverity
LOG_SEVERITY_ERROR: LogSeverity
LOG_SEVERITY_CRITICAL: LogSeverity
AUDIT_CHAIN_BREAK_KIND_UNSPECIFIED: AuditChainBreakKind
AUDIT_CHAIN_BREAK_KIND_CHANGED: AuditChainBreakKind
AUDIT_CHAIN_BREAK_KIND_REMOVED: AuditChainBreakKind
AUDIT_CHAIN_BREAK_KIND_REORDERED: AuditChainBreakKind

class AuditEntry(_message.Message):
    __slots__ = ("id", "kind", "service", "type", "summary", "actor_user_id", "actor_service", "subject_type", "subject_id", "trace_id", "request_id", "event_id", "payload", "occur_time", "create_time", "chain", "sequence", "previous_hash", "hash")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_SERVICE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CHAIN_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_HASH_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: AuditEntryKind
    service: str
    type: str
    summary: str
    actor_user_id: str
    actor_service: str
    subject_type: str
    subject_id: str
    trace_id: str
    request_id: str
    event_id: str
    payload: _struct_pb2.Struct
    occur_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    chain: str
    sequence: int
    previous_hash: str
    hash: str
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[_Union[AuditEntryKind, str]] = ..., service: _Optional[str] = ..., type: _Optional[str] = ..., summary: _Optional[str] = ..., actor_user_id: _Optional[str] = ..., actor_service: _Optional[str] = ..., subject_type: _Optional[str] = ..., subject_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., request_id: _Optional[str] = ..., event_id: _Optional[str] = ..., payload: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., chain: _Optional[str] = ..., sequence: _Optional[int] = ..., previous_hash: _Optional[str] = ..., hash: _Optional[str] = ...) -> None: ...

class LogEntry(_message.Message):
    __slots__ = ("insert_id", "service", "instance", "severity", "logger", "message", "time", "trace_id", "span_id", "request_id", "attributes", "receive_time")
    INSERT_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    LOGGER_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    insert_id: str
    service: str
    instance: str
    severity: LogSeverity
    logger: str
    message: str
    time: _timestamp_pb2.Timestamp
    trace_id: str
    span_id: str
    request_id: str
    attributes: _struct_pb2.Struct
    receive_time: _timestamp_pb2.Timestamp
    def __init__(self, insert_id: _Optional[str] = ..., service: _Optional[str] = ..., instance: _Optional[str] = ..., severity: _Optional[_Union[LogSeverity, str]] = ..., logger: _Optional[str] = ..., message: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., trace_id: _Optional[str] = ..., span_id: _Optional[str] = ..., request_id: _Optional[str] = ..., attributes: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AuditChainReport(_message.Message):
    __slots__ = ("chain", "checked_entry_count", "head_sequence", "breaks")
    CHAIN_FIELD_NUMBER: _ClassVar[int]
    CHECKED_ENTRY_COUNT_FIELD_NUMBER: _ClassVar[int]
    HEAD_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    BREAKS_FIELD_NUMBER: _ClassVar[int]
    chain: str
    checked_entry_count: int
    head_sequence: int
    breaks: _containers.RepeatedCompositeFieldContainer[AuditChainBreak]
    def __init__(self, chain: _Optional[str] = ..., checked_entry_count: _Optional[int] = ..., head_sequence: _Optional[int] = ..., breaks: _Optional[_Iterable[_Union[AuditChainBreak, _Mapping]]] = ...) -> None: ...

class AuditChainBreak(_message.Message):
    __slots__ = ("kind", "audit_entry_id", "sequence", "description")
    KIND_FIELD_NUMBER: _ClassVar[int]
    AUDIT_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    kind: AuditChainBreakKind
    audit_entry_id: str
    sequence: int
    description: str
    def __init__(self, kind: _Optional[_Union[AuditChainBreakKind, str]] = ..., audit_entry_id: _Optional[str] = ..., sequence: _Optional[int] = ..., description: _Optional[str] = ...) -> None: ...
