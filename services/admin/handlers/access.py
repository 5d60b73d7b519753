"""The record of admin actions, and identity's question: a user's roles and suspension."""

from __future__ import annotations

import logging

from mesh.actor import ADMIN_ROLE
from mesh.errors import AlreadyExists
from mesh.paging import next_token
from services.admin import commands, domain, validation
from services.admin.domain import BOOTSTRAP_ACTOR, AdminAction, RoleGrant, UserAccess
from services.admin.errors import admin_action_not_found
from services.admin.handlers.common import Deps, Listed
from services.admin.handlers.roles import add_grant

logger = logging.getLogger("meshwork.admin")


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
            await add_grant(uow, grant, commands.Traced())
            await uow.commit()
    except AlreadyExists:  # a concurrent sign-in of the same user made it
        return grant
    logger.info("granted the admin role to bootstrap administrator %s", user_id)
    return grant
