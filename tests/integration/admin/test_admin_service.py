"""AdminService over real gRPC on SQLite and PostgreSQL: grants, suspensions, actions, access,
idempotency keys, and the revocation every verifier receives."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import nats
import pytest
from google.rpc import error_details_pb2, status_pb2

from mesh.auth.revocation_feed import revocations_bucket
from mesh.auth.revocations import Revocation
from meshwork.admin.v1 import admin_service_pb2 as pb
from meshwork.admin.v1 import admin_service_pb2_grpc, resources_pb2
from tests.integration.admin.conftest import BOOTSTRAP_EMAIL, FakeMesh
from tests.support.tokens import Callers
from tests.support.waiting import eventually

Stub = admin_service_pb2_grpc.AdminServiceStub


def info_of(error: grpc.aio.AioRpcError) -> error_details_pb2.ErrorInfo:
    raw = dict(error.trailing_metadata() or ())["grpc-status-details-bin"]
    for detail in status_pb2.Status.FromString(raw).details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info
    raise AssertionError("no ErrorInfo")


async def refused(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


async def bootstrap(stub: Stub, callers: Callers, user_id: str = "admin-1") -> None:
    """What identity does at the first administrator's first sign-in."""
    access = await stub.GetUserAccess(
        pb.GetUserAccessRequest(user_id=user_id, email=BOOTSTRAP_EMAIL),
        metadata=callers.service("identity"),
    )
    assert list(access.user_access.roles) == ["admin"]


async def test_roles_list_the_rpcs_their_holders_may_call(stub: Stub, callers: Callers) -> None:
    reply = await stub.ListRoles(pb.ListRolesRequest(), metadata=callers.admin())
    roles = {role.id: role for role in reply.roles}
    assert set(roles) == {"admin", "support"}
    assert "meshwork.admin.v1.AdminService/ListSuspensions" in roles["support"].permissions
    assert "meshwork.admin.v1.AdminService/SuspendUser" not in roles["support"].permissions
    assert "meshwork.admin.v1.AdminService/GetUserAccess" not in roles["admin"].permissions


async def test_a_grant_with_an_idempotency_key_is_made_once(stub: Stub, callers: Callers) -> None:
    request = pb.CreateRoleGrantRequest(
        role_grant=resources_pb2.RoleGrant(user_id="bob", role_id="support", reason="ticket 7")
    )
    key, trace_id = uuid.uuid4().hex, uuid.uuid4().hex
    metadata = (*callers.admin(key=key), ("traceparent", f"00-{trace_id}-00f067aa0ba902b7-01"))
    first = await stub.CreateRoleGrant(request, metadata=metadata)
    again = await stub.CreateRoleGrant(request, metadata=metadata)
    assert first.role_grant.id == again.role_grant.id
    assert first.role_grant.granted_by == "admin-1"
    actions = await stub.ListAdminActions(
        pb.ListAdminActionsRequest(target_user_id="bob"), metadata=callers.admin()
    )
    [action] = actions.admin_actions
    assert action.type == resources_pb2.ADMIN_ACTION_TYPE_GRANT_ROLE
    assert action.request_id and action.trace_id == trace_id
    got = await stub.GetAdminAction(
        pb.GetAdminActionRequest(admin_action_id=action.id), metadata=callers.admin()
    )
    assert got.admin_action == action
    access = await stub.GetUserAccess(
        pb.GetUserAccessRequest(user_id="bob"), metadata=callers.service("identity")
    )
    assert list(access.user_access.roles) == ["support"]


