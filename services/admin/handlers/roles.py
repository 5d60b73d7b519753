"""Roles and role grants: list them, grant one, revoke one."""

from __future__ import annotations

from mesh.idempotency import mark_committed
from mesh.paging import next_token
from services.admin import commands, domain, messages, validation
from services.admin.domain import AdminActionType, Role, RoleGrant
from services.admin.errors import role_already_granted, role_grant_not_found, user_not_found
from services.admin.handlers.common import Deps, Listed, admin_action, other_active_admins, staff
from services.admin.repository import AdminUnitOfWork, ConflictError


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
    caller = staff(command.caller)
    domain.role(change.role_id)
    if not await deps.directory.user_exists(change.target):
        raise user_not_found(change.target)
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        held = await uow.grants.of_user(change.target)
        grant = domain.grant_role(
            change.target, change.role_id, change.reason, by=caller, held=held, now=now
        )
        await add_grant(uow, grant, command.traced)
        await mark_committed(uow.connection)
        await uow.commit()
    return grant


async def add_grant(uow: AdminUnitOfWork, grant: RoleGrant, traced: commands.Traced) -> None:
    try:
        await uow.grants.add(grant)
    except ConflictError:  # a concurrent grant of the same role won
        raise role_already_granted(grant.user_id, grant.role_id, "") from None
    await uow.actions.add(
        admin_action(
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
    caller = staff(command.caller)
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        grant = await uow.grants.get(change.target, for_update=True)
        if grant is None or not grant.active:
            raise role_grant_not_found(change.target)
        other_admins = await other_active_admins(uow, grant.user_id)
        domain.ensure_may_revoke(grant, actor_id=caller, other_admins=other_admins)
        grant.revoke(by=caller, reason=change.reason, now=now)
        await uow.grants.save(grant)
        await uow.actions.add(
            admin_action(
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
