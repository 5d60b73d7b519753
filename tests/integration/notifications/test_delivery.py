"""Delivery over SMTP: retries with backoff while the server is down, FAILED when refused."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from meshwork.notifications.v1 import notifications_service_pb2 as pb
from meshwork.notifications.v1 import resources_pb2
from tests.integration.notifications.conftest import (
    Metadata,
    Platform,
    SmtpSink,
    notifications_settings,
    running_platform,
)
from tests.support.waiting import eventually


@pytest.fixture
async def platform(
    tmp_path: Path, nats_url: str, database_url: str, smtp_sink: SmtpSink
) -> AsyncIterator[Platform]:
    settings = notifications_settings(
        database_url, nats_url, email_transport="smtp", smtp_port=smtp_sink.port, max_attempts=30
    )
    async with running_platform(tmp_path, nats_url, settings) as platform:
        yield platform


@pytest.fixture
async def admin(platform: Platform) -> Metadata:
    return await platform.as_admin()


async def send(platform: Platform, to: str, key: str) -> resources_pb2.Message:
    reply = await platform.notifications.SendNotification(
        pb.SendNotificationRequest(
            idempotency_key=key,
            template_id="welcome",
            email_address=to,
            variables={"display_name": "Bob"},
        ),
        metadata=await platform.as_service("identity", "notifications"),
    )
    [message] = reply.messages
    return message


async def attempts_of(
    platform: Platform, message_id: str, admin: Metadata
) -> list[resources_pb2.DeliveryAttempt]:
    reply = await platform.notifications.ListDeliveryAttempts(
        pb.ListDeliveryAttemptsRequest(message_id=message_id), metadata=admin
    )
    return list(reply.delivery_attempts)


async def message_of(platform: Platform, message_id: str, admin: Metadata) -> resources_pb2.Message:
    reply = await platform.notifications.GetMessage(
        pb.GetMessageRequest(message_id=message_id), metadata=admin
    )
    return reply.message


async def test_a_message_waits_out_an_smtp_outage_and_is_delivered_once(
    platform: Platform, smtp_sink: SmtpSink, admin: Metadata
) -> None:
    smtp_sink.stop()
    queued = await send(platform, "bob@example.com", "outage-1")
    assert queued.state == resources_pb2.MESSAGE_STATE_QUEUED

    async def failed_thrice() -> bool:
        attempts = await attempts_of(platform, queued.id, admin)
        return sum(a.outcome == resources_pb2.DELIVERY_OUTCOME_FAILED for a in attempts) >= 3

    await eventually(failed_thrice)
    smtp_sink.start()

    async def sent() -> bool:
        message = await message_of(platform, queued.id, admin)
        return message.state == resources_pb2.MESSAGE_STATE_SENT

    await eventually(sent)
    attempts = await attempts_of(platform, queued.id, admin)
    *failures, success = attempts
    assert all(a.outcome == resources_pb2.DELIVERY_OUTCOME_FAILED for a in failures)
    assert all("Error" in a.error or "connect" in a.error.lower() for a in failures)
    assert success.outcome == resources_pb2.DELIVERY_OUTCOME_SUCCEEDED
    assert success.provider_message_id == f"<{queued.id}@meshwork.local>"
    starts = [a.start_time.ToDatetime() for a in attempts]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(starts)]
    assert gaps[1] >= 0.05 and gaps[2] >= 0.1  # backoff: at least half of 0.1 s, 0.2 s
    [delivered] = smtp_sink.messages("bob@example.com")
    assert delivered.email["Message-ID"] == success.provider_message_id


async def test_an_address_the_server_refuses_ends_failed_with_its_error(
    platform: Platform, smtp_sink: SmtpSink, admin: Metadata
) -> None:
    smtp_sink.rejecting.add("ghost@example.com")
    queued = await send(platform, "ghost@example.com", "refused-1")

    async def failed() -> bool:
        message = await message_of(platform, queued.id, admin)
        return message.state == resources_pb2.MESSAGE_STATE_FAILED

    await eventually(failed)
    message = await message_of(platform, queued.id, admin)
    assert message.last_error.startswith("550 5.1.1")
    assert "unknown mailbox" in message.last_error
    [attempt] = await attempts_of(platform, queued.id, admin)
    assert attempt.error == message.last_error
    assert smtp_sink.messages("ghost@example.com") == []
