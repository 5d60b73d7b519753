"""One trace from a gRPC call through the event it emits, the event its consumer emits, and
that event's consumer; each consumer span links to the span that emitted its event."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import nats
import pytest
from google.protobuf.message import Message
from nats.aio.client import Client as NATS
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncEngine

from mesh.db import UnitOfWork, create_engine, migrate
from mesh.events.consumer import Consumer
from mesh.events.envelope import Envelope, envelope_for
from mesh.events.outbox import OutboxRelay
from mesh.events.streams import ensure_event_stream
from mesh.events.subjects import stream_name
from mesh.server import create_server
from meshwork.testing.v1 import probe_pb2, probe_pb2_grpc
from tests.integration.mesh.test_consumer import MIGRATIONS, make_event_type
from tests.support.probe import HeaderAuthenticator, ProbeServicer, probe_binding
from tests.support.waiting import eventually

SERVICE = (("authorization", "Bearer service:edge"),)


class EmittingServicer(ProbeServicer):
    """Record emits `event_type` through the outbox, as a service's command handler does."""

    def __init__(self, engine: AsyncEngine, event_type: type[Message]) -> None:
        super().__init__()
        self._engine = engine
        self._event_type = event_type

    async def Record(
        self, request: probe_pb2.RecordRequest, context: object
    ) -> probe_pb2.RecordResponse:
        async with UnitOfWork(self._engine, envelope_for=envelope_for) as uow:
            uow.add_event(self._event_type(thing_id=request.key))
            await uow.commit()
        return probe_pb2.RecordResponse(count=1)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'traces.db'}"
    await migrate(url, MIGRATIONS)
    engine = create_engine(url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def nc(nats_server) -> AsyncIterator[NATS]:
    connection = await nats.connect(nats_server.url)
    yield connection
    await connection.close()


@pytest.fixture
def spans() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


async def test_a_call_its_event_and_the_event_a_consumer_emits_are_one_trace(
    engine: AsyncEngine, nc: NATS, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, exporter = spans
    first, second = (f"t{uuid.uuid4().hex[:12]}" for _ in range(2))
    thing_a, thing_b = make_event_type(first), make_event_type(second)
    js = nc.jetstream()
    for service in (first, second):
        await ensure_event_stream(js, service)
    relay = OutboxRelay(engine, nc)
    handled: list[str] = []

    async def on_a(envelope: Envelope, event: Any, uow: UnitOfWork) -> None:
        uow.add_event(thing_b(thing_id=f"{event.thing_id}-b"))  # e.g. jobs on a notification

    async def on_b(envelope: Envelope, event: Any, uow: UnitOfWork) -> None:
        handled.append(event.thing_id)

    consumers = [
        Consumer(
            nc,
            lambda: UnitOfWork(engine, envelope_for=envelope_for, on_events_committed=relay.wake),
            name=f"c-{uuid.uuid4().hex[:12]}",
            handlers={event_type: handler},
            fetch_timeout_s=0.2,
            tracer_provider=provider,
        )
        for event_type, handler in ((thing_a, on_a), (thing_b, on_b))
    ]
    server, port = create_server(
        [probe_binding(EmittingServicer(engine, thing_a))],
        service="testing",
        authenticator=HeaderAuthenticator(),
        tracer_provider=provider,
    )
    await server.start()
    await relay.start()
    for consumer in consumers:
        await consumer.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = probe_pb2_grpc.ProbeServiceStub(channel)
            await stub.Record(probe_pb2.RecordRequest(key="k"), metadata=SERVICE)
        relay.wake()
        await eventually(lambda: handled == ["k-b"], timeout_s=20)
    finally:
        for consumer in consumers:
            await consumer.stop()
        await relay.stop()
        await server.stop(0)
        for service in (first, second):
            await js.delete_stream(stream_name(service))
    provider.shutdown()

    finished = exporter.get_finished_spans()
    [call] = [s for s in finished if s.kind is SpanKind.SERVER]
    [on_first] = _consumer_spans(finished, first)
    [on_second] = _consumer_spans(finished, second)
    assert {s.context.trace_id for s in (call, on_first, on_second)} == {call.context.trace_id}
    assert on_first.parent is not None and on_first.parent.span_id == call.context.span_id
    assert [link.context.span_id for link in on_first.links] == [call.context.span_id]
    assert on_second.parent is not None and on_second.parent.span_id == on_first.context.span_id
    assert [link.context.span_id for link in on_second.links] == [on_first.context.span_id]


def _consumer_spans(spans: Any, service: str) -> list[ReadableSpan]:
    return [
        span
        for span in spans
        if span.kind is SpanKind.CONSUMER and span.name.startswith(f"events.{service}.")
    ]
