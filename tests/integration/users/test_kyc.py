"""KYC over real gRPC: users submit their own, staff review others', every step published."""

from __future__ import annotations

from datetime import date

import grpc
import pytest

from meshwork.users.v1 import events_pb2, resources_pb2
from meshwork.users.v1 import users_service_pb2 as pb
from tests.integration.users.conftest import kyc_details, reason_of, violations_of


async def rpc_error(call) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


async def submit(stub, callers, user_id: str, **overrides) -> resources_pb2.Kyc:
    request = pb.SubmitKycRequest(user_id="me", details=kyc_details(**overrides))
    return (await stub.SubmitKyc(request, metadata=callers.user(user_id))).kyc


class TestKycFlow:
    async def test_submit_then_verify(self, stub, callers, sign_up, published) -> None:
        ada = await sign_up()
        as_ada = callers.user(ada.id)
        before = (await stub.GetKyc(pb.GetKycRequest(user_id="me"), metadata=as_ada)).kyc
        assert before.status == resources_pb2.KYC_STATUS_NOT_SUBMITTED
        assert not before.HasField("details")

        pending = await submit(stub, callers, ada.id)
        assert pending.status == resources_pb2.KYC_STATUS_PENDING
        assert pending.details == kyc_details()
        verified = (
            await stub.VerifyKyc(
                pb.VerifyKycRequest(user_id=ada.id), metadata=callers.support("support-3")
            )
        ).kyc
        assert (verified.status, verified.reviewer_id) == (
            resources_pb2.KYC_STATUS_VERIFIED,
            "support-3",
        )
        assert verified.HasField("review_time")
        profile = await stub.GetUser(pb.GetUserRequest(user_id="me"), metadata=as_ada)
        assert profile.user.kyc_status == resources_pb2.KYC_STATUS_VERIFIED

        await published.wait_for(events_pb2.KycSubmitted, lambda e: e.user_id == ada.id)
        event = await published.wait_for(events_pb2.KycVerified, lambda e: e.user_id == ada.id)
        assert event.reviewer_id == "support-3"

        error = await rpc_error(
            stub.SubmitKyc(
                pb.SubmitKycRequest(user_id="me", details=kyc_details()), metadata=as_ada
            )
        )
        assert reason_of(error) == "KYC_ALREADY_VERIFIED"

    async def test_reject_then_resubmit(self, stub, callers, sign_up, published) -> None:
        ada = await sign_up()
        await submit(stub, callers, ada.id)
        error = await rpc_error(
            stub.SubmitKyc(
                pb.SubmitKycRequest(user_id="me", details=kyc_details()),
                metadata=callers.user(ada.id),
            )
        )
        assert (error.code(), reason_of(error)) == (
            grpc.StatusCode.FAILED_PRECONDITION,
            "KYC_ALREADY_PENDING",
        )
        reject = pb.RejectKycRequest(
            user_id=ada.id,
            reason=resources_pb2.KYC_REJECTION_REASON_DETAILS_MISMATCH,
            note="Your family name differs from the passport.",
        )
        rejected = (await stub.RejectKyc(reject, metadata=callers.admin("admin-9"))).kyc
        assert rejected.status == resources_pb2.KYC_STATUS_REJECTED
        assert rejected.rejection_reason == resources_pb2.KYC_REJECTION_REASON_DETAILS_MISMATCH
        event = await published.wait_for(events_pb2.KycRejected, lambda e: e.user_id == ada.id)
        assert event == events_pb2.KycRejected(
            user_id=ada.id,
            reviewer_id="admin-9",
            reason=resources_pb2.KYC_REJECTION_REASON_DETAILS_MISMATCH,
            note="Your family name differs from the passport.",
        )
        error = await rpc_error(stub.RejectKyc(reject, metadata=callers.admin()))
        assert (error.code(), reason_of(error)) == (
            grpc.StatusCode.FAILED_PRECONDITION,
            "KYC_NOT_PENDING",
        )
        again = await submit(stub, callers, ada.id, legal_family_name="Byron")
        assert again.status == resources_pb2.KYC_STATUS_PENDING
        assert again.details.legal_family_name == "Byron"
        assert again.rejection_reason == resources_pb2.KYC_REJECTION_REASON_UNSPECIFIED


