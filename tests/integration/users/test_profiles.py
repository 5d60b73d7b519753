"""Profiles over real gRPC: create, read, update, delete, and who may do which."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.protobuf import field_mask_pb2

from meshwork.users.v1 import events_pb2, resources_pb2
from meshwork.users.v1 import users_service_pb2 as pb
from tests.integration.users.conftest import reason_of, violations_of

NOT_FOUND = grpc.StatusCode.NOT_FOUND
INVALID = grpc.StatusCode.INVALID_ARGUMENT


async def rpc_error(call) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


class TestCreateUser:
    async def test_identity_creates_a_profile_and_a_retry_returns_it(
        self, stub, callers, published
    ) -> None:
        request = pb.CreateUserRequest(
            user_id="u-create-1",
            user=resources_pb2.User(email="Ada@Example.COM", display_name="Ada"),
        )
        identity = callers.service("identity")
        created = (await stub.CreateUser(request, metadata=identity)).user
        again = (await stub.CreateUser(request, metadata=identity)).user
        assert again == created
        assert (created.id, created.email, created.display_name) == (
            "u-create-1",
            "Ada@example.com",
            "Ada",
        )
        assert created.state == resources_pb2.USER_STATE_ACTIVE
        assert created.kyc_status == resources_pb2.KYC_STATUS_NOT_SUBMITTED
        event = await published.wait_for(events_pb2.UserCreated, lambda e: e.user.id == created.id)
        assert event.user == created

    async def test_the_same_id_with_another_email_already_exists(self, stub, callers, sign_up):
        ada = await sign_up()
        request = pb.CreateUserRequest(
            user_id=ada.id, user=resources_pb2.User(email="other@example.com")
        )
        error = await rpc_error(stub.CreateUser(request, metadata=callers.service("identity")))
        assert (error.code(), reason_of(error)) == (
            grpc.StatusCode.ALREADY_EXISTS,
            "USER_ALREADY_EXISTS",
        )

    async def test_bad_fields_are_each_named(self, stub, callers) -> None:
        request = pb.CreateUserRequest(
            user_id="me", user=resources_pb2.User(email="nope", locale="??")
        )
        error = await rpc_error(stub.CreateUser(request, metadata=callers.service("identity")))
        assert (error.code(), reason_of(error)) == (INVALID, "VALIDATION_FAILED")
        assert [field for field, _ in violations_of(error)] == [
            "user_id",
            "user.email",
            "user.locale",
        ]

    async def test_only_identity_may_create_profiles(self, stub, callers) -> None:
        request = pb.CreateUserRequest(user_id="u-x", user=resources_pb2.User(email="x@ex.com"))
        for metadata in (callers.service("notifications"), callers.admin()):
            error = await rpc_error(stub.CreateUser(request, metadata=metadata))
            assert error.code() == grpc.StatusCode.PERMISSION_DENIED


class TestReading:
    async def test_a_user_reads_their_own_profile_as_me(self, stub, callers, sign_up) -> None:
        ada = await sign_up(display_name="Ada")
        reply = await stub.GetUser(pb.GetUserRequest(user_id="me"), metadata=callers.user(ada.id))
        assert reply.user == ada

    async def test_another_users_profile_answers_not_found_without_data(
        self, stub, callers, sign_up
    ) -> None:
        ada, bob = await sign_up(display_name="Ada"), await sign_up()
        as_bob = callers.user(bob.id)
        calls = [
            stub.GetUser(pb.GetUserRequest(user_id=ada.id), metadata=as_bob),
            stub.GetKyc(pb.GetKycRequest(user_id=ada.id), metadata=as_bob),
            stub.DeleteUser(pb.DeleteUserRequest(user_id=ada.id), metadata=as_bob),
            stub.UpdateUser(
                pb.UpdateUserRequest(
                    user=resources_pb2.User(id=ada.id, display_name="pwned"),
                    update_mask=mask("display_name"),
                ),
                metadata=as_bob,
            ),
        ]
        missing = await rpc_error(
            stub.GetUser(pb.GetUserRequest(user_id="u-nobody"), metadata=as_bob)
        )
        for call in calls:
            error = await rpc_error(call)
            assert (error.code(), reason_of(error)) == (NOT_FOUND, "USER_NOT_FOUND")
            assert ada.email not in error.details() and "Ada" not in error.details()
        assert missing.details() == f"no user has id {'u-nobody'!r}"
        unchanged = await stub.GetUser(pb.GetUserRequest(user_id=ada.id), metadata=callers.admin())
        assert unchanged.user == ada

    async def test_staff_and_notifications_read_any_profile(self, stub, callers, sign_up) -> None:
        ada = await sign_up()
        for metadata in (
            callers.admin(),
            callers.support(),
            callers.service("notifications"),
        ):
            reply = await stub.GetUser(pb.GetUserRequest(user_id=ada.id), metadata=metadata)
            assert reply.user.id == ada.id

    async def test_other_services_need_an_end_user(self, stub, callers, sign_up) -> None:
        ada = await sign_up()
        error = await rpc_error(
            stub.GetUser(pb.GetUserRequest(user_id=ada.id), metadata=callers.service("payments"))
        )
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED

    async def test_identity_looks_profiles_up_by_email(self, stub, callers, sign_up) -> None:
        ada = await sign_up()
        request = pb.LookupUserByEmailRequest(email=ada.email.upper())
        reply = await stub.LookupUserByEmail(request, metadata=callers.service("identity"))
        assert reply.user.id == ada.id
        error = await rpc_error(stub.LookupUserByEmail(request, metadata=callers.admin()))
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED
        unknown = pb.LookupUserByEmailRequest(email="nobody@example.com")
        error = await rpc_error(
            stub.LookupUserByEmail(unknown, metadata=callers.service("identity"))
        )
        assert (error.code(), reason_of(error)) == (NOT_FOUND, "USER_NOT_FOUND")


class TestUpdateUser:
    async def test_the_mask_names_what_changes_and_the_event_says_so(
        self, stub, callers, sign_up, published
    ) -> None:
        ada = await sign_up(display_name="Ada", given_name="Ada")
        request = pb.UpdateUserRequest(
            user=resources_pb2.User(
                id="me",
                display_name="Countess",
                given_name="ignored: not in the mask",
                phone_number="+447700900123",
                address=resources_pb2.Address(locality="London", region_code="gb"),
            ),
            update_mask=mask("display_name", "phone_number", "address"),
        )
        updated = (await stub.UpdateUser(request, metadata=callers.user(ada.id))).user
        assert (updated.display_name, updated.given_name, updated.phone_number) == (
            "Countess",
            "Ada",
            "+447700900123",
        )
        assert (updated.address.locality, updated.address.region_code) == ("London", "GB")
        assert updated.update_time.ToDatetime() > ada.update_time.ToDatetime()
        event = await published.wait_for(events_pb2.UserUpdated, lambda e: e.user.id == ada.id)
        assert event.user == updated
        assert list(event.update_mask.paths) == ["display_name", "phone_number", "address"]

    async def test_bad_masks_and_fields_are_named_and_nothing_is_written(
        self, stub, callers, sign_up
    ) -> None:
        ada = await sign_up(display_name="Ada")
        as_ada = callers.user(ada.id)
        request = pb.UpdateUserRequest(
            user=resources_pb2.User(
                id="me", display_name="New", phone_number="0770", time_zone="Nowhere/Town"
            ),
            update_mask=mask("display_name", "phone_number", "time_zone", "email", "nickname"),
        )
        error = await rpc_error(stub.UpdateUser(request, metadata=as_ada))
        assert (error.code(), reason_of(error)) == (INVALID, "VALIDATION_FAILED")
        violations = violations_of(error)
        assert [field for field, _ in violations] == [
            "update_mask",
            "update_mask",
            "user.phone_number",
            "user.time_zone",
        ]
        assert "'email' cannot be updated" in violations[0][1]
        assert "'nickname' is not an updatable field" in violations[1][1]
        empty = pb.UpdateUserRequest(user=resources_pb2.User(id="me", display_name="New"))
        error = await rpc_error(stub.UpdateUser(empty, metadata=as_ada))
        assert (error.code(), reason_of(error)) == (INVALID, "INVALID_UPDATE_MASK")
        phone_only = pb.UpdateUserRequest(
            user=resources_pb2.User(id="me", phone_number="12"), update_mask=mask("phone_number")
        )
        error = await rpc_error(stub.UpdateUser(phone_only, metadata=as_ada))
        assert (error.code(), reason_of(error)) == (INVALID, "INVALID_PHONE_NUMBER")
        reply = await stub.GetUser(pb.GetUserRequest(user_id="me"), metadata=as_ada)
        assert reply.user == ada

    async def test_staff_may_change_any_profile(self, stub, callers, sign_up) -> None:
        ada = await sign_up(display_name="Ada")
        request = pb.UpdateUserRequest(
            user=resources_pb2.User(id=ada.id, display_name=""), update_mask=mask("display_name")
        )
        reply = await stub.UpdateUser(request, metadata=callers.support())
        assert reply.user.display_name == ""


class TestDeleteUser:
    async def test_soft_delete_frees_the_email_and_is_published(
        self, stub, callers, sign_up, published
    ) -> None:
        ada = await sign_up()
        as_ada = callers.user(ada.id)
        deleted = (await stub.DeleteUser(pb.DeleteUserRequest(user_id="me"), metadata=as_ada)).user
        assert deleted.state == resources_pb2.USER_STATE_DELETED
        assert deleted.HasField("delete_time")
        again = await stub.DeleteUser(pb.DeleteUserRequest(user_id=ada.id), metadata=as_ada)
        assert again.user == deleted
        event = await published.wait_for(events_pb2.UserDeleted, lambda e: e.user_id == ada.id)
        assert (event.email, event.deleted_by) == (ada.email, "")

        newcomer = await sign_up(email=ada.email)
        assert newcomer.id != ada.id
        read = await stub.GetUser(pb.GetUserRequest(user_id=ada.id), metadata=callers.admin())
        assert read.user == deleted
        change = pb.UpdateUserRequest(
            user=resources_pb2.User(id="me", display_name="x"), update_mask=mask("display_name")
        )
        error = await rpc_error(stub.UpdateUser(change, metadata=as_ada))
        assert (error.code(), reason_of(error)) == (
            grpc.StatusCode.FAILED_PRECONDITION,
            "USER_DELETED",
        )
        assert len(published.of(events_pb2.UserDeleted, lambda e: e.user_id == ada.id)) == 1

    async def test_staff_deletion_records_who_deleted(
        self, stub, callers, sign_up, published
    ) -> None:
        ada = await sign_up()
        request = pb.DeleteUserRequest(user_id=ada.id)
        await stub.DeleteUser(request, metadata=callers.admin("admin-7"))
        event = await published.wait_for(events_pb2.UserDeleted, lambda e: e.user_id == ada.id)
        assert event.deleted_by == "admin-7"


class TestConcurrentSignUp:
    async def test_simultaneous_retries_create_one_profile(self, stub, callers, published) -> None:
        request = pb.CreateUserRequest(
            user_id="u-race", user=resources_pb2.User(email="race@example.com")
        )
        identity = callers.service("identity")
        replies = await asyncio.gather(
            *(stub.CreateUser(request, metadata=identity) for _ in range(5))
        )
        assert len({reply.user.SerializeToString() for reply in replies}) == 1
        await published.wait_for(events_pb2.UserCreated, lambda e: e.user.id == "u-race")
        listed = await stub.ListUsers(
            pb.ListUsersRequest(email="race@example.com"), metadata=callers.admin()
        )
        assert [user.id for user in listed.users] == ["u-race"]

    async def test_simultaneous_sign_ups_with_one_email_admit_one(self, stub, callers) -> None:
        identity = callers.service("identity")
        requests = [
            pb.CreateUserRequest(user_id=f"u-race-{n}", user=resources_pb2.User(email="one@ex.com"))
            for n in range(4)
        ]
        results = await asyncio.gather(
            *(stub.CreateUser(r, metadata=identity) for r in requests), return_exceptions=True
        )
        created = [r for r in results if not isinstance(r, Exception)]
        refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
        assert len(created) == 1 and len(refused) == 3
        assert {reason_of(error) for error in refused} == {"EMAIL_ALREADY_REGISTERED"}

    async def test_a_service_without_a_user_cannot_list(self, stub, callers) -> None:
        error = await rpc_error(
            stub.ListUsers(pb.ListUsersRequest(), metadata=callers.service("edge"))
        )
        assert (error.code(), reason_of(error)) == (
            grpc.StatusCode.UNAUTHENTICATED,
            "USER_TOKEN_MISSING",
        )
