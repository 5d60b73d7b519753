from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class RoleGranted(_message.Message):
    __slots__ = ("role_grant_id", "user_id", "role_id", "granted_by", "reason")
    ROLE_GRANT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_ID_FIELD_NUMBER: _ClassVar[int]
    GRANTED_BY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    role_grant_id: str
    user_id: str
    role_id: str
    granted_by: str
    reason: str
    def __init__(self, role_grant_id: _Optional[str] = ..., user_id: _Optional[str] = ..., role_id: _Optional[str] = ..., granted_by: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RoleRevoked(_message.Message):
    __slots__ = ("role_grant_id", "user_id", "role_id", "revoked_by", "reason")
    ROLE_GRANT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_ID_FIELD_NUMBER: _ClassVar[int]
    REVOKED_BY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    role_grant_id: str
    user_id: str
    role_id: str
    revoked_by: str
    reason: str
    def __init__(self, role_grant_id: _Optional[str] = ..., user_id: _Optional[str] = ..., role_id: _Optional[str] = ..., revoked_by: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class UserSuspended(_message.Message):
    __slots__ = ("suspension_id", "user_id", "suspended_by", "reason")
    SUSPENSION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SUSPENDED_BY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    suspension_id: str
    user_id: str
    suspended_by: str
    reason: str
    def __init__(self, suspension_id: _Optional[str] = ..., user_id: _Optional[str] = ..., suspended_by: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class UserUnsuspended(_message.Message):
    __slots__ = ("suspension_id", "user_id", "unsuspended_by", "reason")
    SUSPENSION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    UNSUSPENDED_BY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    suspension_id: str
    user_id: str
    unsuspended_by: str
    reason: str
    def __init__(self, suspension_id: _Optional[str] = ..., user_id: _Optional[str] = ..., unsuspended_by: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...
