"""Listing and revoking sessions, revoking all of a user's sessions, purging expired tokens."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest

from meshwork.identity.v1 import events_pb2, resources_pb2
from meshwork.identity.v1 import identity_service_pb2 as pb
from tests.integration.identity.conftest import ADMIN_EMAIL, Identity, error_info

ACTIVE, REVOKED = resources_pb2.SESSION_STATE_ACTIVE, resources_pb2.SESSION_STATE_REVOKED


async def test_owner_lists_their_sessions_newest_first_page_by_page(identity: Identity) -> None:
    first = (await identity.sign_up("pages@example.com")).tokens
    second = (await identity.login("pages@example.com")).tokens
    third = (await identity.login("pages@example.com")).tokens
    metadata = await identity.as_user(third.access_token)

    page = await identity.stub.ListSessions(
        pb.ListSessionsRequest(user_id="me", page_size=2), metadata=metadata
    )
    rest = await identity.stub.ListSessions(
        pb.ListSessionsRequest(user_id="me", page_size=2, page_token=page.next_page_token),
        metadata=metadata,
    )
    listed = [*page.sessions, *rest.sessions]
    assert [s.id for s in listed] == [third.session_id, second.session_id, first.session_id]
    assert rest.next_page_token == ""
    assert [s.current for s in listed] == [True, False, False]
    assert {s.state for s in listed} == {ACTIVE}
    assert listed[0].ip_address == "127.0.0.1"


async def test_owner_revokes_one_session_and_it_stops_refreshing(identity: Identity) -> None:
    phone = (await identity.sign_up("devices@example.com")).tokens
    laptop = (await identity.login("devices@example.com")).tokens
    metadata = await identity.as_user(laptop.access_token)
    request = pb.RevokeSessionRequest(user_id="me", session_id=phone.session_id)
    revoked = (await identity.stub.RevokeSession(request, metadata=metadata)).session
    assert revoked.state == REVOKED
    assert revoked.revocation_reason == resources_pb2.SESSION_REVOCATION_REASON_USER_REQUEST
    again = (await identity.stub.RevokeSession(request, metadata=metadata)).session
    assert again.revoke_time == revoked.revoke_time  # unchanged
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.stub.Refresh(pb.RefreshRequest(refresh_token=phone.refresh_token))
    assert error_info(caught.value).reason == "REFRESH_TOKEN_EXPIRED"

    active = await identity.stub.ListSessions(
        pb.ListSessionsRequest(user_id="me"), metadata=metadata
    )
    assert [s.id for s in active.sessions] == [laptop.session_id]
    everything = await identity.stub.ListSessions(
        pb.ListSessionsRequest(user_id="me", show_inactive=True), metadata=metadata
    )
    assert len(everything.sessions) == 2


async def test_other_users_sessions_are_invisible_but_staff_see_them(identity: Identity) -> None:
    alice = (await identity.sign_up()).tokens
    mallory = (await identity.sign_up()).tokens
    admin = (await identity.sign_up(ADMIN_EMAIL)).tokens
    with pytest.raises(grpc.aio.AioRpcError) as hidden:
        await identity.stub.ListSessions(
            pb.ListSessionsRequest(user_id=alice.user_id),
            metadata=await identity.as_user(mallory.access_token),
        )
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as not_theirs:
        await identity.stub.RevokeSession(
            pb.RevokeSessionRequest(user_id="me", session_id=alice.session_id),
            metadata=await identity.as_user(mallory.access_token),
        )
    assert error_info(not_theirs.value).reason == "SESSION_NOT_FOUND"

    seen = await identity.stub.ListSessions(
        pb.ListSessionsRequest(user_id=alice.user_id),
        metadata=await identity.as_user(admin.access_token),
    )
    assert [s.id for s in seen.sessions] == [alice.session_id]


async def test_admin_service_revokes_every_session_of_a_user(identity: Identity) -> None:
    one = (await identity.sign_up("suspend@example.com")).tokens
    two = (await identity.login("suspend@example.com")).tokens
    request = pb.RevokeUserSessionsRequest(user_id=one.user_id)
    metadata = await identity.as_service("admin")
    assert (
        await identity.stub.RevokeUserSessions(request, metadata=metadata)
    ).revoked_session_count == 2
    assert (
        await identity.stub.RevokeUserSessions(request, metadata=metadata)
    ).revoked_session_count == 0
    for tokens in (one, two):
        with pytest.raises(grpc.aio.AioRpcError):
            await identity.stub.Refresh(pb.RefreshRequest(refresh_token=tokens.refresh_token))
    [event] = await identity.events(events_pb2.SessionsRevoked)
    assert sorted(event.session_ids) == sorted([one.session_id, two.session_id])
    assert event.reason == resources_pb2.SESSION_REVOCATION_REASON_ADMIN_ACTION

    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await identity.stub.RevokeUserSessions(
            pb.RevokeUserSessionsRequest(user_id="no-such-user"), metadata=metadata
        )
    assert error_info(unknown.value).reason == "USER_NOT_FOUND"


async def test_purge_deletes_ended_sessions_and_used_tokens_past_retention(
    identity: Identity,
) -> None:
    kept = (await identity.sign_up("purge@example.com")).tokens
    ended = (await identity.login("purge@example.com")).tokens
    await identity.stub.Logout(pb.LogoutRequest(refresh_token=ended.refresh_token))
    [verification] = await identity.events(events_pb2.EmailVerificationRequested)
    await identity.stub.ConfirmEmailVerification(
        pb.ConfirmEmailVerificationRequest(token=verification.token)
    )
    metadata = await identity.as_service("jobs")
    request = pb.PurgeExpiredTokensRequest()
    nothing_yet = await identity.stub.PurgeExpiredTokens(request, metadata=metadata)
    assert (nothing_yet.purged_session_count, nothing_yet.purged_one_time_token_count) == (0, 0)

    deps = identity.service.deps
    real_clock = deps.clock
    retention = timedelta(seconds=identity.settings.token_retention_s + 1)
    deps.clock = lambda: real_clock() + retention
    purged = await identity.stub.PurgeExpiredTokens(request, metadata=metadata)
    assert (purged.purged_session_count, purged.purged_one_time_token_count) == (1, 1)
    assert [row["id"] for row in await identity.rows("sessions")] == [kept.session_id]
    assert len(await identity.rows("refresh_tokens")) == 1
    again = await identity.stub.PurgeExpiredTokens(request, metadata=metadata)
    assert again.purged_session_count == again.purged_one_time_token_count == 0
