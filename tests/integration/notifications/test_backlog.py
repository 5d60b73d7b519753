"""A backlog of messages (after an outage of the sender) drains at full speed: no round
waits on the database connections its own deliveries hold."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from meshwork.notifications.v1 import notifications_service_pb2 as pb
from meshwork.notifications.v1 import resources_pb2
from tests.integration.notifications.conftest import (
    Platform,
    notifications_settings,
    running_platform,
)
from tests.support.waiting import eventually

BACKLOG = 48  # three rounds of 16, each more deliveries at once than the pool has connections


@pytest.fixture
async def platform(tmp_path: Path, nats_url: str, database_url: str) -> AsyncIterator[Platform]:
    settings = notifications_settings(database_url, nats_url, email_transport="mailbox")
    async with running_platform(tmp_path, nats_url, settings) as platform:
        yield platform


async def test_a_backlog_on_the_mailbox_drains_with_one_attempt_per_message(
    platform: Platform,
) -> None:
    assert platform.running is not None
    [sender] = [c for c in platform.running.built.consumers if c.name == "notifications-sender"]
    await sender.stop()  # an outage: messages pile up
    identity = await platform.as_service("identity", "notifications")
    limit = asyncio.Semaphore(8)

    async def send(index: int) -> str:
        request = pb.SendNotificationRequest(
            idempotency_key=f"backlog-{index}",
            template_id="welcome",
            email_address=f"reader-{index}@example.com",
            variables={"display_name": "Reader"},
        )
        async with limit:
            reply = await platform.notifications.SendNotification(request, metadata=identity)
        return str(reply.messages[0].id)

    ids = await asyncio.gather(*(send(index) for index in range(BACKLOG)))
    await sender.start()
    admin = await platform.as_admin()

    async def message(message_id: str) -> resources_pb2.Message:
        reply = await platform.notifications.GetMessage(
            pb.GetMessageRequest(message_id=message_id), metadata=admin
        )
        return reply.message

    async def all_sent() -> bool:
        states = [(await message(i)).state for i in ids]
        return all(state == resources_pb2.MESSAGE_STATE_SENT for state in states)

    await eventually(all_sent, timeout_s=20)
    attempts = [(await message(i)).attempt_count for i in ids]
    assert attempts == [1] * BACKLOG  # none timed out waiting for a connection