async def test_bad_requests_name_the_fields(stub: Stub, callers: Callers) -> None:
    error = await refused(
        stub.SuspendUser(pb.SuspendUserRequest(user_id="alice"), metadata=callers.admin())
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "reason" in error.details()
    error = await refused(
        stub.ListAdminActions(
            pb.ListAdminActionsRequest(type=99),
            metadata=callers.admin(),  # type: ignore[arg-type]
        )
    )
    assert info_of(error).reason == "VALIDATION_FAILED" and "type" in error.details()


async def test_suspension_reaches_the_revocations_bucket_and_lifting_follows(
    stub: Stub, callers: Callers, mesh: tuple[FakeMesh, dict[str, str]], nats_server: Any
) -> None:
    state, _ = mesh
    user = f"user-{uuid.uuid4().hex[:8]}"
    state.users.add(user)
    suspended = await stub.SuspendUser(
        pb.SuspendUserRequest(user_id=user, reason="fraud"), metadata=callers.admin()
    )
    assert suspended.suspension.state == resources_pb2.SUSPENSION_STATE_ACTIVE
    assert state.revoked == [user]
    nc = await nats.connect(nats_server.url)
    try:
        bucket = await revocations_bucket(nc)

        async def entry() -> Revocation | None:
            try:
                return Revocation.decode((await bucket.get(user)).value or b"")
            except Exception:
                return None

        await eventually(lambda: _suspended(entry, True), timeout_s=5)
        await stub.UnsuspendUser(
            pb.UnsuspendUserRequest(user_id=user, reason="cleared"), metadata=callers.admin()
        )
        await eventually(lambda: _suspended(entry, False), timeout_s=5)
    finally:
        await nc.drain()
    listed = await stub.ListSuspensions(
        pb.ListSuspensionsRequest(user_id=user), metadata=callers.support()
    )
    [lifted] = listed.suspensions
    assert (lifted.state, lifted.lift_reason) == (resources_pb2.SUSPENSION_STATE_LIFTED, "cleared")


async def _suspended(entry: Any, wanted: bool) -> bool:
    found = await entry()
    return found is not None and found.suspended is wanted


async def test_identity_down_suspends_nobody(
    stub: Stub, callers: Callers, mesh: tuple[FakeMesh, dict[str, str]]
) -> None:
    state, _ = mesh
    state.down = "identity"
    error = await refused(
        stub.SuspendUser(
            pb.SuspendUserRequest(user_id="alice", reason="fraud"), metadata=callers.admin()
        )
    )
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    info = info_of(error)
    assert (info.reason, info.domain, info.metadata["service"]) == (
        "DEPENDENCY_UNAVAILABLE",
        "admin.meshwork",
        "identity",
    )
    listed = await stub.ListSuspensions(pb.ListSuspensionsRequest(), metadata=callers.admin())
    assert list(listed.suspensions) == []


async def test_the_last_admin_cannot_be_suspended_or_demoted(stub: Stub, callers: Callers) -> None:
    await bootstrap(stub, callers, "alice")
    error = await refused(
        stub.SuspendUser(
            pb.SuspendUserRequest(user_id="alice", reason="x"), metadata=callers.admin()
        )
    )
    assert (error.code(), info_of(error).reason) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "LAST_ADMIN",
    )
    grants = await stub.ListRoleGrants(
        pb.ListRoleGrantsRequest(user_id="alice"), metadata=callers.admin()
    )
    error = await refused(
        stub.DeleteRoleGrant(
            pb.DeleteRoleGrantRequest(role_grant_id=grants.role_grants[0].id, reason="x"),
            metadata=callers.admin(),
        )
    )
    assert info_of(error).reason == "LAST_ADMIN"
    error = await refused(
        stub.SuspendUser(
            pb.SuspendUserRequest(user_id="me", reason="x"), metadata=callers.admin("alice")
        )
    )
    assert info_of(error).reason == "CANNOT_SUSPEND_SELF"


async def test_only_identity_may_ask_for_a_users_access(stub: Stub, callers: Callers) -> None:
    request = pb.GetUserAccessRequest(user_id="alice")
    for metadata in (callers.service("users"), callers.admin()):
        error = await refused(stub.GetUserAccess(request, metadata=metadata))
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_support_reads_suspensions_but_changes_nothing(stub: Stub, callers: Callers) -> None:
    await stub.ListSuspensions(pb.ListSuspensionsRequest(), metadata=callers.support())
    for call in (
        stub.ListRoleGrants(pb.ListRoleGrantsRequest(), metadata=callers.support()),
        stub.SuspendUser(
            pb.SuspendUserRequest(user_id="alice", reason="x"), metadata=callers.support()
        ),
    ):
        error = await refused(call)
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED
