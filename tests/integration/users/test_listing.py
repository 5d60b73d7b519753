"""ListUsers over real gRPC: staff only, pages with opaque tokens, filters."""

from __future__ import annotations

import grpc
import pytest

from meshwork.users.v1 import resources_pb2
from meshwork.users.v1 import users_service_pb2 as pb
from tests.integration.users.conftest import kyc_details, reason_of, violations_of


async def all_pages(stub, metadata, **filters) -> tuple[list[str], int]:
    """Every id the listing returns, following next_page_token; and how many pages it took."""
    ids: list[str] = []
    token, pages = "", 0
    while True:
        request = pb.ListUsersRequest(page_size=2, page_token=token, **filters)
        reply = await stub.ListUsers(request, metadata=metadata)
        ids += [user.id for user in reply.users]
        pages += 1
        token = reply.next_page_token
        if not token:
            return ids, pages


class TestListUsers:
    async def test_staff_page_through_profiles_newest_first(self, stub, callers, sign_up) -> None:
        made = [await sign_up(display_name=f"Lister {n}") for n in range(5)]
        newest_first = sorted(
            made, key=lambda u: (u.create_time.ToNanoseconds(), u.id), reverse=True
        )
        ids, pages = await all_pages(stub, callers.support(), query="lister")
        assert ids == [user.id for user in newest_first]
        assert pages == 3

    async def test_filters_combine_and_deleted_profiles_are_hidden_by_default(
        self, stub, callers, sign_up
    ) -> None:
        ada = await sign_up(family_name="Lovelace")
        gone = await sign_up(family_name="Lovelace")
        await sign_up(family_name="Babbage")
        await stub.DeleteUser(pb.DeleteUserRequest(user_id=gone.id), metadata=callers.admin())
        submit = pb.SubmitKycRequest(user_id="me", details=kyc_details())
        await stub.SubmitKyc(submit, metadata=callers.user(ada.id))
        admin = callers.admin()
        pending = resources_pb2.KYC_STATUS_PENDING

        assert (await all_pages(stub, admin, query="LOVELACE"))[0] == [ada.id]
        assert (await all_pages(stub, admin, query="lovelace", show_deleted=True))[0] == [
            gone.id,
            ada.id,
        ]
        assert (await all_pages(stub, admin, kyc_status=pending))[0] == [ada.id]
        assert (await all_pages(stub, admin, email=ada.email.upper()))[0] == [ada.id]
        assert (await all_pages(stub, admin, email=gone.email, show_deleted=True))[0] == [gone.id]

    async def test_plain_users_may_not_list(self, stub, callers, sign_up) -> None:
        ada = await sign_up()
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.ListUsers(pb.ListUsersRequest(), metadata=callers.user(ada.id))
        assert (caught.value.code(), reason_of(caught.value)) == (
            grpc.StatusCode.PERMISSION_DENIED,
            "ROLE_REQUIRED",
        )

    async def test_a_page_token_only_continues_its_own_query(self, stub, callers, sign_up):
        for _ in range(3):
            await sign_up(display_name="Tokened")
        admin = callers.admin()
        first = await stub.ListUsers(
            pb.ListUsersRequest(page_size=1, query="tokened"), metadata=admin
        )
        assert first.next_page_token
        for request in (
            pb.ListUsersRequest(page_token=first.next_page_token, query="other"),
            pb.ListUsersRequest(page_token="not-a-token", query="tokened"),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.ListUsers(request, metadata=admin)
            assert (caught.value.code(), reason_of(caught.value)) == (
                grpc.StatusCode.INVALID_ARGUMENT,
                "INVALID_PAGE_TOKEN",
            )
            assert [field for field, _ in violations_of(caught.value)] == ["page_token"]
