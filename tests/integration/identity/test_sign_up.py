"""Sign-up creates the credential and the profile together, or neither."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from mesh.auth.tokens import ACCESS_TOKEN, USER_AUDIENCE
from meshwork.identity.v1 import events_pb2
from meshwork.identity.v1 import identity_service_pb2 as pb
from meshwork.users.v1 import resources_pb2 as users_resources
from services.identity.handlers import sign_up as sign_up_handler
from tests.integration.identity.conftest import ADMIN_EMAIL, Identity, error_info


async def test_sign_up_creates_the_profile_under_the_same_id_and_reports_it(
    identity: Identity,
) -> None:
    reply = await identity.stub.SignUp(
        pb.SignUpRequest(email="Grace@Example.COM", password="a long enough secret", locale="en-GB")
    )
    profile = identity.users.profiles[reply.user_id]
    assert profile.email == "Grace@example.com"  # the domain is normalized, the local part kept
    assert profile.display_name == "Grace"  # defaults to the part before the @
    [credential] = await identity.rows("credentials")
    assert (credential["user_id"], credential["state"]) == (reply.user_id, "active")
    [signed_up] = await identity.events(events_pb2.UserSignedUp)
    assert (signed_up.user_id, signed_up.email) == (reply.user_id, "Grace@example.com")
    [verification] = await identity.events(events_pb2.EmailVerificationRequested)
    assert verification.locale == "en-GB" and verification.token


async def test_an_address_registers_once_whatever_its_case(identity: Identity) -> None:
    await identity.sign_up("twin@example.com")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.sign_up("TWIN@example.com")
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert error_info(caught.value).reason == "EMAIL_ALREADY_REGISTERED"
    assert len(await identity.rows("credentials")) == 1


async def test_access_tokens_carry_the_roles_admin_answers(identity: Identity) -> None:
    admin = (await identity.sign_up(ADMIN_EMAIL)).tokens
    user = (await identity.sign_up()).tokens
    verifier = identity.verifier()
    verified = await verifier.verify(
        admin.access_token, audience=USER_AUDIENCE, token_type=ACCESS_TOKEN
    )
    assert verified.roles == {"user", "admin"}
    verified = await verifier.verify(
        user.access_token, audience=USER_AUDIENCE, token_type=ACCESS_TOKEN
    )
    assert verified.roles == {"user"}


async def test_users_down_fails_unavailable_and_leaves_no_credential(identity: Identity) -> None:
    identity.users.down = True
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.sign_up("early@example.com")
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert error_info(caught.value).reason == "DEPENDENCY_UNAVAILABLE"
    assert await identity.rows("credentials") == []
    assert await identity.events(events_pb2.UserSignedUp) == []

    identity.users.down = False
    reply = await identity.sign_up("early@example.com")
    assert [row["user_id"] for row in await identity.rows("credentials")] == [reply.user_id]


async def test_users_unreachable_fails_unavailable_and_leaves_no_credential(
    identity: Identity,
) -> None:
    await identity.users_server.stop(0)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.sign_up("lonely@example.com")
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert await identity.rows("credentials") == []


async def test_a_profile_created_before_a_lost_reply_is_adopted_by_the_retry(
    identity: Identity,
) -> None:
    identity.users.lose_replies = 10  # more than the client's retries
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.sign_up("lost@example.com")
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert await identity.rows("credentials") == []
    [orphan] = identity.users.profiles  # the profile exists, with no credential

    identity.users.lose_replies = 0
    reply = await identity.sign_up("lost@example.com")
    assert reply.user_id == orphan
    assert list(identity.users.profiles) == [orphan]
    assert [row["user_id"] for row in await identity.rows("credentials")] == [orphan]
    await identity.login("lost@example.com")


async def test_a_deleted_profile_with_the_address_is_never_taken_over(identity: Identity) -> None:
    identity.users.profiles["gone"] = users_resources.User(
        id="gone", email="back@example.com", state=users_resources.USER_STATE_DELETED
    )
    reply = await identity.sign_up("back@example.com")
    assert reply.user_id != "gone"
    assert reply.user_id in identity.users.profiles


async def test_a_failure_after_the_profile_exists_is_compensated_and_the_retry_converges(
    identity: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database went away mid-sign-up")

    monkeypatch.setattr(sign_up_handler, "open_session", broken)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.sign_up("crash@example.com")
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert await identity.rows("credentials") == []
    [profile_id] = identity.users.profiles

    monkeypatch.undo()
    reply = await identity.sign_up("crash@example.com")
    assert reply.user_id == profile_id
    assert len(await identity.rows("credentials")) == 1


async def test_a_sign_up_interrupted_before_activation_is_resumed_with_the_same_user_id(
    identity: Identity,
) -> None:
    from services.identity.handlers.common import transaction
    from services.identity.handlers.sign_up import _reserve

    deps = identity.service.deps
    reservation = await _reserve(deps, "halfway@example.com", "not-a-real-hash")  # then "crash"
    async with transaction(deps) as tx:
        pending = await tx.accounts.account_by_id(reservation.user_id)
    assert pending is not None and pending.state.value == "pending_profile"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.login("halfway@example.com", "not-a-real-hash")
    assert error_info(caught.value).reason == "INVALID_CREDENTIALS"

    reply = await identity.sign_up("halfway@example.com")
    assert reply.user_id == reservation.user_id
    assert list(identity.users.profiles) == [reservation.user_id]
