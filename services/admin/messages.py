"""Domain values ↔ the contract's protobuf messages: resources, requests and events."""

from __future__ import annotations

import functools
import importlib

from mesh.actor import Actor
from mesh.catalog import catalog
from mesh.context import current_request_id
from mesh.contracts import method_contract
from mesh.protobuf import datetime_of, enum_name, enum_number, timestamp_of
from mesh.tracing import current_trace_id
from meshwork.admin.v1 import admin_service_pb2 as pb
from meshwork.admin.v1 import events_pb2, resources_pb2
from services.admin import commands
from services.admin.domain import AdminAction, Role, RoleGrant, Suspension, UserAccess

# ---- domain → protobuf


@functools.cache  # the contracts do not change while the process runs
def permissions_of(role_id: str) -> tuple[str, ...]:
    """The RPCs (full names, "pkg.Service/Method") whose access policy admits `role_id`."""
    found = []
    for entry in catalog().services:
        try:
            module = importlib.import_module(f"meshwork.{entry.name}.v1.{entry.name}_service_pb2")
        except ModuleNotFoundError:  # a catalogue entry without a contract yet
            continue
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                contract = method_contract(method)
                if role_id in contract.access.roles and not contract.access.internal:
                    found.append(f"{service.full_name}/{method.name}")
    return tuple(sorted(found))


def role_message(role: Role) -> resources_pb2.Role:
    return resources_pb2.Role(
        id=role.id,
        title=role.title,
        description=role.description,
        permissions=permissions_of(role.id),
    )


def role_grant_message(grant: RoleGrant) -> resources_pb2.RoleGrant:
    return resources_pb2.RoleGrant(
        id=grant.id,
        user_id=grant.user_id,
        role_id=grant.role_id,
        reason=grant.reason,
        granted_by=grant.granted_by,
        create_time=timestamp_of(grant.create_time),
    )


def suspension_message(suspension: Suspension) -> resources_pb2.Suspension:
    return resources_pb2.Suspension(
        id=suspension.id,
        user_id=suspension.user_id,
        state=enum_number(resources_pb2.SuspensionState, suspension.state),
        reason=suspension.reason,
        suspended_by=suspension.suspended_by,
        create_time=timestamp_of(suspension.create_time),
        lift_time=timestamp_of(suspension.lift_time),
        lifted_by=suspension.lifted_by,
        lift_reason=suspension.lift_reason,
    )


def admin_action_message(action: AdminAction) -> resources_pb2.AdminAction:
    return resources_pb2.AdminAction(
        id=action.id,
        type=enum_number(resources_pb2.AdminActionType, action.type),
        actor_id=action.actor_id,
        target_user_id=action.target_user_id,
        resource_id=action.resource_id,
        role_id=action.role_id,
        reason=action.reason,
        trace_id=action.trace_id,
        request_id=action.request_id,
        create_time=timestamp_of(action.create_time),
    )


def user_access_message(access: UserAccess) -> resources_pb2.UserAccess:
    return resources_pb2.UserAccess(
        user_id=access.user_id,
        roles=access.roles,
        suspended=access.suspended,
        suspension_id=access.suspension_id,
    )


# ---- events


def role_granted(grant: RoleGrant) -> events_pb2.RoleGranted:
    return events_pb2.RoleGranted(
        role_grant_id=grant.id,
        user_id=grant.user_id,
        role_id=grant.role_id,
        granted_by=grant.granted_by,
        reason=grant.reason,
    )


def role_revoked(grant: RoleGrant) -> events_pb2.RoleRevoked:
    return events_pb2.RoleRevoked(
        role_grant_id=grant.id,
        user_id=grant.user_id,
        role_id=grant.role_id,
        revoked_by=grant.revoked_by,
        reason=grant.revoke_reason,
    )


def user_suspended(suspension: Suspension) -> events_pb2.UserSuspended:
    return events_pb2.UserSuspended(
        suspension_id=suspension.id,
        user_id=suspension.user_id,
        suspended_by=suspension.suspended_by,
        reason=suspension.reason,
    )


def user_unsuspended(suspension: Suspension) -> events_pb2.UserUnsuspended:
    return events_pb2.UserUnsuspended(
        suspension_id=suspension.id,
        user_id=suspension.user_id,
        unsuspended_by=suspension.lifted_by,
        reason=suspension.lift_reason,
    )


# ---- protobuf requests → commands


def traced() -> commands.Traced:
    """The request id and trace id of the call being served."""
    return commands.Traced(request_id=current_request_id(), trace_id=current_trace_id())


def create_role_grant_command(
    request: pb.CreateRoleGrantRequest, caller: Actor
) -> commands.CreateRoleGrant:
    grant = request.role_grant
    return commands.CreateRoleGrant(grant.user_id, grant.role_id, grant.reason, caller, traced())


def delete_role_grant_command(
    request: pb.DeleteRoleGrantRequest, caller: Actor
) -> commands.DeleteRoleGrant:
    return commands.DeleteRoleGrant(request.role_grant_id, request.reason, caller, traced())


def suspend_user_command(request: pb.SuspendUserRequest, caller: Actor) -> commands.SuspendUser:
    return commands.SuspendUser(request.user_id, request.reason, caller, traced())


def unsuspend_user_command(
    request: pb.UnsuspendUserRequest, caller: Actor
) -> commands.UnsuspendUser:
    return commands.UnsuspendUser(request.user_id, request.reason, caller, traced())


def list_suspensions_command(request: pb.ListSuspensionsRequest) -> commands.ListSuspensions:
    return commands.ListSuspensions(
        page_size=request.page_size,
        page_token=request.page_token,
        user_id=request.user_id,
        state=enum_name(resources_pb2.SuspensionState, request.state),
    )


def list_admin_actions_command(request: pb.ListAdminActionsRequest) -> commands.ListAdminActions:
    return commands.ListAdminActions(
        page_size=request.page_size,
        page_token=request.page_token,
        actor_id=request.actor_id,
        target_user_id=request.target_user_id,
        type=enum_name(resources_pb2.AdminActionType, request.type),
        start_time=datetime_of(request, "start_time"),
        end_time=datetime_of(request, "end_time"),
    )
