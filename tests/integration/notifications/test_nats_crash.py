"""kill -9 of nats-server in the middle of a burst of sign-ups: no acknowledged event is lost,
and every new user gets exactly one welcome email once NATS is back."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats as nats_py
import pytest

from mesh.bundled_nats import BundledNatsServer
from mesh.events.subjects import stream_name
from tests.integration.notifications.conftest import (
    Platform,
    notifications_settings,
    running_platform,
)
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

SIGN_UPS = 40


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[BundledNatsServer]:
    server = BundledNatsServer(tmp_path / "nats")  # on a file store, synced before each ack
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def platform(
    tmp_path: Path, nats: BundledNatsServer, smtp_sink: SmtpSink
) -> AsyncIterator[Platform]:
    settings = notifications_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}",
        nats.url,
        email_transport="smtp",
        smtp_port=smtp_sink.port,
    )
    async with running_platform(tmp_path, nats.url, settings) as platform:
        yield platform


async def test_a_killed_nats_server_loses_no_event_and_doubles_no_welcome_email(
    platform: Platform, nats: BundledNatsServer, smtp_sink: SmtpSink
) -> None:
    emails = [f"burst-{index:02d}@example.com" for index in range(SIGN_UPS)]
    limit = asyncio.Semaphore(8)
    signed_up: list[str] = []

    async def sign_up(email: str) -> None:
        async with limit:
            await platform.sign_up(email)
            signed_up.append(email)

    burst = [asyncio.create_task(sign_up(email)) for email in emails]
    await eventually(lambda: len(smtp_sink.messages(subject="Welcome")) >= 3, timeout_s=30)
    nats.kill()  # mid-burst: some events acknowledged, some in flight, some not yet written
    await eventually(lambda: len(signed_up) >= SIGN_UPS // 2, timeout_s=60)
    nats.start()  # the same port and store: what was acknowledged must be there
    await asyncio.gather(*burst)  # sign-ups never needed NATS: their events wait in the outbox

    def welcomed() -> collections.Counter[str]:
        return collections.Counter(m.to for m in smtp_sink.messages(subject="Welcome"))

    await eventually(lambda: set(welcomed()) == set(emails), timeout_s=90)
    await eventually(lambda: nothing_left_to_deliver(nats.url), timeout_s=30)
    assert [to for to, count in welcomed().items() if count != 1] == []


async def nothing_left_to_deliver(url: str) -> bool:
    """Every consumer of the users stream has had every event and acknowledged it: no
    redelivery (the only way a second email could come) is still possible."""
    connection = await nats_py.connect(url)
    try:
        infos = await connection.jetstream().consumers_info(stream_name("users"))
    finally:
        await connection.close()
    return bool(infos) and all(i.num_pending == 0 and i.num_ack_pending == 0 for i in infos)
