"""The admin service's use cases: one async function each, one unit of work each."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from mesh.actor import ADMIN_ROLE, Actor
from mesh.auth.revocations import Revocation
from mesh.clock import utc_now
from mesh.db import UnitOfWork
from mesh.errors import AlreadyExists
from mesh.idempotency import mark_committed
from mesh.paging import next_token
from services.admin import commands, domain, messages, validation
from services.admin.domain import (
    BOOTSTRAP_ACTOR,
    AdminAction,
    AdminActionType,
    Role,
    RoleGrant,
    Suspension,
    UserAccess,
)
from services.admin.errors import (
    admin_action_not_found,
    cannot_suspend_self,
    role_already_granted,
    role_grant_not_found,
    suspension_not_found,
    user_already_suspended,
    user_not_found,
)
from services.admin.repository import AdminUnitOfWork, ConflictError, SuspensionRepository

logger = logging.getLogger("meshwork.admin")
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


def _action(
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


async def _other_active_admins(uow: AdminUnitOfWork, user_id: str) -> int:
    """How many active, unsuspended admins there are besides `user_id` (rows locked)."""
    admins = await uow.grants.active_admins(for_update=True) - {user_id}
    return len(admins - await uow.suspensions.suspended_among(admins))


# ---- roles and grants


def list_roles(command: commands.ListRoles) -> Listed[Role]:
    requested = validation.roles_page(command)
    after = requested.after[0] if requested.after else ""
    found = [role for role_id, role in sorted(domain.ROLES.items()) if role_id > after]
    token = next_token(requested, found, lambda role: (role.id,))
    return Listed(found[: requested.size], token)


async def list_role_grants(command: commands.ListRoleGrants, deps: Deps) -> Listed[RoleGrant]:
    request = validation.role_grants_page(command)
    request.filters["revoke_time"] = None  # revoked grants are history, not grants
    async with deps.unit_of_work(read_only=True) as uow:
        found = await uow.grants.list(request)
    token = next_token(request.page, found, lambda grant: (grant.create_time, grant.id))
    return Listed(found[: request.size], token)


async def get_role_grant(command: commands.GetRoleGrant, deps: Deps) -> RoleGrant:
    grant_id = validation.required_id("role_grant_id", command.role_grant_id)
    async with deps.by_key() as uow:
        grant = await uow.grants.get(grant_id)
    if grant is None or not grant.active:
        raise role_grant_not_found(grant_id)
    return grant


async def create_role_grant(command: commands.CreateRoleGrant, deps: Deps) -> RoleGrant:
    """Grants the role (the user must exist in the users service) and records the action."""
    change = validation.change(
        "user_id",
        command.user_id,
        command.reason,
        actor=command.caller,
        role_id=command.role_id,
        prefix="role_grant.",
    )
    caller = _staff(command.caller)
    domain.role(change.role_id)
    if not await deps.directory.user_exists(change.target):
        raise user_not_found(change.target)
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        held = await uow.grants.of_user(change.target)
        grant = domain.grant_role(
            change.target, change.role_id, change.reason, by=caller, held=held, now=now
        )
        await _add_grant(uow, grant, command.traced)
        await mark_committed(uow.connection)
        await uow.commit()
    return grant


async def _add_grant(uow: AdminUnitOfWork, grant: RoleGrant, traced: commands.Traced) -> None:
    try:
        await uow.grants.add(grant)
    except ConflictError:  # a concurrent grant of the same role won
        raise role_already_granted(grant.user_id, grant.role_id, "") from None
    await uow.actions.add(
        _action(
            AdminActionType.GRANT_ROLE,
            grant.granted_by,
            target=grant.user_id,
            resource_id=grant.id,
            reason=grant.reason,
            now=grant.create_time,
            traced=traced,
            role_id=grant.role_id,
        )
    )
    uow.add_event(messages.role_granted(grant))


async def delete_role_grant(command: commands.DeleteRoleGrant, deps: Deps) -> RoleGrant:
    """Revokes the grant; never one's own, nor the last active admin's."""
    change = validation.change("role_grant_id", command.role_grant_id, command.reason)
    caller = _staff(command.caller)
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        grant = await uow.grants.get(change.target, for_update=True)
        if grant is None or not grant.active:
            raise role_grant_not_found(change.target)
        other_admins = await _other_active_admins(uow, grant.user_id)
        domain.ensure_may_revoke(grant, actor_id=caller, other_admins=other_admins)
        grant.revoke(by=caller, reason=change.reason, now=now)
        await uow.grants.save(grant)
        await uow.actions.add(
            _action(
                AdminActionType.REVOKE_ROLE,
                caller,
                target=grant.user_id,
                resource_id=grant.id,
                reason=change.reason,
                now=now,
                traced=command.traced,
                role_id=grant.role_id,
            )
        )
        uow.add_event(messages.role_revoked(grant))
        await mark_committed(uow.connection)
        await uow.commit()
    return grant


# ---- suspensions


async def suspend_user(command: commands.SuspendUser, deps: Deps) -> Suspension:
    """Suspends the user: their sessions end at identity before the suspension commits, and
    UserSuspended (through the outbox) revokes their live access tokens everywhere."""
    change = validation.change("user_id", command.user_id, command.reason, actor=command.caller)
    caller = _staff(command.caller)
    if change.target == caller:
        raise cannot_suspend_self()
    if not await deps.directory.user_exists(change.target):
        raise user_not_found(change.target)
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        active = await uow.suspensions.active_of(change.target, for_update=True)
        roles = {grant.role_id for grant in await uow.grants.of_user(change.target)}
        suspension = domain.suspend(
            change.target,
            change.reason,
            by=caller,
            active=active,
            is_admin=ADMIN_ROLE in roles,
            other_admins=await _other_active_admins(uow, change.target),
            now=now,
        )
        try:
            await uow.suspensions.add(suspension)
        except ConflictError:  # a concurrent suspension won
            raise user_already_suspended(change.target, "") from None
        await uow.actions.add(
            _action(
                AdminActionType.SUSPEND_USER,
                caller,
                target=change.target,
                resource_id=suspension.id,
                reason=change.reason,
                now=now,
                traced=command.traced,
            )
        )
        uow.add_event(messages.user_suspended(suspension))
        await mark_committed(uow.connection)
        # Last before committing: if identity does not answer, nothing changes.
        await deps.directory.revoke_sessions(change.target)
        await uow.commit()
    return suspension


async def unsuspend_user(command: commands.UnsuspendUser, deps: Deps) -> Suspension:
    change = validation.change("user_id", command.user_id, command.reason, actor=command.caller)
    caller = _staff(command.caller)
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        active = await uow.suspensions.active_of(change.target, for_update=True)
        suspension = domain.lift(active, change.target, by=caller, reason=change.reason, now=now)
        await uow.suspensions.save(suspension)
        await uow.actions.add(
            _action(
                AdminActionType.UNSUSPEND_USER,
                caller,
                target=change.target,
                resource_id=suspension.id,
                reason=change.reason,
                now=now,
                traced=command.traced,
            )
        )
        uow.add_event(messages.user_unsuspended(suspension))
        await mark_committed(uow.connection)
        await uow.commit()
    return suspension


async def list_suspensions(command: commands.ListSuspensions, deps: Deps) -> Listed[Suspension]:
    request = validation.suspensions_page(command)
    async with deps.unit_of_work(read_only=True) as uow:
        found = await uow.suspensions.list(request)
    token = next_token(request.page, found, lambda item: (item.create_time, item.id))
    return Listed(found[: request.size], token)


async def get_suspension(command: commands.GetSuspension, deps: Deps) -> Suspension:
    suspension_id = validation.required_id("suspension_id", command.suspension_id)
    async with deps.by_key() as uow:
        found = await uow.suspensions.get(suspension_id)
    if found is None:
        raise suspension_not_found(suspension_id)
    return found


# ---- admin actions


async def list_admin_actions(command: commands.ListAdminActions, deps: Deps) -> Listed[AdminAction]:
    request = validation.admin_actions_page(command)
    async with deps.unit_of_work(read_only=True) as uow:
        found = await uow.actions.list(request)
    token = next_token(request.page, found, lambda item: (item.create_time, item.id))
    return Listed(found[: request.size], token)


async def get_admin_action(command: commands.GetAdminAction, deps: Deps) -> AdminAction:
    action_id = validation.required_id("admin_action_id", command.admin_action_id)
    async with deps.by_key() as uow:
        found = await uow.actions.get(action_id)
    if found is None:
        raise admin_action_not_found(action_id)
    return found


# ---- identity's question


async def get_user_access(command: commands.GetUserAccess, deps: Deps) -> UserAccess:
    """The user's roles and suspension; a bootstrap address gets "admin" at its first sign-in."""
    user_id, email = validation.user_access(command)
    async with deps.unit_of_work(read_only=True) as uow:
        grants = await uow.grants.of_user(user_id, active_only=False)
        active = await uow.suspensions.active_of(user_id)
    ever_admin = any(grant.role_id == ADMIN_ROLE for grant in grants)
    if domain.needs_bootstrap_grant(email, deps.bootstrap_admin_emails, ever_admin=ever_admin):
        grants.append(await _bootstrap_admin(user_id, deps))
    return domain.access_of(user_id, grants, active)


async def _bootstrap_admin(user_id: str, deps: Deps) -> RoleGrant:
    now = deps.clock()
    grant = RoleGrant(
        domain.new_id(), user_id, ADMIN_ROLE, "ADMIN_BOOTSTRAP_ADMIN_EMAILS", BOOTSTRAP_ACTOR, now
    )
    try:
        async with deps.unit_of_work() as uow:
            await _add_grant(uow, grant, commands.Traced())
            await uow.commit()
    except AlreadyExists:  # a concurrent sign-in of the same user made it
        return grant
    logger.info("granted the admin role to bootstrap administrator %s", user_id)
    return grant


async def revocation_of(uow: UnitOfWork, user_id: str) -> Revocation | None:
    """What verifiers must know of the user now, from their newest suspension (whatever the
    order events arrive in): suspended, or the tokens from before a lifted suspension."""
    latest = await SuspensionRepository(uow.connection).latest_of(user_id)
    if latest is None:
        return None
    return Revocation(
        user_id=user_id,
        revoked_at=latest.create_time.timestamp(),
        suspended=latest.state is domain.SuspensionState.ACTIVE,
        suspension_id=latest.id,
    )


def _staff(caller: Actor) -> str:
    return caller.require_staff("acting as staff")
