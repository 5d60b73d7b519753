"""The use cases over an in-memory SQLite unit of work: state, events and what is not written."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mesh.actor import Actor
from mesh.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from meshwork.users.v1 import events_pb2, resources_pb2
from services.users import commands, handlers
from services.users.domain import KycStatus, Profile, User, UserState
from services.users.handlers import Deps
from tests.unit.users.conftest import Outbox
from tests.unit.users.factories import create_command, submission

ADMIN = Actor("staff-1", frozenset({"admin"}))


def as_user(user: User) -> Actor:
    return Actor(user.id, frozenset({"user"}))


async def sign_up(deps: Deps, **overrides) -> User:
    return await handlers.create_user(create_command(**overrides), deps)


class TestCreateUser:
    async def test_creating_a_profile_publishes_user_created(self, deps, outbox: Outbox) -> None:
        ada = await sign_up(deps, email="Ada@Example.com")
        stored = await handlers.get_user(commands.GetUser(ada.id, as_user(ada)), deps)
        assert stored == ada
        [event] = await outbox.events()
        assert isinstance(event, events_pb2.UserCreated)
        assert (event.user.id, event.user.email) == (ada.id, "Ada@example.com")
        assert event.user.kyc_status == resources_pb2.KYC_STATUS_NOT_SUBMITTED

    async def test_a_retry_with_the_same_id_and_email_returns_the_profile_once(
        self, deps, outbox: Outbox
    ) -> None:
        command = create_command()
        first = await handlers.create_user(command, deps)
        again = await handlers.create_user(replace(command, email=command.email.upper()), deps)
        assert again == first
        assert len(await outbox.events()) == 1

    async def test_the_same_id_with_another_email_is_a_conflict(self, deps, outbox) -> None:
        ada = await sign_up(deps)
        with pytest.raises(AlreadyExists) as caught:
            await sign_up(deps, user_id=ada.id, email="other@example.com")
        assert caught.value.reason == "USER_ALREADY_EXISTS"
        assert len(await outbox.events()) == 1

    async def test_an_email_in_use_cannot_sign_up_again(self, deps) -> None:
        ada = await sign_up(deps)
        with pytest.raises(AlreadyExists) as caught:
            await sign_up(deps, email=ada.email.upper())
        assert caught.value.reason == "EMAIL_ALREADY_REGISTERED"

    async def test_a_deleted_profiles_email_is_free_again(self, deps) -> None:
        ada = await sign_up(deps)
        await handlers.delete_user(commands.DeleteUser("me", as_user(ada)), deps)
        again = await sign_up(deps, email=ada.email)
        assert again.id != ada.id and again.state is UserState.ACTIVE
        found = await handlers.lookup_user_by_email(
            commands.LookupUserByEmail(ada.email.upper()), deps
        )
        assert found.id == again.id

    async def test_bad_input_writes_nothing(self, deps, outbox) -> None:
        with pytest.raises(InvalidArgument):
            await sign_up(deps, email="nope")
        assert await outbox.events() == []


class TestUpdateUser:
    async def test_the_event_names_only_fields_whose_value_changed(self, deps, outbox) -> None:
        ada = await sign_up(deps)
        command = commands.UpdateUser(
            "me",
            Profile(display_name="Ada", given_name="Augusta"),
            ("display_name", "given_name"),
            as_user(ada),
        )
        updated = await handlers.update_user(command, deps)
        assert updated.profile.given_name == "Augusta"
        event = (await outbox.events())[-1]
        assert isinstance(event, events_pb2.UserUpdated)
        assert list(event.update_mask.paths) == ["given_name"]
        assert event.user.given_name == "Augusta"

    async def test_an_update_that_changes_nothing_publishes_nothing(self, deps, outbox) -> None:
        ada = await sign_up(deps)
        command = commands.UpdateUser(
            "me", Profile(display_name="Ada"), ("display_name",), as_user(ada)
        )
        await handlers.update_user(command, deps)
        assert len(await outbox.events()) == 1

    async def test_bad_input_leaves_the_profile_untouched(self, deps, outbox) -> None:
        ada = await sign_up(deps)
        command = commands.UpdateUser(
            "me",
            Profile(display_name="New", phone_number="bad"),
            ("display_name", "phone_number"),
            as_user(ada),
        )
        with pytest.raises(InvalidArgument):
            await handlers.update_user(command, deps)
        assert await handlers.get_user(commands.GetUser(ada.id, ADMIN), deps) == ada
        assert len(await outbox.events()) == 1

    @pytest.mark.parametrize("mark", ["\u202e", "\u2066", "\u200f", "\u061c"])
    async def test_a_display_name_with_a_bidirectional_control_is_refused_naming_the_field(
        self, deps, outbox, mark: str
    ) -> None:
        # "Ada<U+202E>gnp.exe" shows as "Adaexe.png" in a mail subject: refused, not stored.
        ada = await sign_up(deps)
        spoof = f"Ada{mark}gnp.exe"
        command = commands.UpdateUser(
            "me", Profile(display_name=spoof), ("display_name",), as_user(ada)
        )
        with pytest.raises(InvalidArgument) as caught:
            await handlers.update_user(command, deps)
        [violation] = caught.value.violations
        assert violation.field == "user.display_name"
        assert violation.description.startswith("must not contain bidirectional control characters")
        assert f"U+{ord(mark):04X}" in violation.description
        assert await handlers.get_user(commands.GetUser(ada.id, ADMIN), deps) == ada
        assert len(await outbox.events()) == 1

    async def test_another_users_profile_is_not_found(self, deps) -> None:
        ada, bob = await sign_up(deps), await sign_up(deps)
        command = commands.UpdateUser(
            ada.id, Profile(display_name="x"), ("display_name",), as_user(bob)
        )
        with pytest.raises(NotFound):
            await handlers.update_user(command, deps)
        stored = await handlers.get_user(commands.GetUser(ada.id, ADMIN), deps)
        assert stored.profile.display_name == "Ada"


class TestDeleteUser:
    async def test_deleting_twice_returns_the_profile_unchanged(self, deps, outbox) -> None:
        ada = await sign_up(deps)
        first = await handlers.delete_user(commands.DeleteUser(ada.id, ADMIN), deps)
        second = await handlers.delete_user(commands.DeleteUser(ada.id, as_user(ada)), deps)
        assert first == second and second.deleted_by == "staff-1"
        deleted = [e for e in await outbox.events() if isinstance(e, events_pb2.UserDeleted)]
        assert [(e.user_id, e.email, e.deleted_by) for e in deleted] == [
            (ada.id, ada.email, "staff-1")
        ]

    async def test_a_deleted_profile_can_still_be_read(self, deps) -> None:
        ada = await sign_up(deps)
        await handlers.delete_user(commands.DeleteUser("me", as_user(ada)), deps)
        assert (
            await handlers.get_user(commands.GetUser("me", as_user(ada)), deps)
        ).state is UserState.DELETED


class TestListUsers:
    async def test_pages_cover_every_match_once_newest_first(self, deps) -> None:
        made = [await sign_up(deps, profile=Profile(display_name=f"Page {i}")) for i in range(7)]
        seen: list[str] = []
        token = ""
        while True:
            page = await handlers.list_users(
                commands.ListUsers(page_size=3, page_token=token, query="page"), deps
            )
            seen += [user.id for user in page.users]
            token = page.next_page_token
            if not token:
                break
        newest_first = sorted(made, key=lambda user: (user.create_time, user.id), reverse=True)
        assert seen == [user.id for user in newest_first]

    async def test_filters_combine(self, deps) -> None:
        ada = await sign_up(deps, profile=Profile(family_name="Lovelace"))
        gone = await sign_up(deps, profile=Profile(family_name="Lovelace"))
        await handlers.delete_user(commands.DeleteUser(gone.id, ADMIN), deps)
        await handlers.submit_kyc(commands.SubmitKyc("me", submission(), as_user(ada)), deps)

        async def ids(**filters) -> list[str]:
            page = await handlers.list_users(commands.ListUsers(**filters), deps)
            return [user.id for user in page.users]

        assert await ids(query="LOVELACE") == [ada.id]
        assert await ids(query="lovelace", show_deleted=True) == [gone.id, ada.id]
        assert await ids(kyc_status="PENDING") == [ada.id]
        assert await ids(email=ada.email.upper()) == [ada.id]
        assert await ids(email=ada.email, kyc_status="VERIFIED") == []

    async def test_query_text_is_matched_literally(self, deps) -> None:
        await sign_up(deps, profile=Profile(display_name="100% Ada"))
        await sign_up(deps, profile=Profile(display_name="100 Ada"))
        page = await handlers.list_users(commands.ListUsers(query="100%"), deps)
        assert [user.profile.display_name for user in page.users] == ["100% Ada"]


class TestKyc:
    async def test_submit_then_verify(self, deps, outbox) -> None:
        ada = await sign_up(deps)
        submitted = await handlers.submit_kyc(
            commands.SubmitKyc("me", submission(), as_user(ada)), deps
        )
        assert submitted.kyc.status is KycStatus.PENDING
        verified = await handlers.verify_kyc(commands.VerifyKyc(ada.id, ADMIN), deps)
        assert (verified.kyc.status, verified.kyc.reviewer_id) == (KycStatus.VERIFIED, "staff-1")
        events = (await outbox.events())[1:]
        assert events == [
            events_pb2.KycSubmitted(user_id=ada.id),
            events_pb2.KycVerified(user_id=ada.id, reviewer_id="staff-1"),
        ]

    async def test_reject_tells_the_user_why(self, deps, outbox) -> None:
        ada = await sign_up(deps)
        await handlers.submit_kyc(commands.SubmitKyc("me", submission(), as_user(ada)), deps)
        rejected = await handlers.reject_kyc(
            commands.RejectKyc(ada.id, "DOCUMENT_UNREADABLE", ADMIN, "Retake the photo"), deps
        )
        assert rejected.kyc.status is KycStatus.REJECTED
        assert (await outbox.events())[-1] == events_pb2.KycRejected(
            user_id=ada.id,
            reviewer_id="staff-1",
            reason=resources_pb2.KYC_REJECTION_REASON_DOCUMENT_UNREADABLE,
            note="Retake the photo",
        )

    async def test_nobody_submits_for_someone_else(self, deps) -> None:
        ada = await sign_up(deps)
        with pytest.raises(NotFound):
            await handlers.submit_kyc(commands.SubmitKyc(ada.id, submission(), ADMIN), deps)

    async def test_a_deleted_user_cannot_submit(self, deps) -> None:
        ada = await sign_up(deps)
        await handlers.delete_user(commands.DeleteUser("me", as_user(ada)), deps)
        with pytest.raises(FailedPrecondition) as caught:
            await handlers.submit_kyc(commands.SubmitKyc("me", submission(), as_user(ada)), deps)
        assert caught.value.reason == "USER_DELETED"


class TestEmailVerified:
    async def test_the_profile_is_marked_verified_once(self, uow, deps, outbox) -> None:
        ada = await sign_up(deps)
        for _ in range(2):
            async with uow:
                await handlers.mark_email_verified(uow, ada.id, ada.email.upper())
                await uow.commit()
        assert (await handlers.get_user(commands.GetUser(ada.id, ADMIN), deps)).email_verified
        updates = [e for e in await outbox.events() if isinstance(e, events_pb2.UserUpdated)]
        assert [list(e.update_mask.paths) for e in updates] == [["email_verified"]]
        assert updates[0].user.email_verified

    async def test_an_unknown_user_is_ignored(self, uow, outbox) -> None:
        async with uow:
            await handlers.mark_email_verified(uow, "nobody", "nobody@example.com")
            await uow.commit()
        assert await outbox.events() == []
