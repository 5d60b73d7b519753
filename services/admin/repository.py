"""Loads and saves grants, suspensions and actions on the open unit of work's connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.actor import ADMIN_ROLE
from mesh.db import UnitOfWork
from mesh.db.rows import as_utc
from services.admin.domain import (
    AdminAction,
    AdminActionType,
    RoleGrant,
    Suspension,
    SuspensionState,
)
from services.admin.orm import admin_actions_table, role_grants_table, suspensions_table
from services.admin.validation import PageRequest

T = TypeVar("T")
_grants, _suspensions, _actions = role_grants_table.c, suspensions_table.c, admin_actions_table.c


class ConflictError(Exception):
    """A concurrent transaction made the same grant or suspension first."""


class _Table(Generic[T]):
    """A table seen as a collection of one kind of record, listed newest first."""

    table: sa.Table
    of_row: Callable[[Any], T]
    row_of: Callable[[T], dict[str, Any]]

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, record_id: str, *, for_update: bool = False) -> T | None:
        query = sa.select(self.table).where(self.table.c.id == record_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        return type(self).of_row(row._mapping) if row else None

    async def add(self, record: T) -> None:
        try:
            await self._connection.execute(
                sa.insert(self.table).values(**type(self).row_of(record))
            )
        except IntegrityError as error:
            raise ConflictError(str(error.orig)) from error

    async def save(self, record: T) -> None:
        values = type(self).row_of(record)
        record_id = values.pop("id")
        await self._connection.execute(
            sa.update(self.table).where(self.table.c.id == record_id).values(**values)
        )

    async def list(self, request: PageRequest) -> list[T]:
        """Up to `request.size + 1` records after `request.after`, newest first."""
        c = self.table.c
        query = sa.select(self.table).order_by(c.create_time.desc(), c.id.desc())
        for column, value in request.filters.items():
            query = query.where(c[column] == value)
        if request.start_time is not None:
            query = query.where(c.create_time >= request.start_time)
        if request.end_time is not None:
            query = query.where(c.create_time < request.end_time)
        if request.after is not None:
            at, last_id = request.after
            query = query.where(
                sa.or_(c.create_time < at, sa.and_(c.create_time == at, c.id < last_id))
            )
        rows = (await self._connection.execute(query.limit(request.size + 1))).all()
        return [type(self).of_row(row._mapping) for row in rows]


def _grant_of(row: Any) -> RoleGrant:
    return RoleGrant(
        id=row["id"],
        user_id=row["user_id"],
        role_id=row["role_id"],
        reason=row["reason"],
        granted_by=row["granted_by"],
        create_time=as_utc(row["create_time"]),  # type: ignore[arg-type]
        revoke_time=as_utc(row["revoke_time"]),
        revoked_by=row["revoked_by"],
        revoke_reason=row["revoke_reason"],
    )


def _grant_row(grant: RoleGrant) -> dict[str, Any]:
    return {
        "id": grant.id,
        "user_id": grant.user_id,
        "role_id": grant.role_id,
        "reason": grant.reason,
        "granted_by": grant.granted_by,
        "create_time": grant.create_time,
        "revoke_time": grant.revoke_time,
        "revoked_by": grant.revoked_by,
        "revoke_reason": grant.revoke_reason,
        "active_key": f"{grant.user_id}/{grant.role_id}" if grant.active else None,
    }


class RoleGrantRepository(_Table[RoleGrant]):
    """The role grants, revoked ones included."""

    table = role_grants_table
    of_row = staticmethod(_grant_of)
    row_of = staticmethod(_grant_row)

    async def of_user(self, user_id: str, *, active_only: bool = True) -> list[RoleGrant]:
        query = sa.select(role_grants_table).where(_grants.user_id == user_id)
        if active_only:
            query = query.where(_grants.revoke_time.is_(None))
        rows = (await self._connection.execute(query.order_by(_grants.create_time))).all()
        return [_grant_of(row._mapping) for row in rows]

    async def active_admins(self, *, for_update: bool = False) -> set[str]:
        """The users holding an active admin grant (locked against concurrent demotions)."""
        query = sa.select(_grants.user_id).where(
            _grants.role_id == ADMIN_ROLE, _grants.revoke_time.is_(None)
        )
        if for_update:
            query = query.with_for_update()
        return set((await self._connection.execute(query)).scalars())


def _suspension_of(row: Any) -> Suspension:
    return Suspension(
        id=row["id"],
        user_id=row["user_id"],
        reason=row["reason"],
        suspended_by=row["suspended_by"],
        create_time=as_utc(row["create_time"]),  # type: ignore[arg-type]
        state=SuspensionState(row["state"]),
        lift_time=as_utc(row["lift_time"]),
        lifted_by=row["lifted_by"],
        lift_reason=row["lift_reason"],
    )


def _suspension_row(suspension: Suspension) -> dict[str, Any]:
    active = suspension.state is SuspensionState.ACTIVE
    return {
        "id": suspension.id,
        "user_id": suspension.user_id,
        "state": suspension.state.value,
        "reason": suspension.reason,
        "suspended_by": suspension.suspended_by,
        "create_time": suspension.create_time,
        "lift_time": suspension.lift_time,
        "lifted_by": suspension.lifted_by,
        "lift_reason": suspension.lift_reason,
        "active_user_id": suspension.user_id if active else None,
    }


class SuspensionRepository(_Table[Suspension]):
    """The suspensions, lifted ones included."""

    table = suspensions_table
    of_row = staticmethod(_suspension_of)
    row_of = staticmethod(_suspension_row)

    async def active_of(self, user_id: str, *, for_update: bool = False) -> Suspension | None:
        query = sa.select(suspensions_table).where(_suspensions.active_user_id == user_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        return _suspension_of(row._mapping) if row else None

    async def latest_of(self, user_id: str) -> Suspension | None:
        """The user's newest suspension, active or lifted."""
        query = (
            sa.select(suspensions_table)
            .where(_suspensions.user_id == user_id)
            .order_by(_suspensions.create_time.desc(), _suspensions.id.desc())
            .limit(1)
        )
        row = (await self._connection.execute(query)).first()
        return _suspension_of(row._mapping) if row else None

    async def suspended_among(self, user_ids: set[str]) -> set[str]:
        if not user_ids:
            return set()
        query = sa.select(_suspensions.active_user_id).where(
            _suspensions.active_user_id.in_(sorted(user_ids))
        )
        return set((await self._connection.execute(query)).scalars())