class TestKycAccess:
    async def test_plain_users_cannot_review(self, stub, callers, sign_up) -> None:
        ada = await sign_up()
        await submit(stub, callers, ada.id)
        error = await rpc_error(
            stub.VerifyKyc(pb.VerifyKycRequest(user_id="me"), metadata=callers.user(ada.id))
        )
        assert (error.code(), reason_of(error)) == (
            grpc.StatusCode.PERMISSION_DENIED,
            "ROLE_REQUIRED",
        )

    async def test_reviewers_cannot_review_themselves(self, stub, callers, sign_up) -> None:
        staff = await sign_up()
        await submit(stub, callers, staff.id)
        error = await rpc_error(
            stub.VerifyKyc(pb.VerifyKycRequest(user_id="me"), metadata=callers.admin(staff.id))
        )
        assert (error.code(), reason_of(error)) == (
            grpc.StatusCode.PERMISSION_DENIED,
            "KYC_SELF_REVIEW",
        )

    async def test_users_see_only_their_own_kyc_and_staff_see_all(
        self, stub, callers, sign_up
    ) -> None:
        ada, bob = await sign_up(), await sign_up()
        await submit(stub, callers, ada.id)
        error = await rpc_error(
            stub.GetKyc(pb.GetKycRequest(user_id=ada.id), metadata=callers.user(bob.id))
        )
        assert (error.code(), reason_of(error)) == (grpc.StatusCode.NOT_FOUND, "USER_NOT_FOUND")
        error = await rpc_error(
            stub.SubmitKyc(
                pb.SubmitKycRequest(user_id=ada.id, details=kyc_details()),
                metadata=callers.user(bob.id),
            )
        )
        assert error.code() == grpc.StatusCode.NOT_FOUND
        kyc = (await stub.GetKyc(pb.GetKycRequest(user_id=ada.id), metadata=callers.admin())).kyc
        assert (kyc.user_id, kyc.status) == (ada.id, resources_pb2.KYC_STATUS_PENDING)


class TestKycValidation:
    async def test_an_expired_document_is_refused_and_nothing_changes(
        self, stub, callers, sign_up
    ) -> None:
        ada = await sign_up()
        expired = resources_pb2.Date(year=date.today().year - 1, month=1, day=1)
        error = await rpc_error(submit(stub, callers, ada.id, document_expire_date=expired))
        assert (error.code(), reason_of(error)) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            "KYC_DOCUMENT_EXPIRED",
        )
        assert violations_of(error)[0][0] == "details.document_expire_date"
        kyc = (await stub.GetKyc(pb.GetKycRequest(user_id="me"), metadata=callers.user(ada.id))).kyc
        assert kyc.status == resources_pb2.KYC_STATUS_NOT_SUBMITTED

    async def test_missing_details_are_each_named(self, stub, callers, sign_up) -> None:
        ada = await sign_up()
        request = pb.SubmitKycRequest(
            user_id="me", details=resources_pb2.KycDetails(legal_given_name="Ada")
        )
        error = await rpc_error(stub.SubmitKyc(request, metadata=callers.user(ada.id)))
        assert reason_of(error) == "VALIDATION_FAILED"
        assert [field for field, _ in violations_of(error)] == [
            "details.legal_family_name",
            "details.birth_date",
            "details.nationality",
            "details.residential_address",
            "details.document_type",
            "details.document_number",
            "details.document_issuing_country",
            "details.document_expire_date",
        ]

    async def test_a_rejection_needs_a_reason(self, stub, callers, sign_up) -> None:
        ada = await sign_up()
        await submit(stub, callers, ada.id)
        error = await rpc_error(
            stub.RejectKyc(pb.RejectKycRequest(user_id=ada.id), metadata=callers.admin())
        )
        assert violations_of(error)[0][0] == "reason"
