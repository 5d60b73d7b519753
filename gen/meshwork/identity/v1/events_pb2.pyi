import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from meshwork.identity.v1 import errors_pb2 as _errors_pb2
from meshwork.identity.v1 import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UserSignedUp(_message.Message):
    __slots__ = ("user_id", "email")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    email: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class UserLoggedIn(_message.Message):
    __slots__ = ("user_id", "session_id", "ip_address", "user_agent")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    session_id: str
    ip_address: str
    user_agent: str
    def __init__(self, user_id: _Optional[str] = ..., session_id: _Optional[str] = ..., ip_address: _Optional[str] = ..., user_agent: _Optional[str] = ...) -> None: ...

class LoginFailed(_message.Message):
    __slots__ = ("user_id", "email", "reason", "ip_address")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    email: str
    reason: _errors_pb2.ErrorReason
    ip_address: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., reason: _Optional[_Union[_errors_pb2.ErrorReason, str]] = ..., ip_address: _Optional[str] = ...) -> None: ...

class SessionsRevoked(_message.Message):
    __slots__ = ("user_id", "session_ids", "reason")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_IDS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    session_ids: _containers.RepeatedScalarFieldContainer[str]
    reason: _resources_pb2.SessionRevocationReason
    def __init__(self, user_id: _Optional[str] = ..., session_ids: _Optional[_Iterable[str]] = ..., reason: _Optional[_Union[_resources_pb2.SessionRevocationReason, str]] = ...) -> None: ...

class PasswordChanged(_message.Message):
    __slots__ = ("user_id", "email", "via_reset")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    VIA_RESET_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    email: str
    via_reset: bool
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., via_reset: _Optional[bool] = ...) -> None: ...

class PasswordResetRequested(_message.Message):
    __slots__ = ("user_id", "email", "token", "expire_time", "locale")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    email: str
    token: str
    expire_time: _timestamp_pb2.Timestamp
    locale: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., token: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., locale: _Optional[str] = ...) -> None: ...

class EmailVerificationRequested(_message.Message):
    __slots__ = ("user_id", "email", "token", "expire_time", "locale")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    email: str
    token: str
    expire_time: _timestamp_pb2.Timestamp
    locale: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., token: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., locale: _Optional[str] = ...) -> None: ...

class EmailVerified(_message.Message):
    __slots__ = ("user_id", "email")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    email: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class SigningKeysRotated(_message.Message):
    __slots__ = ("active_key_id", "pending_key_id", "retired_key_id")
    ACTIVE_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PENDING_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    RETIRED_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    active_key_id: str
    pending_key_id: str
    retired_key_id: str
    def __init__(self, active_key_id: _Optional[str] = ..., pending_key_id: _Optional[str] = ..., retired_key_id: _Optional[str] = ...) -> None: ...
