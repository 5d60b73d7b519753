"""Mutations with an idempotency key: a retry answers as the first call did."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2

from meshwork.users.v1 import resources_pb2
from meshwork.users.v1 import users_service_pb2 as pb
from tests.integration.users.conftest import kyc_details, reason_of


async def test_a_retried_kyc_submission_replays_the_first_answer(stub, callers, sign_up) -> None:
    ada = await sign_up()
    keyed = (*callers.user(ada.id), ("idempotency-key", "kyc-1"))
    request = pb.SubmitKycRequest(user_id="me", details=kyc_details())

    first = await stub.SubmitKyc(request, metadata=keyed)
    retried = await stub.SubmitKyc(request, metadata=keyed)

    assert retried == first
    with pytest.raises(grpc.aio.AioRpcError) as without_key:  # a second submission proper
        await stub.SubmitKyc(request, metadata=callers.user(ada.id))
    assert without_key.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_the_key_with_other_details_is_refused_naming_it(stub, callers, sign_up) -> None:
    ada = await sign_up()
    keyed = (*callers.user(ada.id), ("idempotency-key", "kyc-1"))
    await stub.SubmitKyc(pb.SubmitKycRequest(user_id="me", details=kyc_details()), metadata=keyed)

    other = pb.SubmitKycRequest(user_id="me", details=kyc_details(legal_family_name="Byron"))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.SubmitKyc(other, metadata=keyed)

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(refused.value) == "IDEMPOTENCY_KEY_REUSED"
    assert "'kyc-1'" in (refused.value.details() or "")


async def test_a_retried_kyc_review_replays_the_first_verdict(stub, callers, sign_up) -> None:
    ada = await sign_up()
    await stub.SubmitKyc(
        pb.SubmitKycRequest(user_id="me", details=kyc_details()), metadata=callers.user(ada.id)
    )
    review = callers.admin(key="verify-1")

    first = await stub.VerifyKyc(pb.VerifyKycRequest(user_id=ada.id), metadata=review)
    retried = await stub.VerifyKyc(pb.VerifyKycRequest(user_id=ada.id), metadata=review)

    assert retried == first  # not KYC_NOT_PENDING: the review happened once
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.VerifyKyc(pb.VerifyKycRequest(user_id="someone-else"), metadata=review)
    assert reason_of(refused.value) == "IDEMPOTENCY_KEY_REUSED"


async def test_a_retried_deletion_and_update_replay_their_answers(stub, callers, sign_up) -> None:
    ada = await sign_up()
    mask = field_mask_pb2.FieldMask(paths=["display_name"])
    rename = pb.UpdateUserRequest(
        user=resources_pb2.User(id=ada.id, display_name="Ada"), update_mask=mask
    )
    update_key, delete_key = callers.user(ada.id, key="u-1"), callers.user(ada.id, key="d-1")

    renamed = await stub.UpdateUser(rename, metadata=update_key)
    assert await stub.UpdateUser(rename, metadata=update_key) == renamed
    deleted = await stub.DeleteUser(pb.DeleteUserRequest(user_id=ada.id), metadata=delete_key)
    assert (
        await stub.DeleteUser(pb.DeleteUserRequest(user_id=ada.id), metadata=delete_key) == deleted
    )

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.UpdateUser(
            pb.UpdateUserRequest(user=resources_pb2.User(id=ada.id)), metadata=update_key
        )
    assert reason_of(refused.value) == "IDEMPOTENCY_KEY_REUSED"
