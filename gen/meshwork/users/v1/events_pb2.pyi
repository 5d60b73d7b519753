from google.protobuf import field_mask_pb2 as _field_mask_pb2
from meshwork.users.v1 import resources_pb2 as _resources_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UserCreated(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: _resources_pb2.User
    def __init__(self, user: _Optional[_Union[_resources_pb2.User, _Mapping]] = ...) -> None: ...

class UserUpdated(_message.Message):
    __slots__ = ("user", "update_mask")
    USER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    user: _resources_pb2.User
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, user: _Optional[_Union[_resources_pb2.User, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UserDeleted(_message.Message):
    __slots__ = ("user_id", "email", "deleted_by")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    DELETED_BY_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    email: str
    deleted_by: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., deleted_by: _Optional[str] = ...) -> None: ...

class KycSubmitted(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class KycVerified(_message.Message):
    __slots__ = ("user_id", "reviewer_id")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REVIEWER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    reviewer_id: str
    def __init__(self, user_id: _Optional[str] = ..., reviewer_id: _Optional[str] = ...) -> None: ...

class KycRejected(_message.Message):
    __slots__ = ("user_id", "reviewer_id", "reason", "note")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REVIEWER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    reviewer_id: str
    reason: _resources_pb2.KycRejectionReason
    note: str
    def __init__(self, user_id: _Optional[str] = ..., reviewer_id: _Optional[str] = ..., reason: _Optional[_Union[_resources_pb2.KycRejectionReason, str]] = ..., note: _Optional[str] = ...) -> None: ...
