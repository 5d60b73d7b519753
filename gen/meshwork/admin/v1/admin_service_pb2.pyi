import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from meshwork.admin.v1 import resources_pb2 as _resources_pb2
from meshwork.options.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListRolesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRolesResponse(_message.Message):
    __slots__ = ("roles", "next_page_token")
    ROLES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    roles: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Role]
    next_page_token: str
    def __init__(self, roles: _Optional[_Iterable[_Union[_resources_pb2.Role, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListRoleGrantsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "user_id", "role_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    user_id: str
    role_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., user_id: _Optional[str] = ..., role_id: _Optional[str] = ...) -> None: ...

class ListRoleGrantsResponse(_message.Message):
    __slots__ = ("role_grants", "next_page_token")
    ROLE_GRANTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    role_grants: _containers.RepeatedCompositeFieldContainer[_resources_pb2.RoleGrant]
    next_page_token: str
    def __init__(self, role_grants: _Optional[_Iterable[_Union[_resources_pb2.RoleGrant, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetRoleGrantRequest(_message.Message):
    __slots__ = ("role_grant_id",)
    ROLE_GRANT_ID_FIELD_NUMBER: _ClassVar[int]
    role_grant_id: str
    def __init__(self, role_grant_id: _Optional[str] = ...) -> None: ...

class GetRoleGrantResponse(_message.Message):
    __slots__ = ("role_grant",)
    ROLE_GRANT_FIELD_NUMBER: _ClassVar[int]
    role_grant: _resources_pb2.RoleGrant
    def __init__(self, role_grant: _Optional[_Union[_resources_pb2.RoleGrant, _Mapping]] = ...) -> None: ...

class CreateRoleGrantRequest(_message.Message):
    __slots__ = ("role_grant",)
    ROLE_GRANT_FIELD_NUMBER: _ClassVar[int]
    role_grant: _resources_pb2.RoleGrant
    def __init__(self, role_grant: _Optional[_Union[_resources_pb2.RoleGrant, _Mapping]] = ...) -> None: ...

class CreateRoleGrantResponse(_message.Message):
    __slots__ = ("role_grant",)
    ROLE_GRANT_FIELD_NUMBER: _ClassVar[int]
    role_grant: _resources_pb2.RoleGrant
    def __init__(self, role_grant: _Optional[_Union[_resources_pb2.RoleGrant, _Mapping]] = ...) -> None: ...

class DeleteRoleGrantRequest(_message.Message):
    __slots__ = ("role_grant_id", "reason")
    ROLE_GRANT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    role_grant_id: str
    reason: str
    def __init__(self, role_grant_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class DeleteRoleGrantResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SuspendUserRequest(_message.Message):
    __slots__ = ("user_id", "reason")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    reason: str
    def __init__(self, user_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class SuspendUserResponse(_message.Message):
    __slots__ = ("suspension",)
    SUSPENSION_FIELD_NUMBER: _ClassVar[int]
    suspension: _resources_pb2.Suspension
    def __init__(self, suspension: _Optional[_Union[_resources_pb2.Suspension, _Mapping]] = ...) -> None: ...

class UnsuspendUserRequest(_message.Message):
    __slots__ = ("user_id", "reason")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    reason: str
    def __init__(self, user_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class UnsuspendUserResponse(_message.Message):
    __slots__ = ("suspension",)
    SUSPENSION_FIELD_NUMBER: _ClassVar[int]
    suspension: _resources_pb2.Suspension
    def __init__(self, suspension: _Optional[_Union[_resources_pb2.Suspension, _Mapping]] = ...) -> None: ...

class ListSuspensionsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "user_id", "state")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    user_id: str
    state: _resources_pb2.SuspensionState
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., user_id: _Optional[str] = ..., state: _Optional[_Union[_resources_pb2.SuspensionState, str]] = ...) -> None: ...

class ListSuspensionsResponse(_message.Message):
    __slots__ = ("suspensions", "next_page_token")
    SUSPENSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    suspensions: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Suspension]
    next_page_token: str
    def __init__(self, suspensions: _Optional[_Iterable[_Union[_resources_pb2.Suspension, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetSuspensionRequest(_message.Message):
    __slots__ = ("suspension_id",)
    SUSPENSION_ID_FIELD_NUMBER: _ClassVar[int]
    suspension_id: str
    def __init__(self, suspension_id: _Optional[str] = ...) -> None: ...

class GetSuspensionResponse(_message.Message):
    __slots__ = ("suspension",)
    SUSPENSION_FIELD_NUMBER: _ClassVar[int]
    suspension: _resources_pb2.Suspension
    def __init__(self, suspension: _Optional[_Union[_resources_pb2.Suspension, _Mapping]] = ...) -> None: ...

class ListAdminActionsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "actor_id", "target_user_id", "type", "start_time", "end_time")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_USER_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    actor_id: str
    target_user_id: str
    type: _resources_pb2.AdminActionType
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., actor_id: _Optional[str] = ..., target_user_id: _Optional[str] = ..., type: _Optional[_Union[_resources_pb2.AdminActionType, str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAdminActionsResponse(_message.Message):
    __slots__ = ("admin_actions", "next_page_token")
    ADMIN_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    admin_actions: _containers.RepeatedCompositeFieldContainer[_resources_pb2.AdminAction]
    next_page_token: str
    def __init__(self, admin_actions: _Optional[_Iterable[_Union[_resources_pb2.AdminAction, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetAdminActionRequest(_message.Message):
    __slots__ = ("admin_action_id",)
    ADMIN_ACTION_ID_FIELD_NUMBER: _ClassVar[int]
    admin_action_id: str
    def __init__(self, admin_action_id: _Optional[str] = ...) -> None: ...

class GetAdminActionResponse(_message.Message):
    __slots__ = ("admin_action",)
    ADMIN_ACTION_FIELD_NUMBER: _ClassVar[int]
    admin_action: _resources_pb2.AdminAction
    def __init__(self, admin_action: _Optional[_Union[_resources_pb2.AdminAction, _Mapping]] = ...) -> None: ...

class GetUserAccessRequest(_message.Message):
    __slots__ = ("user_id", "email")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    email: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class GetUserAccessResponse(_message.Message):
    __slots__ = ("user_access",)
    USER_ACCESS_FIELD_NUMBER: _ClassVar[int]
    user_access: _resources_pb2.UserAccess
    def __init__(self, user_access: _Optional[_Union[_resources_pb2.UserAccess, _Mapping]] = ...) -> None: ...
