"""What the admin use cases share: their dependencies, pages, and how an action is recorded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from mesh.actor import Actor
from mesh.clock import utc_now
from services.admin import commands, domain
from services.admin.domain import AdminAction, AdminActionType
from services.admin.repository import AdminUnitOfWork

T = TypeVar("T")


class Directory(Protocol):
    """The other services a staff action depends on (`services.admin.directory`)."""

    async def user_exists(self, user_id: str) -> bool:
        """Whether the users service has this (live) user; DEPENDENCY_UNAVAILABLE if down."""
        ...

    async def revoke_sessions(self, user_id: str) -> int:
        """Ends the user's sessions at identity; DEPENDENCY_UNAVAILABLE if down."""
        ...


@dataclass(frozen=True, slots=True)
class Deps:
    """What the use cases need, built once by bootstrap."""

    #: Opens a unit of work; takes `read_only` and `inline` (see `mesh.db.UnitOfWork`).
    unit_of_work: Callable[..., AdminUnitOfWork]
    directory: Directory
    #: Addresses that get the admin role at their first sign-in (ADMIN_BOOTSTRAP_ADMIN_EMAILS).
    bootstrap_admin_emails: Sequence[str] = ()
    clock: Callable[[], datetime] = utc_now

    def by_key(self) -> AdminUnitOfWork:
        return self.unit_of_work(read_only=True, inline=True)


@dataclass(frozen=True, slots=True)
class Listed(Generic[T]):
    items: list[T]
    next_page_token: str


def admin_action(
    kind: AdminActionType,
    caller: str,
    *,
    target: str,
    resource_id: str,
    reason: str,
    now: datetime,
    traced: commands.Traced,
    role_id: str = "",
) -> AdminAction:
    return AdminAction(
        id=domain.new_id(),
        type=kind,
        actor_id=caller,
        target_user_id=target,
        resource_id=resource_id,
        reason=reason,
        create_time=now,
        role_id=role_id,
        trace_id=traced.trace_id,
        request_id=traced.request_id,
    )


async def other_active_admins(uow: AdminUnitOfWork, user_id: str) -> int:
    """How many active, unsuspended admins there are besides `user_id` (rows locked)."""
    admins = await uow.grants.active_admins(for_update=True) - {user_id}
    return len(admins - await uow.suspensions.suspended_among(admins))


def staff(caller: Actor) -> str:
    return caller.require_staff("acting as staff")
