"""Suspensions: suspend a user, lift it, list them; and what token verifiers must know."""

from __future__ import annotations

from mesh.actor import ADMIN_ROLE
from mesh.auth.revocations import Revocation
from mesh.db import UnitOfWork
from mesh.idempotency import mark_committed
from mesh.paging import next_token
from services.admin import commands, domain, messages, validation
from services.admin.domain import AdminActionType, Suspension
from services.admin.errors import (
    cannot_suspend_self,
    suspension_not_found,
    user_already_suspended,
    user_not_found,
)
from services.admin.handlers.common import Deps, Listed, admin_action, other_active_admins, staff
from services.admin.repository import ConflictError, SuspensionRepository


async def suspend_user(command: commands.SuspendUser, deps: Deps) -> Suspension:
    """Suspends the user: their sessions end at identity before the suspension commits, and
    UserSuspended (through the outbox) revokes their live access tokens everywhere."""
    change = validation.change("user_id", command.user_id, command.reason, actor=command.caller)
    caller = staff(command.caller)
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
            other_admins=await other_active_admins(uow, change.target),
            now=now,
        )
        try:
            await uow.suspensions.add(suspension)
        except ConflictError:  # a concurrent suspension won
            raise user_already_suspended(change.target, "") from None
        await uow.actions.add(
            admin_action(
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
    caller = staff(command.caller)
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        active = await uow.suspensions.active_of(change.target, for_update=True)
        suspension = domain.lift(active, change.target, by=caller, reason=change.reason, now=now)
        await uow.suspensions.save(suspension)
        await uow.actions.add(
            admin_action(
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
