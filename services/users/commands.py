"""What each use case is asked to do, as received: plain values, not yet validated."""

from __future__ import annotations

from dataclasses import dataclass

from mesh.actor import Actor
from services.users.domain import Address, Profile

#: A calendar date as (year, month, day), possibly not a real date.
DateParts = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class CreateUser:
    user_id: str
    email: str
    profile: Profile
    #: `user.id` of the request, which must be empty or equal `user_id`.
    body_id: str = ""


@dataclass(frozen=True, slots=True)
class GetUser:
    user_id: str
    caller: Actor


@dataclass(frozen=True, slots=True)
class LookupUserByEmail:
    email: str


@dataclass(frozen=True, slots=True)
class UpdateUser:
    user_id: str
    profile: Profile
    paths: tuple[str, ...]
    caller: Actor


@dataclass(frozen=True, slots=True)
class ListUsers:
    page_size: int = 0
    page_token: str = ""
    email: str = ""
    #: A KycStatus name, "" for any.
    kyc_status: str = ""
    query: str = ""
    show_deleted: bool = False


@dataclass(frozen=True, slots=True)
class DeleteUser:
    user_id: str
    caller: Actor


@dataclass(frozen=True, slots=True)
class GetKyc:
    user_id: str
    caller: Actor


@dataclass(frozen=True, slots=True)
class KycSubmission:
    legal_given_name: str = ""
    legal_family_name: str = ""
    birth_date: DateParts | None = None
    nationality: str = ""
    residential_address: Address | None = None
    #: A KycDocumentType name, "" when unspecified.
    document_type: str = ""
    document_number: str = ""
    document_issuing_country: str = ""
    document_expire_date: DateParts | None = None


@dataclass(frozen=True, slots=True)
class SubmitKyc:
    user_id: str
    details: KycSubmission | None
    caller: Actor


@dataclass(frozen=True, slots=True)
class VerifyKyc:
    user_id: str
    caller: Actor


@dataclass(frozen=True, slots=True)
class RejectKyc:
    user_id: str
    #: A KycRejectionReason name, "" when unspecified.
    reason: str
    caller: Actor
    note: str = ""
