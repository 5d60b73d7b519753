"""The AdminService servicer: request → command → handler → response, nothing more."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from mesh.actor import current_actor
from mesh.idempotency import IdempotencyRecords, idempotent
from meshwork.admin.v1 import admin_service_pb2 as pb
from meshwork.admin.v1 import admin_service_pb2_grpc
from services.admin import commands, handlers
from services.admin.handlers import Deps
from services.admin.messages import (
    admin_action_message,
    create_role_grant_command,
    delete_role_grant_command,
    list_admin_actions_command,
    list_suspensions_command,
    role_grant_message,
    role_message,
    suspend_user_command,
    suspension_message,
    unsuspend_user_command,
    user_access_message,
)

Context: TypeAlias = grpc.aio.ServicerContext


class AdminServicer(admin_service_pb2_grpc.AdminServiceServicer):
    """Serves meshwork.admin.v1.AdminService; each call runs in a new unit of work."""

    def __init__(self, deps: Deps, idempotency: IdempotencyRecords) -> None:
        self._deps = deps
        self.idempotency = idempotency

    async def ListRoles(
        self, request: pb.ListRolesRequest, context: Context
    ) -> pb.ListRolesResponse:
        page = handlers.list_roles(commands.ListRoles(request.page_size, request.page_token))
        return pb.ListRolesResponse(
            roles=[role_message(role) for role in page.items],
            next_page_token=page.next_page_token,
        )

    async def ListRoleGrants(
        self, request: pb.ListRoleGrantsRequest, context: Context
    ) -> pb.ListRoleGrantsResponse:
        command = commands.ListRoleGrants(
            request.page_size, request.page_token, request.user_id, request.role_id
        )
        page = await handlers.list_role_grants(command, self._deps)
        return pb.ListRoleGrantsResponse(
            role_grants=[role_grant_message(grant) for grant in page.items],
            next_page_token=page.next_page_token,
        )

    async def GetRoleGrant(
        self, request: pb.GetRoleGrantRequest, context: Context
    ) -> pb.GetRoleGrantResponse:
        command = commands.GetRoleGrant(request.role_grant_id)
        grant = await handlers.get_role_grant(command, self._deps)
        return pb.GetRoleGrantResponse(role_grant=role_grant_message(grant))

    @idempotent
    async def CreateRoleGrant(
        self, request: pb.CreateRoleGrantRequest, context: Context
    ) -> pb.CreateRoleGrantResponse:
        command = create_role_grant_command(request, current_actor())
        grant = await handlers.create_role_grant(command, self._deps)
        return pb.CreateRoleGrantResponse(role_grant=role_grant_message(grant))

    @idempotent
    async def DeleteRoleGrant(
        self, request: pb.DeleteRoleGrantRequest, context: Context
    ) -> pb.DeleteRoleGrantResponse:
        command = delete_role_grant_command(request, current_actor())
        await handlers.delete_role_grant(command, self._deps)
        return pb.DeleteRoleGrantResponse()

    @idempotent
    async def SuspendUser(
        self, request: pb.SuspendUserRequest, context: Context
    ) -> pb.SuspendUserResponse:
        command = suspend_user_command(request, current_actor())
        suspension = await handlers.suspend_user(command, self._deps)
        return pb.SuspendUserResponse(suspension=suspension_message(suspension))

    @idempotent
    async def UnsuspendUser(
        self, request: pb.UnsuspendUserRequest, context: Context
    ) -> pb.UnsuspendUserResponse:
        command = unsuspend_user_command(request, current_actor())
        suspension = await handlers.unsuspend_user(command, self._deps)
        return pb.UnsuspendUserResponse(suspension=suspension_message(suspension))

    async def ListSuspensions(
        self, request: pb.ListSuspensionsRequest, context: Context
    ) -> pb.ListSuspensionsResponse:
        page = await handlers.list_suspensions(list_suspensions_command(request), self._deps)
        return pb.ListSuspensionsResponse(
            suspensions=[suspension_message(item) for item in page.items],
            next_page_token=page.next_page_token,
        )

    async def GetSuspension(
        self, request: pb.GetSuspensionRequest, context: Context
    ) -> pb.GetSuspensionResponse:
        command = commands.GetSuspension(request.suspension_id)
        suspension = await handlers.get_suspension(command, self._deps)
        return pb.GetSuspensionResponse(suspension=suspension_message(suspension))

    async def ListAdminActions(
        self, request: pb.ListAdminActionsRequest, context: Context
    ) -> pb.ListAdminActionsResponse:
        page = await handlers.list_admin_actions(list_admin_actions_command(request), self._deps)
        return pb.ListAdminActionsResponse(
            admin_actions=[admin_action_message(item) for item in page.items],
            next_page_token=page.next_page_token,
        )

    async def GetAdminAction(
        self, request: pb.GetAdminActionRequest, context: Context
    ) -> pb.GetAdminActionResponse:
        command = commands.GetAdminAction(request.admin_action_id)
        action = await handlers.get_admin_action(command, self._deps)
        return pb.GetAdminActionResponse(admin_action=admin_action_message(action))

    async def GetUserAccess(
        self, request: pb.GetUserAccessRequest, context: Context
    ) -> pb.GetUserAccessResponse:
        command = commands.GetUserAccess(request.user_id, request.email)
        access = await handlers.get_user_access(command, self._deps)
        return pb.GetUserAccessResponse(user_access=user_access_message(access))
