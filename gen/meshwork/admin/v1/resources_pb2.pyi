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

class SuspensionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUSPENSION_STATE_UNSPECIFIED: _ClassVar[SuspensionState]
    SUSPENSION_STATE_ACTIVE: _ClassVar[SuspensionState]
    SUSPENSION_STATE_LIFTED: _ClassVar[SuspensionState]

class AdminActionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ADMIN_ACTION_TYPE_UNSPECIFIED: _ClassVar[AdminActionType]
    ADMIN_ACTION_TYPE_GRANT_ROLE: _ClassVar[AdminActionType]
    ADMIN_ACTION_TYPE_REVOKE_ROLE: _ClassVar[AdminActionType]
    ADMIN_ACTION_TYPE_SUSPEND_USER: _ClassVar[AdminActionType]
    ADMIN_ACTION_TYPE_UNSUSPEND_USER: _ClassVar[AdminActionType]
SUSPENSION_STATE_UNSPECIFIED: SuspensionState
SUSPENSION_STATE_ACTIVE: SuspensionState
SUSPENSION_STATE_LIFTED: SuspensionState
ADMIN_ACTION_TYPE_UNSPECIFIED: AdminActionType
ADMIN_ACTION_TYPE_GRANT_ROLE: AdminActionType
ADMIN_ACTION_TYPE_REVOKE_ROLE: AdminActionType
ADMIN_ACTION_TYPE_SUSPEND_USER: AdminActionType
ADMIN_ACTION_TYPE_UNSUSPEND_USER: AdminActionType

class Role(_message.Message):
    __slots__ = ("id", "title", "description", "permissions")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    description: str
    permissions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., permissions: _Optional[_Iterable[str]] = ...) -> None: ...

class RoleGrant(_message.Message):
    __slots__ = ("id", "user_id", "role_id", "reason", "granted_by", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    GRANTED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    role_id: str
    reason: str
    granted_by: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., role_id: _Optional[str] = ..., reason: _Optional[str] = ..., granted_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Suspension(_message.Message):
    __slots__ = ("id", "user_id", "state", "reason", "suspended_by", "create_time", "lift_time", "lifted_by", "lift_reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SUSPENDED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    LIFT_TIME_FIELD_NUMBER: _ClassVar[int]
    LIFTED_BY_FIELD_NUMBER: _ClassVar[int]
    LIFT_REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    state: SuspensionState
    reason: str
    suspended_by: str
    create_time: _timestamp_pb2.Timestamp
    lift_time: _timestamp_pb2.Timestamp
    lifted_by: str
    lift_reason: str
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., state: _Optional[_Union[SuspensionState, str]] = ..., reason: _Optional[str] = ..., suspended_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lift_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lifted_by: _Optional[str] = ..., lift_reason: _Optional[str] = ...) -> None: ...

class AdminAction(_message.Message):
    __slots__ = ("id", "type", "actor_id", "target_user_id", "resource_id", "role_id", "reason", "trace_id", "create_time", "request_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_USER_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    type: AdminActionType
    actor_id: str
    target_user_id: str
    resource_id: str
    role_id: str
    reason: str
    trace_id: str
    create_time: _timestamp_pb2.Timestamp
    request_id: str
    def __init__(self, id: _Optional[str] = ..., type: _Optional[_Union[AdminActionType, str]] = ..., actor_id: _Optional[str] = ..., target_user_id: _Optional[str] = ..., resource_id: _Optional[str] = ..., role_id: _Optional[str] = ..., reason: _Optional[str] = ..., trace_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class UserAccess(_message.Message):
    __slots__ = ("user_id", "roles", "suspended", "suspension_id")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    SUSPENDED_FIELD_NUMBER: _ClassVar[int]
    SUSPENSION_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    roles: _containers.RepeatedScalarFieldContainer[str]
    suspended: bool
    suspension_id: str
    def __init__(self, user_id: _Optional[str] = ..., roles: _Optional[_Iterable[str]] = ..., suspended: _Optional[bool] = ..., suspension_id: _Optional[str] = ...) -> None: ...
