from google.protobuf import field_mask_pb2 as _field_mask_pb2
from meshwork.notifications.v1 import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MessageSent(_message.Message):
    __slots__ = ("message_id", "user_id", "template_id", "channel", "attempt_count")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    user_id: str
    template_id: str
    channel: _resources_pb2.Channel
    attempt_count: int
    def __init__(self, message_id: _Optional[str] = ..., user_id: _Optional[str] = ..., template_id: _Optional[str] = ..., channel: _Optional[_Union[_resources_pb2.Channel, str]] = ..., attempt_count: _Optional[int] = ...) -> None: ...

class MessageFailed(_message.Message):
    __slots__ = ("message_id", "user_id", "template_id", "channel", "attempt_count", "last_error")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    user_id: str
    template_id: str
    channel: _resources_pb2.Channel
    attempt_count: int
    last_error: str
    def __init__(self, message_id: _Optional[str] = ..., user_id: _Optional[str] = ..., template_id: _Optional[str] = ..., channel: _Optional[_Union[_resources_pb2.Channel, str]] = ..., attempt_count: _Optional[int] = ..., last_error: _Optional[str] = ...) -> None: ...

class MessageSuppressed(_message.Message):
    __slots__ = ("message_id", "user_id", "template_id", "channel", "reason")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    user_id: str
    template_id: str
    channel: _resources_pb2.Channel
    reason: _resources_pb2.SuppressionReason
    def __init__(self, message_id: _Optional[str] = ..., user_id: _Optional[str] = ..., template_id: _Optional[str] = ..., channel: _Optional[_Union[_resources_pb2.Channel, str]] = ..., reason: _Optional[_Union[_resources_pb2.SuppressionReason, str]] = ...) -> None: ...

class NotificationPreferencesUpdated(_message.Message):
    __slots__ = ("user_id", "changed", "updated_by")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    changed: _containers.RepeatedCompositeFieldContainer[_resources_pb2.NotificationPreference]
    updated_by: str
    def __init__(self, user_id: _Optional[str] = ..., changed: _Optional[_Iterable[_Union[_resources_pb2.NotificationPreference, _Mapping]]] = ..., updated_by: _Optional[str] = ...) -> None: ...

class TemplateCreated(_message.Message):
    __slots__ = ("template_id", "created_by")
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    created_by: str
    def __init__(self, template_id: _Optional[str] = ..., created_by: _Optional[str] = ...) -> None: ...

class TemplateUpdated(_message.Message):
    __slots__ = ("template_id", "update_mask", "updated_by")
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    update_mask: _field_mask_pb2.FieldMask
    updated_by: str
    def __init__(self, template_id: _Optional[str] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., updated_by: _Optional[str] = ...) -> None: ...

class TemplateDeleted(_message.Message):
    __slots__ = ("template_id", "deleted_by")
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    DELETED_BY_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    deleted_by: str
    def __init__(self, template_id: _Optional[str] = ..., deleted_by: _Optional[str] = ...) -> None: ...
