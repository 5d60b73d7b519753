"""Identity's other keyed mutations: a retry replays the first answer instead of acting twice."""

from __future__ import annotations

import grpc
import pytest

from meshwork.identity.v1 import events_pb2
from meshwork.identity.v1 import identity_service_pb2 as pb
from tests.integration.identity.conftest import Identity, error_info


def keyed(key: str, metadata: tuple[tuple[str, str], ...] = ()) -> tuple[tuple[str, str], ...]:
    return (*metadata, ("idempotency-key", key))


async def test_a_retried_refresh_replays_its_tokens_instead_of_revoking_the_session(
    identity: Identity,
) -> None:
    signed_up = await identity.sign_up()
    request = pb.RefreshRequest(refresh_token=signed_up.tokens.refresh_token)

    first = await identity.stub.Refresh(request, metadata=keyed("refresh-1"))
    again = await identity.stub.Refresh(request, metadata=keyed("refresh-1"))
    following = pb.RefreshRequest(refresh_token=first.tokens.refresh_token)
    next_tokens = await identity.stub.Refresh(following)  # the session is still alive

    assert again == first
    assert next_tokens.tokens.refresh_token != first.tokens.refresh_token
    records = await identity.rows("mesh_idempotency")
    assert all(first.tokens.refresh_token.encode() not in r["response"] for r in records)


async def test_a_retried_password_reset_request_mails_once(identity: Identity) -> None:
    signed_up = await identity.sign_up("forgot@example.com")
    request = pb.RequestPasswordResetRequest(email="forgot@example.com")

    await identity.stub.RequestPasswordReset(request, metadata=keyed("reset-1"))
    await identity.stub.RequestPasswordReset(request, metadata=keyed("reset-1"))

    [requested] = await identity.events(events_pb2.PasswordResetRequested)
    assert requested.user_id == signed_up.user_id
    other = pb.RequestPasswordResetRequest(email="other@example.com")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await identity.stub.RequestPasswordReset(other, metadata=keyed("reset-1"))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(refused.value).reason == "IDEMPOTENCY_KEY_REUSED"


async def test_a_retried_email_verification_request_and_confirmation_act_once(
    identity: Identity,
) -> None:
    signed_up = await identity.sign_up()
    caller = await identity.as_user(signed_up.tokens.access_token)
    ask = pb.RequestEmailVerificationRequest()
    at_sign_up = len(await identity.events(events_pb2.EmailVerificationRequested))

    await identity.stub.RequestEmailVerification(ask, metadata=keyed("verify-1", caller))
    await identity.stub.RequestEmailVerification(ask, metadata=keyed("verify-1", caller))
    *_, requested = await identity.events(events_pb2.EmailVerificationRequested)
    confirm = pb.ConfirmEmailVerificationRequest(token=requested.token)
    first = await identity.stub.ConfirmEmailVerification(confirm, metadata=keyed("confirm-1"))
    again = await identity.stub.ConfirmEmailVerification(confirm, metadata=keyed("confirm-1"))

    assert again == first and first.user_id == signed_up.user_id  # not "already verified"
    sent = await identity.events(events_pb2.EmailVerificationRequested)
    assert len(sent) == at_sign_up + 1
    assert len(await identity.events(events_pb2.EmailVerified)) == 1


async def test_a_retried_key_rotation_rotates_once(identity: Identity) -> None:
    jobs = keyed("rotate-1", await identity.as_service("jobs"))

    first = await identity.stub.RotateSigningKeys(pb.RotateSigningKeysRequest(), metadata=jobs)
    again = await identity.stub.RotateSigningKeys(pb.RotateSigningKeysRequest(), metadata=jobs)

    assert again == first
    assert len(await identity.events(events_pb2.SigningKeysRotated)) == 1