def _action_of(row: Any) -> AdminAction:
    return AdminAction(
        id=row["id"],
        type=AdminActionType(row["type"]),
        actor_id=row["actor_id"],
        target_user_id=row["target_user_id"],
        resource_id=row["resource_id"],
        reason=row["reason"],
        create_time=as_utc(row["create_time"]),  # type: ignore[arg-type]
        role_id=row["role_id"],
        trace_id=row["trace_id"],
        request_id=row["request_id"],
    )


def _action_row(action: AdminAction) -> dict[str, Any]:
    return {
        "id": action.id,
        "type": action.type.value,
        "actor_id": action.actor_id,
        "target_user_id": action.target_user_id,
        "resource_id": action.resource_id,
        "role_id": action.role_id,
        "reason": action.reason,
        "trace_id": action.trace_id,
        "request_id": action.request_id,
        "create_time": action.create_time,
    }


class AdminActionRepository(_Table[AdminAction]):
    """The admin actions, append-only."""

    table = admin_actions_table
    of_row = staticmethod(_action_of)
    row_of = staticmethod(_action_row)


class AdminUnitOfWork(UnitOfWork):
    """The admin service's unit of work, with its repositories."""

    grants: RoleGrantRepository
    suspensions: SuspensionRepository
    actions: AdminActionRepository

    def open_repositories(self, connection: AsyncConnection) -> None:
        self.grants = RoleGrantRepository(connection)
        self.suspensions = SuspensionRepository(connection)
        self.actions = AdminActionRepository(connection)
