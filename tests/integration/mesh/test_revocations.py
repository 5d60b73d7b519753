"""Revocations over a real nats-server: loaded at start, followed live, fast."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import nats
import pytest
from nats.aio.client import Client as NATS

from mesh.auth.revocation_feed import RevocationWatcher, publish_revocation, revocations_bucket
from mesh.auth.revocations import Revocation, Revocations
from mesh.background import BackgroundLoopError
from mesh.errors import Unauthenticated
from tests.support.waiting import eventually


@pytest.fixture
async def nc(nats_server) -> AsyncIterator[NATS]:  # type: ignore[no-untyped-def]
    connection = await nats.connect(nats_server.url)
    try:
        yield connection
    finally:
        await connection.drain()


def refused(revocations: Revocations, user_id: str) -> bool:
    try:
        revocations.check(user_id, time.time())
    except Unauthenticated:
        return True
    return False


async def test_a_process_started_after_a_suspension_knows_it_before_serving(nc: NATS) -> None:
    user = f"u-{uuid.uuid4().hex}"
    await publish_revocation(nc, Revocation(user, time.time(), suspended=True))
    watcher = RevocationWatcher(nc, Revocations())
    await watcher.start()  # returns once the bucket's entries are loaded
    try:
        assert refused(watcher.revocations, user)
        await watcher.check()
    finally:
        await watcher.stop()


async def test_a_suspension_reaches_a_running_verifier_within_milliseconds(nc: NATS) -> None:
    watcher = RevocationWatcher(nc, Revocations())
    await watcher.start()
    try:
        delays = []
        for _ in range(20):
            user = f"u-{uuid.uuid4().hex}"
            started = time.perf_counter()
            await publish_revocation(nc, Revocation(user, time.time(), suspended=True))
            await eventually(lambda user=user: refused(watcher.revocations, user), timeout_s=5)  # type: ignore[misc]
            delays.append(time.perf_counter() - started)
        delays.sort()
        median_ms, max_ms = delays[10] * 1000, delays[-1] * 1000
        print(f"suspension → verifier: median {median_ms:.1f} ms, max {max_ms:.1f} ms")
        assert delays[-1] < 1.0
        lifted = Revocation(user, time.time() - 60, suspended=False)
        await publish_revocation(nc, lifted)
        await eventually(lambda: not refused(watcher.revocations, user), timeout_s=5)
    finally:
        await watcher.stop()


async def test_a_deleted_entry_is_forgotten(nc: NATS) -> None:
    user = f"u-{uuid.uuid4().hex}"
    watcher = RevocationWatcher(nc, Revocations())
    await watcher.start()
    try:
        await publish_revocation(nc, Revocation(user, time.time(), suspended=True))
        await eventually(lambda: refused(watcher.revocations, user), timeout_s=5)
        await (await revocations_bucket(nc)).delete(user)
        await eventually(lambda: not refused(watcher.revocations, user), timeout_s=5)
    finally:
        await watcher.stop()


async def test_stop_ends_the_watch_promptly(nc: NATS) -> None:
    watcher = RevocationWatcher(nc, Revocations())
    await watcher.start()
    async with asyncio.timeout(2):
        await watcher.stop()
    with pytest.raises(BackgroundLoopError, match="stopped"):
        await watcher.check()
