"""The outbox relay against real JetStream, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import nats
import pytest
import sqlalchemy as sa
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from mesh.db import UnitOfWork, create_engine, migrate, outbox_table
from mesh.events.envelope import EVENT_ID_HEADER, MSG_ID_HEADER, TYPE_HEADER, envelope_for
from mesh.events.health import EventsUnavailableError
from mesh.events.outbox import OutboxRelay, purge_sent
from mesh.events.streams import ensure_event_stream, ensure_stream
from mesh.events.subjects import stream_name

MIGRATIONS = Path(__file__).parent / "migrations_fixture"
STRING = descriptor_pb2.FieldDescriptorProto.TYPE_STRING


def make_event_type(service: str) -> type[Message]:
    """`meshwork.<service>.v1.ThingHappened`: a fresh event type, so each test owns its stream."""
    package = f"meshwork.{service}.v1"
    file = descriptor_pb2.FileDescriptorProto(
        name=f"meshwork/{service}/v1/events.proto", package=package, syntax="proto3"
    )
    message = file.message_type.add(name="ThingHappened")
    message.field.add(name="thing_id", number=1, type=STRING)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{package}.ThingHappened"))


@pytest.fixture
def service() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def thing_happened(service: str) -> type[Message]:
    return make_event_type(service)


@pytest.fixture
async def nc(nats_server) -> AsyncIterator[NATS]:
    connection = await nats.connect(nats_server.url)
    yield connection
    await connection.close()


@pytest.fixture
async def js(nc: NATS, service: str) -> AsyncIterator[JetStreamContext]:
    js = nc.jetstream()
    await ensure_event_stream(js, service)
    yield js
    await js.delete_stream(stream_name(service))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await migrate(database_url, MIGRATIONS)
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def commit_events(
    engine: AsyncEngine, *events: Message, relay: OutboxRelay | None = None
) -> list[str]:
    uow = UnitOfWork(
        engine, envelope_for=envelope_for, on_events_committed=relay.wake if relay else None
    )
    async with uow:
        ids = [uow.add_event(event) for event in events]
        await uow.commit()
    return ids


async def stream_messages(js: JetStreamContext, service: str) -> int:
    return (await js.stream_info(stream_name(service))).state.messages


async def unsent(engine: AsyncEngine) -> int:
    query = sa.select(sa.func.count()).where(outbox_table.c.sent_at.is_(None))
    async with engine.connect() as connection:
        return int(await connection.scalar(query) or 0)


async def install_crash_before_marking_sent(engine: AsyncEngine) -> None:
    """Makes stamping `sent_at` fail: the relay dies after publishing, before recording it."""
    async with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            await connection.exec_driver_sql(
                "CREATE TRIGGER relay_crash BEFORE UPDATE OF sent_at ON mesh_outbox "
                "BEGIN SELECT RAISE(ABORT, 'relay crashed'); END"
            )
            return
        await connection.exec_driver_sql(
            "CREATE FUNCTION relay_crash() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'relay crashed'; END $$"
        )
        await connection.exec_driver_sql(
            "CREATE TRIGGER relay_crash BEFORE UPDATE OF sent_at ON mesh_outbox "
            "FOR EACH ROW EXECUTE FUNCTION relay_crash()"
        )


async def remove_crash(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.exec_driver_sql(
            "DROP TRIGGER relay_crash"
            + ("" if engine.dialect.name == "sqlite" else " ON mesh_outbox")
        )


# Exactly once in the stream


async def test_event_is_published_once_even_if_the_relay_dies_before_marking_it_sent(
    engine: AsyncEngine, nc: NATS, js: JetStreamContext, service: str, thing_happened
) -> None:
    [event_id] = await commit_events(engine, thing_happened(thing_id="t1"))
    await install_crash_before_marking_sent(engine)

    with pytest.raises(DBAPIError, match="relay crashed"):
        await OutboxRelay(engine, nc).publish_pending()
    assert await stream_messages(js, service) == 1
    assert await unsent(engine) == 1

    await remove_crash(engine)
    assert await OutboxRelay(engine, nc).publish_pending() == 1  # a fresh relay after restart

    assert await stream_messages(js, service) == 1
    assert await unsent(engine) == 0
    subscription = await js.pull_subscribe(f"events.{service}.>", stream=stream_name(service))
    received = await subscription.fetch(10, timeout=2)
    assert [m.headers[MSG_ID_HEADER] for m in received] == [event_id]
    assert thing_happened.FromString(received[0].data).thing_id == "t1"


async def test_rolled_back_transaction_publishes_nothing(
    engine: AsyncEngine, nc: NATS, js: JetStreamContext, service: str, thing_happened
) -> None:
    uow = UnitOfWork(engine, envelope_for=envelope_for)
    with pytest.raises(LookupError):
        async with uow:
            uow.add_event(thing_happened(thing_id="t1"))
            raise LookupError("use case failed")
    async with uow:
        uow.add_event(thing_happened(thing_id="t2"))
        await uow.rollback()

    assert await OutboxRelay(engine, nc).publish_pending() == 0
    assert await stream_messages(js, service) == 0


async def test_concurrent_relays_publish_each_event_once_and_in_order(
    engine: AsyncEngine, nc: NATS, js: JetStreamContext, service: str, thing_happened
) -> None:
    ids = await commit_events(engine, *(thing_happened(thing_id=str(n)) for n in range(30)))
    relays = [OutboxRelay(engine, nc, batch_size=4) for _ in range(3)]

    async def relay_until_empty(relay: OutboxRelay) -> None:
        while await unsent(engine):
            await relay.publish_pending()

    await asyncio.gather(*(relay_until_empty(relay) for relay in relays))

    name = stream_name(service)
    assert await stream_messages(js, service) == 30
    stored = [await js.get_msg(name, seq) for seq in range(1, 31)]
    assert [m.headers[MSG_ID_HEADER] for m in stored] == ids


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SKIP LOCKED claims
async def test_a_relay_whose_claim_skipped_a_row_locked_by_another_publishes_only_up_to_it(
    engine: AsyncEngine, nc: NATS, js: JetStreamContext, service: str, thing_happened
) -> None:
    """Claims running side by side can interleave (each skips the rows the other locked), so a
    relay may hold the oldest row and also rows after one another relay holds."""
    ids = await commit_events(engine, *(thing_happened(thing_id=str(n)) for n in range(5)))
    positions = await _scalars(engine, sa.select(outbox_table.c.position).order_by("position"))
    async with engine.begin() as other_relay:  # holds the second row, as a racing claim would
        held = sa.select(outbox_table).where(outbox_table.c.position == positions[1])
        await other_relay.execute(held.with_for_update())

        assert await OutboxRelay(engine, nc).publish_pending() == 1

        assert await stream_messages(js, service) == 1
    assert await OutboxRelay(engine, nc).publish_pending() == 4
    stored = [await js.get_msg(stream_name(service), seq) for seq in range(1, 6)]
    assert [m.headers[MSG_ID_HEADER] for m in stored] == ids


async def _scalars(engine: AsyncEngine, query: sa.Select) -> list:
    async with engine.connect() as connection:
        return list((await connection.execute(query)).scalars())


# Relay loop


async def test_relay_publishes_right_after_a_commit_without_waiting_for_the_poll(
    engine: AsyncEngine, nc: NATS, js: JetStreamContext, service: str, thing_happened
) -> None:
    relay = OutboxRelay(engine, nc, poll_interval_s=3600)
    subscription = await js.pull_subscribe(f"events.{service}.>", stream=stream_name(service))
    await relay.start()
    try:
        received = []
        # The first event may ride on the relay's start-up round; the second, committed once
        # the first is out, can only go out because the commit woke the relay.
        for thing_id in ("t1", "t2"):
            await commit_events(engine, thing_happened(thing_id=thing_id), relay=relay)
            received += await subscription.fetch(1, timeout=5)  # far below the hour-long poll
    finally:
        await relay.stop()
    assert [thing_happened.FromString(m.data).thing_id for m in received] == ["t1", "t2"]


async def test_a_commit_in_another_process_wakes_a_postgresql_relay_by_notify(
    postgres_url: str, nc: NATS, js: JetStreamContext, service: str, thing_happened
) -> None:
    await migrate(postgres_url, MIGRATIONS)
    writer, relays = create_engine(postgres_url), create_engine(postgres_url)  # two processes'
    relay = OutboxRelay(relays, nc, poll_interval_s=3600)
    subscription = await js.pull_subscribe(f"events.{service}.>", stream=stream_name(service))
    await relay.start()
    try:
        received = []
        for thing_id in ("t1", "t2"):  # committed with no in-process wake
            await commit_events(writer, thing_happened(thing_id=thing_id))
            received += await subscription.fetch(1, timeout=5)  # far below the hour-long poll
    finally:
        await relay.stop()
        await writer.dispose()
        await relays.dispose()
    assert [thing_happened.FromString(m.data).thing_id for m in received] == ["t1", "t2"]


async def test_published_event_carries_type_id_and_trace_context(
    engine: AsyncEngine, nc: NATS, js: JetStreamContext, service: str, thing_happened
) -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("create thing") as span:
        [event_id] = await commit_events(engine, thing_happened(thing_id="t1"))
    await OutboxRelay(engine, nc).publish_pending()

    stored = await js.get_msg(stream_name(service), 1)
    assert stored.subject == f"events.{service}.v1.ThingHappened"
    assert stored.headers[TYPE_HEADER] == f"meshwork.{service}.v1.ThingHappened"
    assert stored.headers[MSG_ID_HEADER] == stored.headers[EVENT_ID_HEADER] == event_id
    trace_id = format(span.get_span_context().trace_id, "032x")
    assert stored.headers["traceparent"].split("-")[1] == trace_id


async def test_relay_reports_unhealthy_when_nats_is_gone(engine: AsyncEngine, nats_server) -> None:
    connection = await nats.connect(nats_server.url)
    relay = OutboxRelay(engine, connection, poll_interval_s=3600)
    assert not relay.healthy  # not started
    await relay.start()
    assert relay.healthy
    await relay.check()

    await connection.close()
    assert not relay.healthy
    with pytest.raises(EventsUnavailableError, match="not connected to NATS"):
        await relay.check()
    await relay.stop()


# Retention


async def test_sent_rows_older_than_retention_are_purged_and_unsent_rows_kept(
    engine: AsyncEngine, nc: NATS, js: JetStreamContext, thing_happened
) -> None:
    await commit_events(engine, thing_happened(thing_id="sent"))
    await OutboxRelay(engine, nc).publish_pending()
    await commit_events(engine, thing_happened(thing_id="unsent"))

    assert await purge_sent(engine, older_than=timedelta(days=1)) == 0
    assert await purge_sent(engine, older_than=timedelta(0)) == 1

    async with engine.connect() as connection:
        assert (await connection.execute(sa.select(outbox_table))).one().sent_at is None


# Streams


async def test_ensure_stream_is_idempotent_and_applies_a_changed_duplicate_window(
    nc: NATS, service: str
) -> None:
    js = nc.jetstream()
    name = f"IDEMPOTENT_{service.upper()}"
    await ensure_stream(js, name, [f"{service}.>"], duplicate_window_s=60)
    await ensure_stream(js, name, [f"{service}.>"], duplicate_window_s=60)
    info = await ensure_stream(js, name, [f"{service}.>"], duplicate_window_s=30)
    try:
        assert info.config.duplicate_window == 30
        assert info.config.storage == "file"
    finally:
        await js.delete_stream(name)
