"""Loads and saves User aggregates on the connection of the open unit of work."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.db import UnitOfWork
from mesh.db.rows import as_utc, newest_first
from services.users.domain import (
    Address,
    Kyc,
    KycDetails,
    KycDocumentType,
    KycRejectionReason,
    KycStatus,
    Profile,
    User,
    UserState,
)
from services.users.orm import users_table
from services.users.validation import PageRequest

_users = users_table.c
#: The hottest query (every GetUser), built once.
_BY_ID = sa.select(users_table).where(_users.id == sa.bindparam("user_id"))


class DuplicateUserError(Exception):
    """Another transaction inserted a profile with the same id or active email first."""


class UserRepository:
    """The profiles table seen as a collection of `User`s."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, user_id: str, *, for_update: bool = False) -> User | None:
        """The profile, locked until the transaction ends when `for_update` (PostgreSQL)."""
        query = _BY_ID.with_for_update() if for_update else _BY_ID
        row = (await self._connection.execute(query, {"user_id": user_id})).first()
        return _user_of(row._mapping) if row else None

    async def find_by_email(self, key: str) -> User | None:
        """The profile with this email key: the active one, else the latest deleted one."""
        query = (
            sa.select(users_table)
            .where(_users.email_key == key)
            .order_by(_users.active_email_key.is_(None), _users.create_time.desc())
            .limit(1)
        )
        row = (await self._connection.execute(query)).first()
        return _user_of(row._mapping) if row else None

    async def find_active_by_email(self, key: str) -> User | None:
        """The active profile with this email key (there is at most one)."""
        query = sa.select(users_table).where(_users.active_email_key == key)
        row = (await self._connection.execute(query)).first()
        return _user_of(row._mapping) if row else None

    async def add(self, user: User) -> None:
        try:
            await self._connection.execute(sa.insert(users_table).values(**_row_of(user)))
        except IntegrityError as error:
            raise DuplicateUserError(str(error.orig)) from error

    async def save(self, user: User) -> None:
        values = _row_of(user)
        del values["id"], values["create_time"]
        await self._connection.execute(
            sa.update(users_table).where(_users.id == user.id).values(**values)
        )

    async def list(self, page: PageRequest) -> list[User]:
        """Up to `page.size + 1` profiles after `page.after`, newest first (the extra one
        tells whether another page follows)."""
        query = sa.select(users_table)
        wanted = page.filter
        if not wanted.show_deleted:
            query = query.where(_users.state == UserState.ACTIVE.value)
        if wanted.email_key:
            query = query.where(_users.email_key == wanted.email_key)
        if wanted.kyc_status is not None:
            query = query.where(_users.kyc_status == wanted.kyc_status.value)
        if wanted.query:
            columns = (_users.email_key, _users.display_name, _users.given_name, _users.family_name)
            query = query.where(
                sa.or_(*(sa.func.lower(c).contains(wanted.query, autoescape=True) for c in columns))
            )
        after = None if page.after is None else (page.after.create_time, page.after.user_id)
        query = newest_first(query, _users.create_time, _users.id, after, size=page.size)
        rows = (await self._connection.execute(query)).all()
        return [_user_of(row._mapping) for row in rows]


def _row_of(user: User) -> dict[str, Any]:
    profile, kyc = user.profile, user.kyc
    return {
        "id": user.id,
        "email": user.email,
        "email_key": user.email_key,
        "active_email_key": None if user.deleted else user.email_key,
        "email_verified": user.email_verified,
        "display_name": profile.display_name,
        "given_name": profile.given_name,
        "family_name": profile.family_name,
        "phone_number": profile.phone_number,
        "locale": profile.locale,
        "time_zone": profile.time_zone,
        "address": _address_json(profile.address),
        "state": user.state.value,
        "create_time": user.create_time,
        "update_time": user.update_time,
        "delete_time": user.delete_time,
        "deleted_by": user.deleted_by,
        "kyc_status": kyc.status.value,
        "kyc_details": _details_json(kyc.details),
        "kyc_submit_time": kyc.submit_time,
        "kyc_review_time": kyc.review_time,
        "kyc_reviewer_id": kyc.reviewer_id,
        "kyc_rejection_reason": kyc.rejection_reason.value if kyc.rejection_reason else None,
        "kyc_rejection_note": kyc.rejection_note,
    }


def _user_of(row: Any) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        create_time=as_utc(row["create_time"]),
        update_time=as_utc(row["update_time"]),
        profile=Profile(
            display_name=row["display_name"],
            given_name=row["given_name"],
            family_name=row["family_name"],
            phone_number=row["phone_number"],
            locale=row["locale"],
            time_zone=row["time_zone"],
            address=_address_of(row["address"]),
        ),
        email_verified=row["email_verified"],
        kyc=Kyc(
            status=KycStatus(row["kyc_status"]),
            details=_details_of(row["kyc_details"]),
            submit_time=as_utc(row["kyc_submit_time"]),
            review_time=as_utc(row["kyc_review_time"]),
            reviewer_id=row["kyc_reviewer_id"],
            rejection_reason=KycRejectionReason(row["kyc_rejection_reason"])
            if row["kyc_rejection_reason"]
            else None,
            rejection_note=row["kyc_rejection_note"],
        ),
        state=UserState(row["state"]),
        delete_time=as_utc(row["delete_time"]),
        deleted_by=row["deleted_by"],
    )


def _address_json(address: Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {
        "address_lines": list(address.address_lines),
        "locality": address.locality,
        "administrative_area": address.administrative_area,
        "postal_code": address.postal_code,
        "region_code": address.region_code,
    }


def _address_of(data: dict[str, Any] | None) -> Address | None:
    if data is None:
        return None
    return Address(**{**data, "address_lines": tuple(data["address_lines"])})


def _details_json(details: KycDetails | None) -> dict[str, Any] | None:
    if details is None:
        return None
    return {
        "legal_given_name": details.legal_given_name,
        "legal_family_name": details.legal_family_name,
        "birth_date": details.birth_date.isoformat(),
        "nationality": details.nationality,
        "residential_address": _address_json(details.residential_address),
        "document_type": details.document_type.value,
        "document_number": details.document_number,
        "document_issuing_country": details.document_issuing_country,
        "document_expire_date": details.document_expire_date.isoformat(),
    }


def _details_of(data: dict[str, Any] | None) -> KycDetails | None:
    if data is None:
        return None
    return KycDetails(
        legal_given_name=data["legal_given_name"],
        legal_family_name=data["legal_family_name"],
        birth_date=date.fromisoformat(data["birth_date"]),
        nationality=data["nationality"],
        residential_address=_address_of(data["residential_address"]) or Address(),
        document_type=KycDocumentType(data["document_type"]),
        document_number=data["document_number"],
        document_issuing_country=data["document_issuing_country"],
        document_expire_date=date.fromisoformat(data["document_expire_date"]),
    )


class UsersUnitOfWork(UnitOfWork):
    """The users service's unit of work: its repository comes with it, as `uow.users`."""

    users: UserRepository

    def open_repositories(self, connection: AsyncConnection) -> None:
        self.users = UserRepository(connection)
