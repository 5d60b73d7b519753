"""The API over the embedded mailbox transport: messages, preferences, sends, KYC mail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from meshwork.identity.v1 import identity_service_pb2 as identity_pb
from meshwork.notifications.v1 import notifications_service_pb2 as pb
from meshwork.notifications.v1 import resources_pb2 as res
from meshwork.users.v1 import resources_pb2 as users_resources
from meshwork.users.v1 import users_service_pb2
from tests.integration.notifications.conftest import (
    ADMIN_EMAIL,
    Metadata,
    Platform,
    notifications_settings,
    running_platform,
)
from tests.integration.users.conftest import kyc_details, reason_of, violations_of
from tests.support.waiting import eventually

#: Paths without database-specific SQL run on SQLite only, to keep the suite fast.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
async def platform(tmp_path: Path, nats_url: str, database_url: str) -> AsyncIterator[Platform]:
    """Email and SMS go to the local mailbox (the embedded default)."""
    async with running_platform(
        tmp_path, nats_url, notifications_settings(database_url, nats_url)
    ) as platform:
        yield platform


@pytest.fixture
async def admin(platform: Platform) -> Metadata:
    return await platform.as_admin()


async def mailbox(platform: Platform, admin: Metadata, recipient: str) -> list[res.MailboxMessage]:
    reply = await platform.notifications.ListMailboxMessages(
        pb.ListMailboxMessagesRequest(recipient=recipient), metadata=admin
    )
    return list(reply.mailbox_messages)


async def arrived(platform: Platform, admin: Metadata, recipient: str, count: int) -> None:
    async def enough() -> bool:
        return len(await mailbox(platform, admin, recipient)) >= count

    await eventually(enough)


async def own_messages(platform: Platform, caller: Metadata) -> list[res.Message]:
    reply = await platform.notifications.ListMessages(pb.ListMessagesRequest(), metadata=caller)
    return list(reply.messages)


async def as_service(platform: Platform) -> Metadata:
    return await platform.as_service("identity", "notifications")


@sqlite_only
class TestMailbox:
    async def test_sign_up_mail_is_readable_in_the_mailbox_newest_first(
        self, platform: Platform, admin: Metadata
    ) -> None:
        await platform.sign_up("ada@example.com", display_name="Ada")
        await arrived(platform, admin, "ada@example.com", 2)
        entries = await mailbox(platform, admin, "ADA@example.com")
        assert {e.subject for e in entries} == {
            "Welcome to Meshwork, Ada!",
            "Confirm your email address",
        }
        assert all(e.channel == res.CHANNEL_EMAIL for e in entries)
        assert entries[0].receive_time.ToDatetime() >= entries[1].receive_time.ToDatetime()
        assert "<p>Hello Ada,</p>" in next(e.html_body for e in entries if "Welcome" in e.subject)

    async def test_a_swiss_german_user_gets_the_german_welcome(
        self, platform: Platform, admin: Metadata
    ) -> None:
        await platform.sign_up("jonas@example.com", display_name="Jonas", locale="de-CH")
        await arrived(platform, admin, "jonas@example.com", 2)
        subjects = {e.subject for e in await mailbox(platform, admin, "jonas@example.com")}
        assert subjects == {"Willkommen bei Meshwork, Jonas!", "Bestätige deine E-Mail-Adresse"}


@sqlite_only
class TestMessages:
    async def test_users_see_their_own_messages_and_not_anyone_elses(
        self, platform: Platform, admin: Metadata
    ) -> None:
        ada = await platform.as_user(await platform.user_token("ada@example.com"))
        bob = await platform.as_user(await platform.user_token("bob@example.com"))
        await arrived(platform, admin, "bob@example.com", 2)
        ada_messages = await own_messages(platform, ada)
        assert {m.recipient for m in ada_messages} == {"ada@example.com"}
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await platform.notifications.GetMessage(
                pb.GetMessageRequest(message_id=ada_messages[0].id), metadata=bob
            )
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
        assert reason_of(caught.value) == "MESSAGE_NOT_FOUND"
        with pytest.raises(grpc.aio.AioRpcError) as listing:
            await platform.notifications.ListMessages(
                pb.ListMessagesRequest(user_id=ada_messages[0].user_id), metadata=bob
            )
        assert listing.value.code() == grpc.StatusCode.PERMISSION_DENIED

    async def test_staff_see_every_message_but_not_the_body_of_security_mail(
        self, platform: Platform, admin: Metadata
    ) -> None:
        reply = await platform.sign_up("ada@example.com")
        await arrived(platform, admin, "ada@example.com", 2)
        listed = await platform.notifications.ListMessages(
            pb.ListMessagesRequest(user_id=reply.user_id), metadata=admin
        )
        by_template = {m.template_id: m for m in listed.messages}
        assert by_template["email-verification"].category == res.CATEGORY_SECURITY
        assert by_template["email-verification"].body == ""
        assert "welcome to Meshwork" in by_template["welcome"].body
        ada = await platform.as_user(reply.tokens.access_token)

        async def all_sent() -> bool:
            messages = await own_messages(platform, ada)
            return all(m.state == res.MESSAGE_STATE_SENT for m in messages)

        await eventually(all_sent)  # the mailbox has them just before they are marked SENT
        own = {m.template_id: m for m in await own_messages(platform, ada)}
        assert "/verify-email?token=" in own["email-verification"].body

    async def test_pages_follow_each_other_and_a_token_needs_its_filters(
        self, platform: Platform, admin: Metadata
    ) -> None:
        for index in range(3):
            await platform.sign_up(f"user-{index}@example.com")

        async def welcomes(**paging: object) -> pb.ListMessagesResponse:
            request = pb.ListMessagesRequest(template_id="welcome", **paging)  # type: ignore[arg-type]
            return await platform.notifications.ListMessages(request, metadata=admin)

        async def all_queued() -> bool:
            return len((await welcomes()).messages) == 4  # three users and the admin

        await eventually(all_queued)
        first = await welcomes(page_size=3)
        second = await welcomes(page_size=3, page_token=first.next_page_token)
        ids = [m.id for m in (*first.messages, *second.messages)]
        assert len(first.messages) == 3 and len(set(ids)) == 4
        assert second.next_page_token == ""
        times = [m.create_time.ToDatetime() for m in (*first.messages, *second.messages)]
        assert times == sorted(times, reverse=True)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await platform.notifications.ListMessages(
                pb.ListMessagesRequest(page_size=3, page_token=first.next_page_token),
                metadata=admin,
            )
        assert reason_of(caught.value) == "INVALID_PAGE_TOKEN"


class TestPreferences:
    async def test_an_opted_out_category_is_suppressed_and_security_mail_still_goes(
        self, platform: Platform, admin: Metadata
    ) -> None:
        reply = await platform.sign_up("ada@example.com")
        ada = await platform.as_user(reply.tokens.access_token)
        await arrived(platform, admin, "ada@example.com", 2)  # the welcome and verification
        off = res.NotificationPreference(
            channel=res.CHANNEL_EMAIL, category=res.CATEGORY_ACCOUNT, enabled=False
        )
        updated = await platform.notifications.UpdateNotificationPreferences(
            pb.UpdateNotificationPreferencesRequest(
                user_id="me", preferences=res.NotificationPreferences(preferences=[off])
            ),
            metadata=ada,
        )
        values = {(p.channel, p.category): p.enabled for p in updated.preferences.preferences}
        assert values[res.CHANNEL_EMAIL, res.CATEGORY_ACCOUNT] is False
        assert values[res.CHANNEL_SMS, res.CATEGORY_MARKETING] is False  # off by default
        assert values[res.CHANNEL_SMS, res.CATEGORY_BILLING] is True
        sent = await platform.notifications.SendNotification(
            pb.SendNotificationRequest(
                idempotency_key="k-1", template_id="welcome", user_id=reply.user_id
            ),
            metadata=await as_service(platform),
        )
        [suppressed] = sent.messages
        assert suppressed.state == res.MESSAGE_STATE_SUPPRESSED
        assert suppressed.suppression_reason == res.SUPPRESSION_REASON_OPTED_OUT
        await platform.identity.RequestPasswordReset(
            identity_pb.RequestPasswordResetRequest(email="ada@example.com")
        )
        await arrived(platform, admin, "ada@example.com", 3)  # welcome, verification, reset

    async def test_security_mail_cannot_be_turned_off(self, platform: Platform) -> None:
        ada = await platform.as_user(await platform.user_token("ada@example.com"))
        security_off = res.NotificationPreference(
            channel=res.CHANNEL_EMAIL, category=res.CATEGORY_SECURITY, enabled=False
        )
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await platform.notifications.UpdateNotificationPreferences(
                pb.UpdateNotificationPreferencesRequest(
                    user_id="me",
                    preferences=res.NotificationPreferences(preferences=[security_off]),
                ),
                metadata=ada,
            )
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert reason_of(caught.value) == "PREFERENCE_NOT_CHANGEABLE"
        reply = await platform.notifications.GetNotificationPreferences(
            pb.GetNotificationPreferencesRequest(user_id="me"), metadata=ada
        )
        assert all(
            p.enabled for p in reply.preferences.preferences if p.category == res.CATEGORY_SECURITY
        )


class TestSendNotification:
    async def test_a_repeated_idempotency_key_returns_the_first_messages(
        self, platform: Platform, admin: Metadata
    ) -> None:
        request = pb.SendNotificationRequest(
            idempotency_key="order-42",
            template_id="welcome",
            email_address="eve@example.com",
            variables={"display_name": "Eve"},
        )
        service = await as_service(platform)
        first = await platform.notifications.SendNotification(request, metadata=service)
        again = await platform.notifications.SendNotification(request, metadata=service)
        assert [m.id for m in again.messages] == [m.id for m in first.messages]
        await arrived(platform, admin, "eve@example.com", 1)
        assert len(await mailbox(platform, admin, "eve@example.com")) == 1

    @sqlite_only
    async def test_bad_requests_name_every_field_and_queue_nothing(
        self, platform: Platform, admin: Metadata
    ) -> None:
        service = await as_service(platform)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await platform.notifications.SendNotification(
                pb.SendNotificationRequest(
                    template_id="Not A Template",
                    email_address="nope",
                    phone_number="0123",
                    channels=[res.CHANNEL_UNSPECIFIED],
                ),
                metadata=service,
            )
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert {field for field, _ in violations_of(caught.value)} == {
            "idempotency_key",
            "template_id",
            "email_address",
            "phone_number",
            "channels[0]",
        }
        with pytest.raises(grpc.aio.AioRpcError) as nobody:
            await platform.notifications.SendNotification(
                pb.SendNotificationRequest(idempotency_key="k", template_id="welcome"),
                metadata=service,
            )
        assert reason_of(nobody.value) == "RECIPIENT_REQUIRED"
        listed = await platform.notifications.ListMessages(
            pb.ListMessagesRequest(template_id="welcome"), metadata=admin
        )
        assert [m.recipient for m in listed.messages] == [ADMIN_EMAIL]

    @sqlite_only
    async def test_an_unknown_user_is_user_not_found(self, platform: Platform) -> None:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await platform.notifications.SendNotification(
                pb.SendNotificationRequest(
                    idempotency_key="k", template_id="welcome", user_id="no-such-user"
                ),
                metadata=await as_service(platform),
            )
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
        assert reason_of(caught.value) == "USER_NOT_FOUND"


@sqlite_only
class TestKycMail:
    async def test_kyc_decisions_are_mailed_to_the_profiles_address(
        self, platform: Platform
    ) -> None:
        reply = await platform.sign_up("kim@example.com", display_name="Kim")
        kim = await platform.as_user(reply.tokens.access_token, to="users")
        reviewer = await platform.as_admin(to="users")
        await platform.users.SubmitKyc(
            users_service_pb2.SubmitKycRequest(user_id="me", details=kyc_details()), metadata=kim
        )
        await platform.users.RejectKyc(
            users_service_pb2.RejectKycRequest(
                user_id=reply.user_id,
                reason=users_resources.KYC_REJECTION_REASON_DOCUMENT_EXPIRED,
                note="The passport expired in May.",
            ),
            metadata=reviewer,
        )
        admin = await platform.as_admin()
        await arrived(platform, admin, "kim@example.com", 3)
        rejected = next(
            e
            for e in await mailbox(platform, admin, "kim@example.com")
            if e.subject == "We could not verify your identity"
        )
        assert "Hello Kim," in rejected.text_body
        assert "the document has expired" in rejected.text_body
        assert "The passport expired in May." in rejected.text_body
