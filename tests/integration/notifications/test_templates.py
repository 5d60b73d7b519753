"""Templates through the API: staff create, read, list, update and delete; built-ins stay."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask

from meshwork.notifications.v1 import notifications_service_pb2 as pb
from meshwork.notifications.v1 import resources_pb2 as res
from services.notifications.templates import BUILT_INS
from tests.integration.notifications.conftest import (
    Metadata,
    Platform,
    notifications_settings,
    running_platform,
)
from tests.integration.users.conftest import reason_of, rich_status, violations_of
from tests.support.waiting import eventually

ORDER_SHIPPED = res.Template(
    description="Tells a customer their order left the warehouse.",
    category=res.CATEGORY_BILLING,
    email=res.EmailContent(
        subject="Order {{ order }} shipped",
        text_body="Your order {{ order }} is on its way.",
        html_body="<p>Your order <b>{{ order }}</b> is on its way.</p>",
    ),
    sms=res.SmsContent(text="Order {{ order }} shipped."),
)


#: Paths without database-specific SQL run on SQLite only, to keep the suite fast.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
async def platform(tmp_path: Path, nats_url: str, database_url: str) -> AsyncIterator[Platform]:
    async with running_platform(
        tmp_path, nats_url, notifications_settings(database_url, nats_url)
    ) as platform:
        yield platform


@pytest.fixture
async def admin(platform: Platform) -> Metadata:
    return await platform.as_admin()


async def create(platform: Platform, admin: Metadata, template_id: str) -> res.Template:
    reply = await platform.notifications.CreateTemplate(
        pb.CreateTemplateRequest(template_id=template_id, template=ORDER_SHIPPED), metadata=admin
    )
    return reply.template


async def send(platform: Platform, key: str, **fields: object) -> list[res.Message]:
    reply = await platform.notifications.SendNotification(
        pb.SendNotificationRequest(idempotency_key=key, **fields),  # type: ignore[arg-type]
        metadata=await platform.as_service("payments", "notifications"),
    )
    return list(reply.messages)


async def test_a_created_template_renders_on_each_channel_and_goes_once_deleted(
    platform: Platform, admin: Metadata
) -> None:
    created = await create(platform, admin, "order-shipped")
    assert (created.id, created.built_in) == ("order-shipped", False)
    fetched = await platform.notifications.GetTemplate(
        pb.GetTemplateRequest(template_id="order-shipped"), metadata=admin
    )
    assert fetched.template == created
    messages = await send(
        platform,
        "order-1",
        template_id="order-shipped",
        email_address="ann@example.com",
        phone_number="+447700900123",
        variables={"order": "A-17"},
    )
    assert {(m.channel, m.recipient, m.subject) for m in messages} == {
        (res.CHANNEL_EMAIL, "ann@example.com", "Order A-17 shipped"),
        (res.CHANNEL_SMS, "+447700900123", ""),
    }

    async def both_in_the_mailbox() -> bool:
        reply = await platform.notifications.ListMailboxMessages(
            pb.ListMailboxMessagesRequest(channel=res.CHANNEL_SMS), metadata=admin
        )
        return [e.text_body for e in reply.mailbox_messages] == ["Order A-17 shipped."]

    await eventually(both_in_the_mailbox)
    await platform.notifications.DeleteTemplate(
        pb.DeleteTemplateRequest(template_id="order-shipped"), metadata=admin
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await platform.notifications.GetTemplate(
            pb.GetTemplateRequest(template_id="order-shipped"), metadata=admin
        )
    assert reason_of(caught.value) == "TEMPLATE_NOT_FOUND"
    kept = await platform.notifications.GetMessage(
        pb.GetMessageRequest(message_id=messages[0].id), metadata=admin
    )
    assert kept.message.template_id == "order-shipped"  # messages outlive their template


async def test_an_update_changes_only_the_masked_fields(
    platform: Platform, admin: Metadata
) -> None:
    await create(platform, admin, "order-shipped")
    reply = await platform.notifications.UpdateTemplate(
        pb.UpdateTemplateRequest(
            template=res.Template(
                id="order-shipped",
                email=res.EmailContent(subject="Shipped: {{ order }}", text_body="ignored"),
            ),
            update_mask=FieldMask(paths=["email.subject"]),
        ),
        metadata=admin,
    )
    updated = reply.template
    assert updated.email.subject == "Shipped: {{ order }}"
    assert updated.email.text_body == ORDER_SHIPPED.email.text_body
    assert updated.sms == ORDER_SHIPPED.sms
    assert updated.update_time.ToDatetime() > updated.create_time.ToDatetime()
    [email, _] = await send(
        platform, "order-2", template_id="order-shipped", email_address="a@example.com",
        phone_number="+447700900123", variables={"order": "B-2"},
    )  # fmt: skip
    assert email.subject == "Shipped: B-2"


@sqlite_only
async def test_built_in_templates_can_be_edited_but_not_deleted(
    platform: Platform, admin: Metadata
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await platform.notifications.DeleteTemplate(
            pb.DeleteTemplateRequest(template_id="welcome"), metadata=admin
        )
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert reason_of(caught.value) == "TEMPLATE_BUILT_IN"
    await platform.notifications.UpdateTemplate(
        pb.UpdateTemplateRequest(
            template=res.Template(id="welcome", email=res.EmailContent(subject="Hi {{ email }}")),
            update_mask=FieldMask(paths=["email.subject"]),
        ),
        metadata=admin,
    )
    [message] = await send(platform, "w-1", template_id="welcome", email_address="z@example.com")
    assert message.subject == "Hi z@example.com"


@sqlite_only
async def test_templates_list_by_id_in_pages(platform: Platform, admin: Metadata) -> None:
    await create(platform, admin, "order-shipped")
    seen: list[res.Template] = []
    token = ""
    while True:
        reply = await platform.notifications.ListTemplates(
            pb.ListTemplatesRequest(page_size=2, page_token=token), metadata=admin
        )
        seen += reply.templates
        token = reply.next_page_token
        if not token:
            break
    ids = [t.id for t in seen]
    assert ids == sorted(ids)
    assert set(ids) == {spec.id for spec in BUILT_INS} | {"order-shipped"}
    billing = await platform.notifications.ListTemplates(
        pb.ListTemplatesRequest(category=res.CATEGORY_BILLING), metadata=admin
    )
    orders = ["order-cancelled", "order-confirmed"]
    receipts = ["payment-receipt", "refund-receipt"]
    assert [t.id for t in billing.templates] == [*orders, "order-shipped", *receipts]


@sqlite_only
async def test_a_template_that_does_not_render_is_refused_naming_the_field(
    platform: Platform, admin: Metadata
) -> None:
    broken = res.Template(
        category=res.CATEGORY_ACCOUNT,
        email=res.EmailContent(subject="Hi {{ name", text_body="ok"),
        sms=res.SmsContent(text="{% if x %}never closed"),
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await platform.notifications.CreateTemplate(
            pb.CreateTemplateRequest(template_id="broken", template=broken), metadata=admin
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(caught.value) == "TEMPLATE_INVALID"
    fields = {field for field, _ in violations_of(caught.value)}
    assert fields == {"template.email.subject", "template.sms.text"}
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await platform.notifications.GetTemplate(
            pb.GetTemplateRequest(template_id="broken"), metadata=admin
        )
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND


@sqlite_only
async def test_ids_are_unique_and_only_admins_manage_templates(
    platform: Platform, admin: Metadata
) -> None:
    await create(platform, admin, "order-shipped")
    with pytest.raises(grpc.aio.AioRpcError) as taken:
        await create(platform, admin, "order-shipped")
    assert reason_of(taken.value) == "TEMPLATE_ALREADY_EXISTS"
    user = await platform.as_user(await platform.user_token("ann@example.com"))
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await create(platform, user, "mine")
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED


@sqlite_only
async def test_variables_a_template_needs_are_listed_when_missing(
    platform: Platform, admin: Metadata
) -> None:
    await create(platform, admin, "order-shipped")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await send(platform, "o-3", template_id="order-shipped", email_address="a@example.com")
    assert reason_of(caught.value) == "TEMPLATE_VARIABLES_MISSING"
    assert "order" in rich_status(caught.value).message
    assert violations_of(caught.value) == [("variables[order]", "is required")]
