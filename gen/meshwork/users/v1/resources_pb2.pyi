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

class UserState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    USER_STATE_UNSPECIFIED: _ClassVar[UserState]
    USER_STATE_ACTIVE: _ClassVar[UserState]
    USER_STATE_DELETED: _ClassVar[UserState]

class KycStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KYC_STATUS_UNSPECIFIED: _ClassVar[KycStatus]
    KYC_STATUS_NOT_SUBMITTED: _ClassVar[KycStatus]
    KYC_STATUS_PENDING: _ClassVar[KycStatus]
    KYC_STATUS_VERIFIED: _ClassVar[KycStatus]
    KYC_STATUS_REJECTED: _ClassVar[KycStatus]

class KycDocumentType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KYC_DOCUMENT_TYPE_UNSPECIFIED: _ClassVar[KycDocumentType]
    KYC_DOCUMENT_TYPE_PASSPORT: _ClassVar[KycDocumentType]
    KYC_DOCUMENT_TYPE_NATIONAL_ID: _ClassVar[KycDocumentType]
    KYC_DOCUMENT_TYPE_DRIVING_LICENCE: _ClassVar[KycDocumentType]

class KycRejectionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KYC_REJECTION_REASON_UNSPECIFIED: _ClassVar[KycRejectionReason]
    KYC_REJECTION_REASON_DETAILS_MISMATCH: _ClassVar[KycRejectionReason]
    KYC_REJECTION_REASON_DOCUMENT_UNREADABLE: _ClassVar[KycRejectionReason]
    KYC_REJECTION_REASON_DOCUMENT_EXPIRED: _ClassVar[KycRejectionReason]
    KYC_REJECTION_REASON_DOCUMENT_UNSUPPORTED: _ClassVar[KycRejectionReason]
    KYC_REJECTION_REASON_NOT_ELIGIBLE: _ClassVar[KycRejectionReason]
    KYC_REJECTION_REASON_OTHER: _ClassVar[KycRejectionReason]
USER_STATE_UNSPECIFIED: UserState
USER_STATE_ACTIVE: UserState
USER_STATE_DELETED: UserState
KYC_STATUS_UNSPECIFIED: KycStatus
KYC_STATUS_NOT_SUBMITTED: KycStatus
KYC_STATUS_PENDING: KycStatus
KYC_STATUS_VERIFIED: KycStatus
KYC_STATUS_REJECTED: KycStatus
KYC_DOCUMENT_TYPE_UNSPECIFIED: KycDocumentType
KYC_DOCUMENT_TYPE_PASSPORT: KycDocumentType
KYC_DOCUMENT_TYPE_NATIONAL_ID: KycDocumentType
KYC_DOCUMENT_TYPE_DRIVING_LICENCE: KycDocumentType
KYC_REJECTION_REASON_UNSPECIFIED: KycRejectionReason
KYC_REJECTION_REASON_DETAILS_MISMATCH: KycRejectionReason
KYC_REJECTION_REASON_DOCUMENT_UNREADABLE: KycRejectionReason
KYC_REJECTION_REASON_DOCUMENT_EXPIRED: KycRejectionReason
KYC_REJECTION_REASON_DOCUMENT_UNSUPPORTED: KycRejectionReason
KYC_REJECTION_REASON_NOT_ELIGIBLE: KycRejectionReason
KYC_REJECTION_REASON_OTHER: KycRejectionReason

