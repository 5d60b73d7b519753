"""PostgreSQL going away mid-load (as in a restart): the users service recovers by itself,
and every change it acknowledged reaches NATS through the outbox."""

from __future__ import annotations

import asyncio
import collections
import time
import uuid
from collections.abc import AsyncIterator, Awaitable

import grpc
import nats
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from mesh.events.subjects import stream_name, subject_for
from mesh.service import RunningService, start_service
from meshwork.users.v1 import events_pb2, resources_pb2, users_service_pb2, users_service_pb2_grpc
from services.users.bootstrap import MIGRATIONS, build
from services.users.config import UsersSettings
from tests.integration.users.conftest import Callers
from tests.support.tcp_proxy import TcpProxy
from tests.support.tokens import ISSUER, TestIssuer
from tests.support.waiting import eventually

RECOVERY_S = 30
OUTAGE_S = 2.0  # about what a PostgreSQL restart takes


@pytest.fixture
async def proxy(postgres_url: str) -> AsyncIterator[TcpProxy]:
    url = make_url(postgres_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    yield proxy
    await proxy.cut()


@pytest.fixture
async def users_behind_proxy(
    postgres_url: str, proxy: TcpProxy, nats_server, issuer: TestIssuer
) -> AsyncIterator[RunningService]:
    proxied = make_url(postgres_url).set(host="127.0.0.1", port=proxy.port)
    settings = UsersSettings(
        environment="test",
        database_url=proxied.render_as_string(hide_password=False),
        nats_url=nats_server.url,
        grpc_address="127.0.0.1:0",
        token_issuer=ISSUER,
        client_secret=SecretStr("users-test-secret"),
        shutdown_grace_s=0.5,
    )
    async with start_service(
        settings, build=build, migrations=MIGRATIONS, local_keys=issuer.jwks
    ) as running:
        yield running


async def test_the_service_recovers_from_a_database_outage_and_its_outbox_drains(
    users_behind_proxy: RunningService,
    proxy: TcpProxy,
    callers: Callers,
    nats_server,
) -> None:
    acknowledged: list[str] = []
    failed = 0
    cut = asyncio.Event()

    async with grpc.aio.insecure_channel(users_behind_proxy.address) as channel:
        stub = users_service_pb2_grpc.UsersServiceStub(channel)
        health = health_pb2_grpc.HealthStub(channel)

        async def create_one() -> bool:
            nonlocal failed
            user_id = f"u-{uuid.uuid4().hex[:12]}"
            request = users_service_pb2.CreateUserRequest(
                user_id=user_id, user=resources_pb2.User(email=f"{user_id}@example.com")
            )
            try:
                await stub.CreateUser(request, metadata=callers.service("identity"), timeout=5)
            except grpc.aio.AioRpcError:
                failed += 1
                return False
            acknowledged.append(user_id)
            return True

        async def load() -> None:
            while not cut.is_set() or len(acknowledged) < 40:
                await create_one()

        loader = asyncio.create_task(load())
        await eventually(lambda: len(acknowledged) >= 20)
        await proxy.cut()
        cut.set()
        down_at = time.monotonic()
        await eventually(lambda: failed > 0, timeout_s=10)  # the outage is felt
        await asyncio.sleep(OUTAGE_S)  # the fault's duration, not a wait for a condition
        await proxy.restore()

        async def serving_again() -> bool:
            reply = await health.Check(health_pb2.HealthCheckRequest(), timeout=2)
            return reply.status == health_pb2.HealthCheckResponse.SERVING and await create_one()

        await eventually(serving_again, timeout_s=RECOVERY_S)
        recovered_s = time.monotonic() - down_at
        await asyncio.wait_for(loader, timeout=RECOVERY_S)

    # every acknowledged creation is in the stream, once: a row the relay published just
    # before the cut is published again after it, and JetStream keeps one (Nats-Msg-Id)
    async def stored() -> list[str]:
        return await stored_user_ids(nats_server.url)

    await eventually(lambda: _covers(stored(), acknowledged), timeout_s=RECOVERY_S)
    counts = collections.Counter(await stored())
    assert [uid for uid in acknowledged if counts[uid] != 1] == []
    assert recovered_s < RECOVERY_S


async def _covers(ids: Awaitable[list[str]], wanted: list[str]) -> bool:
    return set(wanted) <= set(await ids)


async def stored_user_ids(url: str) -> list[str]:
    """The user id of every UserCreated the users stream holds, duplicates included."""
    connection = await nats.connect(url)
    try:
        js = connection.jetstream()
        subject = subject_for(events_pb2.UserCreated)
        info = await js.stream_info(stream_name("users"))
        subscription = await js.subscribe(subject, ordered_consumer=True)
        ids = []
        try:
            for _ in range(info.state.messages):
                try:
                    message = await subscription.next_msg(timeout=1)
                except nats.errors.TimeoutError:
                    break  # the rest are other events
                ids.append(events_pb2.UserCreated.FromString(message.data).user.id)
        finally:
            await subscription.unsubscribe()
    finally:
        await connection.close()
    return ids
