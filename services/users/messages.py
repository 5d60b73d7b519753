"""Domain values ↔ the contract's protobuf messages: resources, requests and events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from google.protobuf import field_mask_pb2

from mesh.actor import Actor
from mesh.protobuf import enum_name, enum_number, timestamp_of
from meshwork.users.v1 import events_pb2, resources_pb2, users_service_pb2
from services.users import commands
from services.users.domain import Address, Kyc, KycDetails, Profile, User

# ---- domain → protobuf


def user_message(user: User) -> resources_pb2.User:
    profile = user.profile
    message = resources_pb2.User(
        id=user.id,
        email=user.email,
        email_verified=user.email_verified,
        display_name=profile.display_name,
        given_name=profile.given_name,
        family_name=profile.family_name,
        phone_number=profile.phone_number,
        locale=profile.locale,
        time_zone=profile.time_zone,
        kyc_status=enum_number(resources_pb2.KycStatus, user.kyc.status),
        state=enum_number(resources_pb2.UserState, user.state),
        create_time=timestamp_of(user.create_time),
        update_time=timestamp_of(user.update_time),
        delete_time=timestamp_of(user.delete_time),
    )
    if profile.address is not None:
        message.address.CopyFrom(_address_message(profile.address))
    return message


def kyc_message(user: User) -> resources_pb2.Kyc:
    kyc: Kyc = user.kyc
    message = resources_pb2.Kyc(
        user_id=user.id,
        status=enum_number(resources_pb2.KycStatus, kyc.status),
        submit_time=timestamp_of(kyc.submit_time),
        review_time=timestamp_of(kyc.review_time),
        reviewer_id=kyc.reviewer_id,
        rejection_note=kyc.rejection_note,
    )
    if kyc.rejection_reason is not None:
        message.rejection_reason = enum_number(
            resources_pb2.KycRejectionReason, kyc.rejection_reason
        )
    if kyc.details is not None:
        message.details.CopyFrom(_details_message(kyc.details))
    return message


def _details_message(details: KycDetails) -> resources_pb2.KycDetails:
    return resources_pb2.KycDetails(
        legal_given_name=details.legal_given_name,
        legal_family_name=details.legal_family_name,
        birth_date=_date_message(details.birth_date),
        nationality=details.nationality,
        residential_address=_address_message(details.residential_address),
        document_type=enum_number(resources_pb2.KycDocumentType, details.document_type),
        document_number=details.document_number,
        document_issuing_country=details.document_issuing_country,
        document_expire_date=_date_message(details.document_expire_date),
    )


def _address_message(address: Address) -> resources_pb2.Address:
    return resources_pb2.Address(
        address_lines=address.address_lines,
        locality=address.locality,
        administrative_area=address.administrative_area,
        postal_code=address.postal_code,
        region_code=address.region_code,
    )


def _date_message(day: date) -> resources_pb2.Date:
    return resources_pb2.Date(year=day.year, month=day.month, day=day.day)


# ---- events


def user_created(user: User) -> events_pb2.UserCreated:
    return events_pb2.UserCreated(user=user_message(user))


def user_updated(user: User, changed: Iterable[str]) -> events_pb2.UserUpdated:
    mask = field_mask_pb2.FieldMask(paths=list(changed))
    return events_pb2.UserUpdated(user=user_message(user), update_mask=mask)


def user_deleted(user: User) -> events_pb2.UserDeleted:
    return events_pb2.UserDeleted(user_id=user.id, email=user.email, deleted_by=user.deleted_by)


def kyc_submitted(user: User) -> events_pb2.KycSubmitted:
    return events_pb2.KycSubmitted(user_id=user.id)


def kyc_verified(user: User) -> events_pb2.KycVerified:
    return events_pb2.KycVerified(user_id=user.id, reviewer_id=user.kyc.reviewer_id)


def kyc_rejected(user: User) -> events_pb2.KycRejected:
    kyc = kyc_message(user)
    return events_pb2.KycRejected(
        user_id=user.id,
        reviewer_id=kyc.reviewer_id,
        reason=kyc.rejection_reason,
        note=kyc.rejection_note,
    )


# ---- protobuf requests → commands


def create_user_command(request: users_service_pb2.CreateUserRequest) -> commands.CreateUser:
    return commands.CreateUser(
        user_id=request.user_id,
        email=request.user.email,
        profile=_profile(request.user),
        body_id=request.user.id,
    )


def update_user_command(
    request: users_service_pb2.UpdateUserRequest, caller: Actor
) -> commands.UpdateUser:
    return commands.UpdateUser(
        user_id=request.user.id,
        profile=_profile(request.user),
        paths=tuple(request.update_mask.paths),
        caller=caller,
    )


def list_users_command(request: users_service_pb2.ListUsersRequest) -> commands.ListUsers:
    return commands.ListUsers(
        page_size=request.page_size,
        page_token=request.page_token,
        email=request.email,
        kyc_status=enum_name(resources_pb2.KycStatus, request.kyc_status),
        query=request.query,
        show_deleted=request.show_deleted,
    )


def submit_kyc_command(
    request: users_service_pb2.SubmitKycRequest, caller: Actor
) -> commands.SubmitKyc:
    if not request.HasField("details"):
        return commands.SubmitKyc(user_id=request.user_id, details=None, caller=caller)
    details = request.details
    return commands.SubmitKyc(
        user_id=request.user_id,
        details=commands.KycSubmission(
            legal_given_name=details.legal_given_name,
            legal_family_name=details.legal_family_name,
            birth_date=_date_parts(details, "birth_date"),
            nationality=details.nationality,
            residential_address=_address(details, "residential_address"),
            document_type=enum_name(resources_pb2.KycDocumentType, details.document_type),
            document_number=details.document_number,
            document_issuing_country=details.document_issuing_country,
            document_expire_date=_date_parts(details, "document_expire_date"),
        ),
        caller=caller,
    )


def reject_kyc_command(
    request: users_service_pb2.RejectKycRequest, caller: Actor
) -> commands.RejectKyc:
    return commands.RejectKyc(
        user_id=request.user_id,
        reason=enum_name(resources_pb2.KycRejectionReason, request.reason),
        caller=caller,
        note=request.note,
    )


def _profile(user: resources_pb2.User) -> Profile:
    return Profile(
        display_name=user.display_name,
        given_name=user.given_name,
        family_name=user.family_name,
        phone_number=user.phone_number,
        locale=user.locale,
        time_zone=user.time_zone,
        address=_address(user, "address"),
    )


def _address(parent: resources_pb2.User | resources_pb2.KycDetails, name: str) -> Address | None:
    if not parent.HasField(name):  # type: ignore[arg-type]
        return None
    address: resources_pb2.Address = getattr(parent, name)
    return Address(
        address_lines=tuple(address.address_lines),
        locality=address.locality,
        administrative_area=address.administrative_area,
        postal_code=address.postal_code,
        region_code=address.region_code,
    )


def _date_parts(details: resources_pb2.KycDetails, name: str) -> commands.DateParts | None:
    if not details.HasField(name):  # type: ignore[arg-type]
        return None
    day: resources_pb2.Date = getattr(details, name)
    return day.year, day.month, day.day
