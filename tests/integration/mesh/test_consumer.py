"""Durable consumers on real JetStream: handled once, retried with backoff, dead-lettered."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import nats
import pytest
import sqlalchemy as sa
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy.ext.asyncio import AsyncEngine

from mesh.context import current_request_id, request_id_var
from mesh.db import UnitOfWork, create_engine, migrate
from mesh.events.consumer import Consumer
from mesh.events.envelope import MSG_ID_HEADER, Envelope, envelope_for
from mesh.events.health import EventsUnavailableError
from mesh.events.outbox import OutboxRelay
from mesh.events.redelivery import RedeliveryPolicy
from mesh.events.streams import ensure_event_stream
from mesh.events.subjects import DEAD_LETTER_STREAM, dead_letter_subject, stream_name
from tests.support.waiting import eventually

MIGRATIONS = Path(__file__).parent / "migrations_fixture"
STRING = descriptor_pb2.FieldDescriptorProto.TYPE_STRING
widgets = sa.table("widgets", sa.column("id"), sa.column("name"))
#: Short enough that a lost ack is redelivered quickly, long enough for a handler to finish.
ACK_WAIT_S = 0.5


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


class Recorder:
    """A handler that stores a widget per event and fails on the things named `poison`."""

    def __init__(self) -> None:
        self.handled: list[str] = []
        self.attempts: dict[str, int] = {}
        self.seen: list[dict[str, Any]] = []
        self.changed = asyncio.Condition()

    async def __call__(self, envelope: Envelope, event: Any, uow: UnitOfWork) -> None:
        self.attempts[event.thing_id] = self.attempts.get(event.thing_id, 0) + 1
        self.seen.append(
            {
                "trace_id": trace.get_current_span().get_span_context().trace_id,
                "request_id": current_request_id(),
            }
        )
        if event.thing_id == "poison":
            await self._notify()
            raise ValueError("cannot handle\r\npoison")
        await uow.connection.execute(
            sa.insert(widgets).values(id=str(uuid.uuid4()), name=event.thing_id)
        )
        self.handled.append(event.thing_id)
        await self._notify()

    async def wait_for(self, predicate: Callable[[], bool], timeout_s: float = 10) -> None:
        async with asyncio.timeout(timeout_s), self.changed:
            await self.changed.wait_for(predicate)

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()


class AckLost:
    """A delivered message whose ack never reaches the server (the worker died after commit)."""

    def __init__(self, msg: Msg) -> None:
        self._msg = msg

    def __getattr__(self, name: str) -> Any:
        return getattr(self._msg, name)

    async def ack(self) -> None:
        pass


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


async def _migrated_engine(url: str) -> AsyncEngine:
    await migrate(url, MIGRATIONS)
    return create_engine(url)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = await _migrated_engine(f"sqlite+aiosqlite:///{tmp_path / 'consumer.db'}")
    yield engine
    await engine.dispose()


@pytest.fixture
async def any_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = await _migrated_engine(database_url)
    yield engine
    await engine.dispose()


def make_consumer(
    nc: NATS, engine: AsyncEngine, event_type: type[Message], handler: Recorder, **options: Any
) -> Consumer:
    options.setdefault("ack_wait_s", ACK_WAIT_S)
    return Consumer(
        nc,
        lambda: UnitOfWork(engine, envelope_for=envelope_for),
        name=f"c-{uuid.uuid4().hex[:12]}",
        handlers={event_type: handler},
        fetch_timeout_s=0.2,
        **options,
    )


async def emit(engine: AsyncEngine, nc: NATS, *events: Message) -> None:
    """Commits `events` through the outbox and relays them to the stream."""
    async with UnitOfWork(engine, envelope_for=envelope_for) as uow:
        for event in events:
            uow.add_event(event)
        await uow.commit()
    await OutboxRelay(engine, nc).publish_pending()


async def widget_names(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.scalars(sa.select(widgets.c.name))).all())


def all_acked(js: JetStreamContext, consumer: Consumer) -> Callable[[], Awaitable[bool]]:
    async def condition() -> bool:
        info = await js.consumer_info(consumer.stream, consumer.name)
        return info.num_pending == 0 and info.num_ack_pending == 0

    return condition


# Handled once


async def test_event_redelivered_after_a_lost_ack_is_handled_once(
    any_engine: AsyncEngine, nc: NATS, js: JetStreamContext, thing_happened
) -> None:
    recorder = Recorder()
    consumer = make_consumer(nc, any_engine, thing_happened, recorder)
    await emit(any_engine, nc, thing_happened(thing_id="t1"))
    await consumer.declare()
    worker = await js.pull_subscribe_bind(durable=consumer.name, stream=consumer.stream)
    [delivered] = await worker.fetch(1, timeout=5)
    await worker.unsubscribe()
    await consumer.process(AckLost(delivered))  # effects committed, ack lost

    await consumer.start()  # JetStream redelivers after ack_wait
    await eventually(all_acked(js, consumer))
    await consumer.stop()

    info = await js.consumer_info(consumer.stream, consumer.name)
    assert info.delivered.consumer_seq == 2  # delivered twice...
    assert recorder.handled == ["t1"]  # ...handled once
    assert await widget_names(any_engine) == ["t1"]


async def test_same_event_published_twice_past_deduplication_is_handled_once(
    engine: AsyncEngine, nc: NATS, js: JetStreamContext, thing_happened
) -> None:
    envelope = envelope_for(thing_happened(thing_id="t1"))
    for copy in ("first", "second"):  # e.g. a relay re-publishing after the duplicate window
        await js.publish(envelope.subject, envelope.payload, headers={
            **envelope.headers, MSG_ID_HEADER: f"{envelope.event_id}-{copy}"
        })  # fmt: skip
    recorder = Recorder()
    consumer = make_consumer(nc, engine, thing_happened, recorder)

    await consumer.start()
    await eventually(all_acked(js, consumer))
    await consumer.stop()

    info = await js.consumer_info(consumer.stream, consumer.name)
    assert info.delivered.stream_seq == 2
    assert recorder.handled == ["t1"]
    assert await widget_names(engine) == ["t1"]


# Failures


async def test_failing_message_is_dead_lettered_after_max_attempts_and_others_keep_flowing(
    engine: AsyncEngine, nc: NATS, js: JetStreamContext, service: str, thing_happened
) -> None:
    recorder = Recorder()
    policy = RedeliveryPolicy(max_attempts=3, initial_delay_s=0.05, max_delay_s=0.2)
    consumer = make_consumer(nc, engine, thing_happened, recorder, redelivery=policy)
    await emit(engine, nc, thing_happened(thing_id="poison"), thing_happened(thing_id="good"))
    await consumer.start()
    dead_letters = await js.pull_subscribe(
        dead_letter_subject(consumer.name, ">"), stream=DEAD_LETTER_STREAM
    )

    [dead] = await dead_letters.fetch(1, timeout=10)
    await emit(engine, nc, thing_happened(thing_id="after"))
    await recorder.wait_for(lambda: recorder.handled == ["good", "after"])
    await eventually(all_acked(js, consumer))
    await consumer.stop()

    assert recorder.attempts["poison"] == 3
    assert dead.subject == f"deadletter.{consumer.name}.events.{service}.v1.ThingHappened"
    assert thing_happened.FromString(dead.data).thing_id == "poison"
    assert dead.headers["Meshwork-Dead-Letter-Consumer"] == consumer.name
    assert dead.headers["Meshwork-Dead-Letter-Error"] == "ValueError: cannot handle poison"
    assert dead.headers["Meshwork-Dead-Letter-Attempts"] == "3"
    assert dead.headers["Meshwork-Original-Subject"] == f"events.{service}.v1.ThingHappened"
    assert dead.headers["Meshwork-Original-Stream"] == stream_name(service)
    assert dead.headers["Meshwork-Original-Sequence"] == "1"
    assert dead.headers["Meshwork-Type"] == f"meshwork.{service}.v1.ThingHappened"


# Context


async def test_handler_runs_in_the_trace_and_request_of_the_emitting_call(
    engine: AsyncEngine, nc: NATS, js: JetStreamContext, thing_happened
) -> None:
    recorder = Recorder()
    consumer = make_consumer(nc, engine, thing_happened, recorder)
    tracer = TracerProvider().get_tracer("test")
    token = request_id_var.set("req-42")
    try:
        with tracer.start_as_current_span("create thing") as span:
            await emit(engine, nc, thing_happened(thing_id="t1"))
    finally:
        request_id_var.reset(token)

    await consumer.start()
    await recorder.wait_for(lambda: recorder.handled == ["t1"])
    await consumer.stop()

    assert recorder.seen == [{"trace_id": span.get_span_context().trace_id, "request_id": "req-42"}]


# Lifecycle


async def test_stop_lets_the_message_in_flight_finish_and_ack(
    engine: AsyncEngine, nc: NATS, js: JetStreamContext, thing_happened
) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    recorder = Recorder()

    async def slow_handler(envelope: Envelope, event: Any, uow: UnitOfWork) -> None:
        started.set()
        await release.wait()
        await recorder(envelope, event, uow)

    consumer = make_consumer(nc, engine, thing_happened, slow_handler)  # type: ignore[arg-type]
    await emit(engine, nc, thing_happened(thing_id="t1"))
    await consumer.start()
    await started.wait()

    stopping = asyncio.create_task(consumer.stop())
    for _ in range(5):
        await asyncio.sleep(0)  # let stop() run up to where it waits for the handler
    assert not stopping.done()
    release.set()
    await stopping

    assert recorder.handled == ["t1"]
    await eventually(all_acked(js, consumer))  # the server settles acks asynchronously


async def test_consumer_reports_unhealthy_when_nats_is_gone(
    engine: AsyncEngine, nats_server, js: JetStreamContext, thing_happened
) -> None:
    connection = await nats.connect(nats_server.url)
    consumer = make_consumer(connection, engine, thing_happened, Recorder())
    assert not consumer.healthy  # not started
    await consumer.start()
    assert consumer.healthy
    await consumer.check()

    await connection.close()
    assert not consumer.healthy
    with pytest.raises(EventsUnavailableError, match="not connected to NATS"):
        await consumer.check()
    await consumer.stop()
