from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class JobSucceeded(_message.Message):
    __slots__ = ("job_id", "type", "idempotency_key", "enqueued_by", "attempt_count")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ENQUEUED_BY_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    type: str
    idempotency_key: str
    enqueued_by: str
    attempt_count: int
    def __init__(self, job_id: _Optional[str] = ..., type: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., enqueued_by: _Optional[str] = ..., attempt_count: _Optional[int] = ...) -> None: ...

class JobDead(_message.Message):
    __slots__ = ("job_id", "type", "idempotency_key", "enqueued_by", "attempt_count", "last_error")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ENQUEUED_BY_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    type: str
    idempotency_key: str
    enqueued_by: str
    attempt_count: int
    last_error: str
    def __init__(self, job_id: _Optional[str] = ..., type: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., enqueued_by: _Optional[str] = ..., attempt_count: _Optional[int] = ..., last_error: _Optional[str] = ...) -> None: ...

class JobCancelled(_message.Message):
    __slots__ = ("job_id", "type", "idempotency_key", "enqueued_by", "cancelled_by")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ENQUEUED_BY_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_BY_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    type: str
    idempotency_key: str
    enqueued_by: str
    cancelled_by: str
    def __init__(self, job_id: _Optional[str] = ..., type: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., enqueued_by: _Optional[str] = ..., cancelled_by: _Optional[str] = ...) -> None: ...

class JobRetried(_message.Message):
    __slots__ = ("job_id", "type", "retried_by")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    RETRIED_BY_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    type: str
    retried_by: str
    def __init__(self, job_id: _Optional[str] = ..., type: _Optional[str] = ..., retried_by: _Optional[str] = ...) -> None: ...

class WebhookEndpointCreated(_message.Message):
    __slots__ = ("webhook_endpoint_id", "url", "event_types", "created_by")
    WEBHOOK_ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    webhook_endpoint_id: str
    url: str
    event_types: _containers.RepeatedScalarFieldContainer[str]
    created_by: str
    def __init__(self, webhook_endpoint_id: _Optional[str] = ..., url: _Optional[str] = ..., event_types: _Optional[_Iterable[str]] = ..., created_by: _Optional[str] = ...) -> None: ...

class WebhookEndpointUpdated(_message.Message):
    __slots__ = ("webhook_endpoint_id", "update_mask", "updated_by")
    WEBHOOK_ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    webhook_endpoint_id: str
    update_mask: _field_mask_pb2.FieldMask
    updated_by: str
    def __init__(self, webhook_endpoint_id: _Optional[str] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., updated_by: _Optional[str] = ...) -> None: ...

class WebhookEndpointDeleted(_message.Message):
    __slots__ = ("webhook_endpoint_id", "deleted_by")
    WEBHOOK_ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    DELETED_BY_FIELD_NUMBER: _ClassVar[int]
    webhook_endpoint_id: str
    deleted_by: str
    def __init__(self, webhook_endpoint_id: _Optional[str] = ..., deleted_by: _Optional[str] = ...) -> None: ...
