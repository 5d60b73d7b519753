"""Sign-up, login, refresh with rotation and reuse detection, logout."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from meshwork.identity.v1 import events_pb2
from meshwork.identity.v1 import identity_service_pb2 as pb
from tests.integration.identity.conftest import PASSWORD, Identity, error_info


async def refresh(identity: Identity, token: str) -> pb.RefreshResponse:
    return await identity.stub.Refresh(pb.RefreshRequest(refresh_token=token))


async def test_sign_up_login_refresh_reuse_revokes_the_family_then_logout(
    identity: Identity,
) -> None:
    signed_up = await identity.sign_up("ada@example.com")
    assert signed_up.user_id and signed_up.tokens.access_token
    assert identity.users.profiles[signed_up.user_id].email == "ada@example.com"

    logged_in = (await identity.login("ADA@example.com")).tokens
    assert logged_in.user_id == signed_up.user_id
    assert logged_in.session_id != signed_up.tokens.session_id

    first = logged_in.refresh_token
    second = (await refresh(identity, first)).tokens
    assert second.session_id == logged_in.session_id
    assert second.refresh_token != first

    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await refresh(identity, first)
    assert reused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error_info(reused.value).reason == "REFRESH_TOKEN_REUSED"
    with pytest.raises(grpc.aio.AioRpcError) as newest:
        await refresh(identity, second.refresh_token)
    assert newest.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error_info(newest.value).reason == "REFRESH_TOKEN_EXPIRED"
    [revoked] = await identity.events(events_pb2.SessionsRevoked)
    assert revoked.session_ids == [logged_in.session_id]
    assert revoked.reason == 5  # SESSION_REVOCATION_REASON_REFRESH_TOKEN_REUSED

    other = (await refresh(identity, signed_up.tokens.refresh_token)).tokens
    await identity.stub.Logout(pb.LogoutRequest(refresh_token=other.refresh_token))
    await identity.stub.Logout(pb.LogoutRequest(refresh_token=other.refresh_token))  # again: ok
    with pytest.raises(grpc.aio.AioRpcError) as after_logout:
        await refresh(identity, other.refresh_token)
    assert error_info(after_logout.value).reason == "REFRESH_TOKEN_EXPIRED"
    assert PASSWORD


async def test_two_concurrent_refreshes_of_one_token_let_one_through_and_revoke_the_family(
    identity: Identity,
) -> None:
    session = (await identity.sign_up("grace@example.com")).tokens
    outcomes = await asyncio.gather(
        refresh(identity, session.refresh_token),
        refresh(identity, session.refresh_token),
        return_exceptions=True,
    )
    [winner] = [o for o in outcomes if isinstance(o, pb.RefreshResponse)]
    [loser] = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert loser.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error_info(loser).reason == "REFRESH_TOKEN_REUSED"
    with pytest.raises(grpc.aio.AioRpcError) as after:  # the winner's token died with the family
        await refresh(identity, winner.tokens.refresh_token)
    assert error_info(after.value).reason == "REFRESH_TOKEN_EXPIRED"
    [revoked] = await identity.events(events_pb2.SessionsRevoked)
    assert revoked.session_ids == [session.session_id]
