"""kill -9 in the middle of a burst of sign-ups: every welcome email arrives, exactly once."""

from __future__ import annotations

import asyncio
import collections
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from mesh.db import create_engine
from meshwork.users.v1 import resources_pb2 as users_resources
from meshwork.users.v1 import users_service_pb2
from services.notifications.orm import messages_table
from tests.integration.notifications.conftest import (
    DEV_SECRET,
    Platform,
    running_platform,
)
from tests.support import subprocess_env
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

USERS = 200
FIRST_HALF = USERS // 2


class NotificationsProcess:
    """`python -m services.notifications` as a child process that can be killed and restarted.

    Its output goes to the test's own (pytest captures it and shows it if the test fails).
    """

    def __init__(self, env: dict[str, str]) -> None:
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "services.notifications"], env=self._env
        )

    def kill(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)
        self._process.wait(timeout=10)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


@pytest.fixture
async def platform(tmp_path: Path, nats_url: str) -> AsyncIterator[Platform]:
    """identity and users in-process; notifications runs as a separate process."""
    async with running_platform(tmp_path, nats_url, None) as platform:
        yield platform


@pytest.fixture
def notifications(
    nats_url: str, database_url: str, smtp_sink: SmtpSink, platform: Platform
) -> Iterator[NotificationsProcess]:
    env = subprocess_env(
        NOTIFICATIONS_GRPC_ADDRESS="127.0.0.1:0",  # a port of its own at each start
        NOTIFICATIONS_DATABASE_URL=database_url,
        MESHWORK_NATS_URL=nats_url,
        NOTIFICATIONS_EMAIL_TRANSPORT="smtp",
        NOTIFICATIONS_SMTP_HOST="127.0.0.1",
        NOTIFICATIONS_SMTP_PORT=str(smtp_sink.port),
        MESHWORK_USERS_ADDRESS=platform.users_address,
        MESHWORK_IDENTITY_ADDRESS=platform.identity_address,
        NOTIFICATIONS_CLIENT_SECRET=DEV_SECRET,
        NOTIFICATIONS_LOG_JSON="false",
        NOTIFICATIONS_LOG_LEVEL="WARNING",
        NOTIFICATIONS_DISPATCH_LEASE_S="2",
        NOTIFICATIONS_SMTP_TIMEOUT_S="1",
        NOTIFICATIONS_SMS_TIMEOUT_S="1",
        NOTIFICATIONS_RETRY_INITIAL_DELAY_S="0.05",
        NOTIFICATIONS_RETRY_MAX_DELAY_S="0.5",
        NOTIFICATIONS_EVENT_ACK_WAIT_S="1",
    )
    process = NotificationsProcess(env)
    try:
        yield process
    finally:
        process.stop()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # a process is slow to start
async def test_a_killed_process_loses_and_doubles_no_welcome_email(
    platform: Platform,
    notifications: NotificationsProcess,
    smtp_sink: SmtpSink,
    database_url: str,
) -> None:
    emails = [f"user-{index:03d}@example.com" for index in range(USERS)]
    notifications.start()
    await _create_users(platform, emails[:FIRST_HALF])
    await eventually(lambda: len(smtp_sink.messages()) >= 10, timeout_s=30)
    notifications.kill()
    arrived_before_the_kill = len(smtp_sink.messages())
    await _create_users(platform, emails[FIRST_HALF:])  # while notifications is down
    notifications.start()
    await eventually(lambda: len({m.to for m in smtp_sink.messages()}) == USERS, timeout_s=60)
    await eventually(lambda: _all_settled(database_url), timeout_s=30)
    notifications.stop()

    per_recipient = collections.Counter(m.to for m in smtp_sink.messages())
    assert arrived_before_the_kill < USERS
    assert set(per_recipient) == set(emails)
    assert [to for to, count in per_recipient.items() if count != 1] == []
    assert all(m.subject.startswith("Welcome to Meshwork") for m in smtp_sink.messages())


async def _create_users(platform: Platform, emails: list[str]) -> None:
    """Creates profiles as identity does at sign-up: each one's UserCreated goes through the
    users service's outbox to JetStream."""
    metadata = await platform.as_service("identity", "users")
    limit = asyncio.Semaphore(16)

    async def create(email: str) -> None:
        name = email.split("@")[0]
        user = users_resources.User(email=email, display_name=name)
        request = users_service_pb2.CreateUserRequest(user_id=f"id-{name}", user=user)
        async with limit:
            await platform.users.CreateUser(request, metadata=metadata)

    await asyncio.gather(*(create(email) for email in emails))


async def _all_settled(database_url: str) -> bool:
    """Every welcome message is SENT and no sender holds one: nothing is left to send."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    sa.select(messages_table.c.state, messages_table.c.lease_token)
                )
            ).all()
    finally:
        await engine.dispose()
    return len(rows) == USERS and all(r.state == "SENT" and r.lease_token is None for r in rows)
