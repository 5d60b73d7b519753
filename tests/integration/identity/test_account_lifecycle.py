"""Suspensions (admin's events) and deleted profiles (users' events) stop sign-in."""

from __future__ import annotations

import grpc
import pytest

from meshwork.admin.v1 import events_pb2 as admin_events
from meshwork.identity.v1 import events_pb2, resources_pb2
from meshwork.identity.v1 import identity_service_pb2 as pb
from meshwork.users.v1 import events_pb2 as users_events
from tests.integration.identity.conftest import (
    Identity,
    error_info,
    publish,
)
from tests.support.waiting import eventually


async def account_field(identity: Identity, user_id: str, name: str) -> object:
    [row] = await identity.rows("credentials", user_id=user_id)
    return row[name]


async def test_a_suspended_user_cannot_log_in_or_refresh_until_unsuspended(
    identity: Identity,
) -> None:
    tokens = (await identity.sign_up("suspect@example.com")).tokens
    identity.admin.suspended.add(tokens.user_id)  # what GetUserAccess answers from now on
    await publish(identity, admin_events.UserSuspended(suspension_id="s1", user_id=tokens.user_id))

    async def suspended() -> bool:
        return bool(await account_field(identity, tokens.user_id, "suspended"))

    await eventually(suspended)
    with pytest.raises(grpc.aio.AioRpcError) as login:
        await identity.login("suspect@example.com")
    assert login.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_info(login.value).reason == "ACCOUNT_SUSPENDED"
    with pytest.raises(grpc.aio.AioRpcError) as refresh:
        await identity.stub.Refresh(pb.RefreshRequest(refresh_token=tokens.refresh_token))
    assert refresh.value.code() == grpc.StatusCode.UNAUTHENTICATED  # the event ended the session

    identity.admin.suspended.clear()
    await publish(
        identity, admin_events.UserUnsuspended(suspension_id="s1", user_id=tokens.user_id)
    )

    async def unsuspended() -> bool:
        return not await account_field(identity, tokens.user_id, "suspended")

    await eventually(unsuspended)
    await identity.login("suspect@example.com")


async def test_a_deleted_profile_ends_the_sessions_and_sign_in(identity: Identity) -> None:
    tokens = (await identity.sign_up("leaving@example.com")).tokens
    await publish(identity, users_events.UserDeleted(user_id=tokens.user_id))

    async def closed() -> bool:
        return await account_field(identity, tokens.user_id, "state") == "deleted"

    await eventually(closed)
    with pytest.raises(grpc.aio.AioRpcError) as login:
        await identity.login("leaving@example.com")
    assert error_info(login.value).reason == "INVALID_CREDENTIALS"
    with pytest.raises(grpc.aio.AioRpcError) as again:
        await identity.sign_up("leaving@example.com")
    assert error_info(again.value).reason == "EMAIL_ALREADY_REGISTERED"
    [revoked] = await identity.events(events_pb2.SessionsRevoked)
    assert revoked.session_ids == [tokens.session_id]
    assert revoked.reason == resources_pb2.SESSION_REVOCATION_REASON_USER_DELETED