class User(_message.Message):
    __slots__ = ("id", "email", "email_verified", "display_name", "given_name", "family_name", "phone_number", "locale", "time_zone", "address", "kyc_status", "state", "create_time", "update_time", "delete_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    EMAIL_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    GIVEN_NAME_FIELD_NUMBER: _ClassVar[int]
    FAMILY_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    KYC_STATUS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DELETE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    email: str
    email_verified: bool
    display_name: str
    given_name: str
    family_name: str
    phone_number: str
    locale: str
    time_zone: str
    address: Address
    kyc_status: KycStatus
    state: UserState
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    delete_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., email: _Optional[str] = ..., email_verified: _Optional[bool] = ..., display_name: _Optional[str] = ..., given_name: _Optional[str] = ..., family_name: _Optional[str] = ..., phone_number: _Optional[str] = ..., locale: _Optional[str] = ..., time_zone: _Optional[str] = ..., address: _Optional[_Union[Address, _Mapping]] = ..., kyc_status: _Optional[_Union[KycStatus, str]] = ..., state: _Optional[_Union[UserState, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Address(_message.Message):
    __slots__ = ("address_lines", "locality", "administrative_area", "postal_code", "region_code")
    ADDRESS_LINES_FIELD_NUMBER: _ClassVar[int]
    LOCALITY_FIELD_NUMBER: _ClassVar[int]
    ADMINISTRATIVE_AREA_FIELD_NUMBER: _ClassVar[int]
    POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    REGION_CODE_FIELD_NUMBER: _ClassVar[int]
    address_lines: _containers.RepeatedScalarFieldContainer[str]
    locality: str
    administrative_area: str
    postal_code: str
    region_code: str
    def __init__(self, address_lines: _Optional[_Iterable[str]] = ..., locality: _Optional[str] = ..., administrative_area: _Optional[str] = ..., postal_code: _Optional[str] = ..., region_code: _Optional[str] = ...) -> None: ...

class Date(_message.Message):
    __slots__ = ("year", "month", "day")
    YEAR_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    year: int
    month: int
    day: int
    def __init__(self, year: _Optional[int] = ..., month: _Optional[int] = ..., day: _Optional[int] = ...) -> None: ...

class Kyc(_message.Message):
    __slots__ = ("user_id", "status", "details", "submit_time", "review_time", "reviewer_id", "rejection_reason", "rejection_note")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    REVIEW_TIME_FIELD_NUMBER: _ClassVar[int]
    REVIEWER_ID_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    REJECTION_NOTE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    status: KycStatus
    details: KycDetails
    submit_time: _timestamp_pb2.Timestamp
    review_time: _timestamp_pb2.Timestamp
    reviewer_id: str
    rejection_reason: KycRejectionReason
    rejection_note: str
    def __init__(self, user_id: _Optional[str] = ..., status: _Optional[_Union[KycStatus, str]] = ..., details: _Optional[_Union[KycDetails, _Mapping]] = ..., submit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., review_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reviewer_id: _Optional[str] = ..., rejection_reason: _Optional[_Union[KycRejectionReason, str]] = ..., rejection_note: _Optional[str] = ...) -> None: ...

class KycDetails(_message.Message):
    __slots__ = ("legal_given_name", "legal_family_name", "birth_date", "nationality", "residential_address", "document_type", "document_number", "document_issuing_country", "document_expire_date")
    LEGAL_GIVEN_NAME_FIELD_NUMBER: _ClassVar[int]
    LEGAL_FAMILY_NAME_FIELD_NUMBER: _ClassVar[int]
    BIRTH_DATE_FIELD_NUMBER: _ClassVar[int]
    NATIONALITY_FIELD_NUMBER: _ClassVar[int]
    RESIDENTIAL_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ISSUING_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_EXPIRE_DATE_FIELD_NUMBER: _ClassVar[int]
    legal_given_name: str
    legal_family_name: str
    birth_date: Date
    nationality: str
    residential_address: Address
    document_type: KycDocumentType
    document_number: str
    document_issuing_country: str
    document_expire_date: Date
    def __init__(self, legal_given_name: _Optional[str] = ..., legal_family_name: _Optional[str] = ..., birth_date: _Optional[_Union[Date, _Mapping]] = ..., nationality: _Optional[str] = ..., residential_address: _Optional[_Union[Address, _Mapping]] = ..., document_type: _Optional[_Union[KycDocumentType, str]] = ..., document_number: _Optional[str] = ..., document_issuing_country: _Optional[str] = ..., document_expire_date: _Optional[_Union[Date, _Mapping]] = ...) -> None: ...
