"""Roles and suspensions come from the admin service at sign-up, login and refresh."""

from __future__ import annotations

import grpc
import pytest

from mesh.auth.tokens import ACCESS_TOKEN, USER_AUDIENCE
from meshwork.identity.v1 import identity_service_pb2 as pb
from tests.integration.identity.conftest import PASSWORD, Identity, error_info


async def _roles(identity: Identity, access_token: str) -> frozenset[str]:
    verified = await identity.verifier().verify(
        access_token, audience=USER_AUDIENCE, token_type=ACCESS_TOKEN
    )
    return verified.roles


async def test_a_role_granted_in_admin_is_in_the_token_from_the_next_refresh(
    identity: Identity,
) -> None:
    signed_up = await identity.sign_up()
    assert await _roles(identity, signed_up.tokens.access_token) == {"user"}
    identity.admin.roles[signed_up.user_id] = ["support"]
    refreshed = await identity.stub.Refresh(
        pb.RefreshRequest(refresh_token=signed_up.tokens.refresh_token)
    )
    assert await _roles(identity, refreshed.tokens.access_token) == {"user", "support"}


async def test_login_fails_closed_when_admin_does_not_answer(identity: Identity) -> None:
    email = "ada@example.com"
    await identity.sign_up(email)
    identity.admin.down = True
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.login(email)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    info = error_info(caught.value)
    assert (info.reason, info.domain) == ("DEPENDENCY_UNAVAILABLE", "identity.meshwork")
    assert info.metadata["service"] == "admin"
    identity.admin.down = False
    assert (await identity.login(email)).tokens.access_token


async def test_refresh_fails_closed_when_admin_does_not_answer(identity: Identity) -> None:
    tokens = (await identity.sign_up()).tokens
    identity.admin.down = True
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.stub.Refresh(pb.RefreshRequest(refresh_token=tokens.refresh_token))
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert error_info(caught.value).reason == "DEPENDENCY_UNAVAILABLE"
    identity.admin.down = False
    # nothing was used up: the same refresh token still works
    assert await identity.stub.Refresh(pb.RefreshRequest(refresh_token=tokens.refresh_token))


async def test_sign_up_fails_closed_and_leaves_no_credential_when_admin_is_down(
    identity: Identity,
) -> None:
    identity.admin.down = True
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.sign_up("grace@example.com")
    assert error_info(caught.value).reason == "DEPENDENCY_UNAVAILABLE"
    assert await identity.rows("credentials") == []
    identity.admin.down = False
    assert (await identity.sign_up("grace@example.com")).user_id


async def test_a_user_admin_reports_suspended_cannot_log_in_or_refresh(identity: Identity) -> None:
    email = "mallory@example.com"
    signed_up = await identity.sign_up(email)
    identity.admin.suspended.add(signed_up.user_id)
    with pytest.raises(grpc.aio.AioRpcError) as login:
        await identity.login(email, PASSWORD)
    assert login.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_info(login.value).reason == "ACCOUNT_SUSPENDED"
    with pytest.raises(grpc.aio.AioRpcError) as refresh:
        await identity.stub.Refresh(pb.RefreshRequest(refresh_token=signed_up.tokens.refresh_token))
    assert error_info(refresh.value).reason == "ACCOUNT_SUSPENDED"
    identity.admin.suspended.clear()
    assert (await identity.login(email)).tokens.access_token
