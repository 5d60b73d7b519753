"""Password hashes at rest, password change and reset, email verification."""

from __future__ import annotations

import grpc
import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from meshwork.identity.v1 import events_pb2
from meshwork.identity.v1 import identity_service_pb2 as pb
from tests.integration.identity.conftest import PASSWORD, Identity, error_info

NEW_PASSWORD = "a different long passphrase"


async def test_stored_password_hash_is_argon2id_at_owasp_cost_or_more(identity: Identity) -> None:
    user = await identity.sign_up()
    [row] = await identity.rows("credentials", user_id=user.user_id)
    stored = row["password_hash"]
    parameters = extract_parameters(stored)
    assert stored.startswith("$argon2id$") and parameters.type is Type.ID
    assert parameters.memory_cost >= 19_456
    assert parameters.time_cost >= 2
    assert parameters.parallelism >= 1
    assert PASSWORD not in stored


async def test_a_hash_made_with_weaker_parameters_is_upgraded_at_the_next_login(
    identity: Identity,
) -> None:
    user = await identity.sign_up("weak@example.com")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    async with identity.engine.begin() as connection:
        from sqlalchemy import text

        await connection.execute(
            text("UPDATE credentials SET password_hash = :h WHERE user_id = :u"),
            {"h": weak, "u": user.user_id},
        )
    await identity.login("weak@example.com")
    [row] = await identity.rows("credentials", user_id=user.user_id)
    assert extract_parameters(row["password_hash"]).memory_cost == 19_456
    await identity.login("weak@example.com")  # the upgraded hash still matches


async def test_password_change_revokes_every_other_session_and_keeps_the_calling_one(
    identity: Identity,
) -> None:
    first = (await identity.sign_up("change@example.com")).tokens
    second = (await identity.login("change@example.com")).tokens
    reply = await identity.stub.ChangePassword(
        pb.ChangePasswordRequest(current_password=PASSWORD, new_password=NEW_PASSWORD),
        metadata=await identity.as_user(second.access_token),
    )
    assert reply.revoked_session_count == 1
    with pytest.raises(grpc.aio.AioRpcError) as revoked:
        await identity.stub.Refresh(pb.RefreshRequest(refresh_token=first.refresh_token))
    assert error_info(revoked.value).reason == "REFRESH_TOKEN_EXPIRED"
    await identity.stub.Refresh(pb.RefreshRequest(refresh_token=second.refresh_token))
    await identity.login("change@example.com", NEW_PASSWORD)
    [changed] = await identity.events(events_pb2.PasswordChanged)
    assert (changed.user_id, changed.via_reset) == (first.user_id, False)


