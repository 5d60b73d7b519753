"""Template mutations with an idempotency key: a retry gets the first answer, not an error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask

from meshwork.notifications.v1 import notifications_service_pb2 as pb
from meshwork.notifications.v1 import resources_pb2 as res
from tests.integration.notifications.conftest import (
    Platform,
    notifications_settings,
    running_platform,
)
from tests.integration.notifications.test_templates import ORDER_SHIPPED
from tests.integration.users.conftest import reason_of
from tests.support.status import refusal


@pytest.fixture
async def platform(tmp_path: Path, nats_url: str, database_url: str) -> AsyncIterator[Platform]:
    async with running_platform(
        tmp_path, nats_url, notifications_settings(database_url, nats_url)
    ) as platform:
        yield platform


async def test_a_retried_template_creation_replays_the_first_answer(platform: Platform) -> None:
    keyed = (*await platform.as_admin(), ("idempotency-key", "template-1"))
    request = pb.CreateTemplateRequest(template_id="order-shipped", template=ORDER_SHIPPED)

    first = await platform.notifications.CreateTemplate(request, metadata=keyed)
    again = await platform.notifications.CreateTemplate(request, metadata=keyed)

    assert again == first
    other = pb.CreateTemplateRequest(template_id="order-lost", template=ORDER_SHIPPED)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await platform.notifications.CreateTemplate(other, metadata=keyed)
    assert (refused.value.code(), reason_of(refused.value)) == (
        grpc.StatusCode.INVALID_ARGUMENT, "IDEMPOTENCY_KEY_REUSED",
    )  # fmt: skip


async def test_a_retried_template_update_and_deletion_replay_their_answers(
    platform: Platform,
) -> None:
    admin = await platform.as_admin()
    create = pb.CreateTemplateRequest(template_id="order-shipped", template=ORDER_SHIPPED)
    await platform.notifications.CreateTemplate(create, metadata=admin)
    change = res.Template(id="order-shipped", email=res.EmailContent(subject="Shipped"))
    update = pb.UpdateTemplateRequest(
        template=change, update_mask=FieldMask(paths=["email.subject"])
    )
    delete = pb.DeleteTemplateRequest(template_id="order-shipped")
    update_key = (*admin, ("idempotency-key", "update-1"))
    delete_key = (*admin, ("idempotency-key", "delete-1"))

    updated = await platform.notifications.UpdateTemplate(update, metadata=update_key)
    assert await platform.notifications.UpdateTemplate(update, metadata=update_key) == updated
    await platform.notifications.DeleteTemplate(delete, metadata=delete_key)
    again = await platform.notifications.DeleteTemplate(delete, metadata=delete_key)

    assert again == pb.DeleteTemplateResponse()  # replayed, not TEMPLATE_NOT_FOUND
    other = pb.DeleteTemplateRequest(template_id="welcome")
    assert await refusal(platform.notifications.DeleteTemplate(other, metadata=delete_key)) == (
        grpc.StatusCode.INVALID_ARGUMENT, "IDEMPOTENCY_KEY_REUSED",
    )  # fmt: skip