async def test_password_change_with_a_wrong_current_password_changes_nothing(
    identity: Identity,
) -> None:
    tokens = (await identity.sign_up("keep@example.com")).tokens
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.stub.ChangePassword(
            pb.ChangePasswordRequest(current_password="not my password", new_password=NEW_PASSWORD),
            metadata=await identity.as_user(tokens.access_token),
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(caught.value).reason == "CURRENT_PASSWORD_INCORRECT"
    await identity.login("keep@example.com")


async def test_password_reset_by_token_works_once_and_ends_every_session(
    identity: Identity,
) -> None:
    tokens = (await identity.sign_up("forgot@example.com")).tokens
    await identity.stub.RequestPasswordReset(
        pb.RequestPasswordResetRequest(email="Forgot@example.com")
    )
    [requested] = await identity.events(events_pb2.PasswordResetRequested)
    assert requested.user_id == tokens.user_id and requested.token

    confirm = pb.ConfirmPasswordResetRequest(token=requested.token, new_password=NEW_PASSWORD)
    await identity.stub.ConfirmPasswordReset(confirm)
    await identity.login("forgot@example.com", NEW_PASSWORD)
    with pytest.raises(grpc.aio.AioRpcError) as ended:
        await identity.stub.Refresh(pb.RefreshRequest(refresh_token=tokens.refresh_token))
    assert error_info(ended.value).reason == "REFRESH_TOKEN_EXPIRED"

    again = pb.ConfirmPasswordResetRequest(
        token=requested.token, new_password="yet another passphrase"
    )
    with pytest.raises(grpc.aio.AioRpcError) as used:
        await identity.stub.ConfirmPasswordReset(again)
    assert used.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(used.value).reason == "PASSWORD_RESET_TOKEN_INVALID"
    [changed] = await identity.events(events_pb2.PasswordChanged)
    assert changed.via_reset


async def test_password_reset_answers_the_same_for_unknown_addresses_and_sends_nothing(
    identity: Identity,
) -> None:
    reply = await identity.stub.RequestPasswordReset(
        pb.RequestPasswordResetRequest(email="nobody@example.com")
    )
    assert reply == pb.RequestPasswordResetResponse()
    assert await identity.events(events_pb2.PasswordResetRequested) == []


async def test_a_newer_reset_link_voids_the_earlier_one(identity: Identity) -> None:
    await identity.sign_up("twice@example.com")
    for _ in range(2):
        await identity.stub.RequestPasswordReset(
            pb.RequestPasswordResetRequest(email="twice@example.com")
        )
    first, second = await identity.events(events_pb2.PasswordResetRequested)
    with pytest.raises(grpc.aio.AioRpcError) as voided:
        await identity.stub.ConfirmPasswordReset(
            pb.ConfirmPasswordResetRequest(token=first.token, new_password=NEW_PASSWORD)
        )
    assert error_info(voided.value).reason == "PASSWORD_RESET_TOKEN_INVALID"
    await identity.stub.ConfirmPasswordReset(
        pb.ConfirmPasswordResetRequest(token=second.token, new_password=NEW_PASSWORD)
    )


async def test_email_verification_confirms_once_and_the_next_refresh_says_verified(
    identity: Identity,
) -> None:
    tokens = (await identity.sign_up("verify@example.com")).tokens
    [requested] = await identity.events(events_pb2.EmailVerificationRequested)
    assert (requested.user_id, requested.email) == (tokens.user_id, "verify@example.com")

    confirm = pb.ConfirmEmailVerificationRequest(token=requested.token)
    confirmed = await identity.stub.ConfirmEmailVerification(confirm)
    assert (confirmed.user_id, confirmed.email) == (tokens.user_id, "verify@example.com")
    with pytest.raises(grpc.aio.AioRpcError) as used:
        await identity.stub.ConfirmEmailVerification(confirm)
    assert error_info(used.value).reason == "EMAIL_VERIFICATION_TOKEN_INVALID"

    refreshed = await identity.stub.Refresh(pb.RefreshRequest(refresh_token=tokens.refresh_token))
    verified = await identity.verifier().verify(
        refreshed.tokens.access_token, audience="meshwork", token_type="access"
    )
    assert verified.claims["email_verified"] is True
    [event] = await identity.events(events_pb2.EmailVerified)
    assert event.user_id == tokens.user_id
    with pytest.raises(grpc.aio.AioRpcError) as already:
        await identity.stub.RequestEmailVerification(
            pb.RequestEmailVerificationRequest(),
            metadata=await identity.as_user(refreshed.tokens.access_token),
        )
    assert error_info(already.value).reason == "EMAIL_ALREADY_VERIFIED"


async def test_requesting_a_new_verification_link_voids_the_sign_up_link(
    identity: Identity,
) -> None:
    tokens = (await identity.sign_up()).tokens
    await identity.stub.RequestEmailVerification(
        pb.RequestEmailVerificationRequest(), metadata=await identity.as_user(tokens.access_token)
    )
    old, new = await identity.events(events_pb2.EmailVerificationRequested)
    with pytest.raises(grpc.aio.AioRpcError) as voided:
        await identity.stub.ConfirmEmailVerification(
            pb.ConfirmEmailVerificationRequest(token=old.token)
        )
    assert error_info(voided.value).reason == "EMAIL_VERIFICATION_TOKEN_INVALID"
    await identity.stub.ConfirmEmailVerification(
        pb.ConfirmEmailVerificationRequest(token=new.token)
    )
