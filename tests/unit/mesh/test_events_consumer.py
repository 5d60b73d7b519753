"""How a consumer settles each delivery: ack, nak with backoff, or dead letter (fake NATS)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from google.protobuf.message import Message
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy.ext.asyncio import AsyncEngine

from mesh.context import Principal, User, principal_var, request_id_var
from mesh.db import UnitOfWork, create_engine, mesh_metadata
from mesh.events.consumer import Consumer
from mesh.events.envelope import Envelope, envelope_for
from mesh.events.redelivery import RedeliveryPolicy, describe_error
from meshwork.options.v1 import options_pb2
from meshwork.testing.v1 import probe_pb2
from tests.support.logs import json_lines, service_logging

CONSUMER = "audit-on-testing"


@dataclass
class FakeMsg:
    """A JetStream delivery: payload, headers, delivery count, and how it was settled."""

    data: bytes
    headers: dict[str, str]
    subject: str = "events.testing.v1.RecordRequest"
    num_delivered: int = 1
    settled: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def metadata(self) -> Any:
        sequence = SimpleNamespace(stream=7, consumer=self.num_delivered)
        return SimpleNamespace(
            num_delivered=self.num_delivered, stream="EVENTS_TESTING", sequence=sequence
        )

    async def ack(self) -> None:
        self.settled.append(("ack",))

    async def nak(self, delay: float | None = None) -> None:
        self.settled.append(("nak", delay))

    async def term(self) -> None:
        self.settled.append(("term",))


@dataclass
class FakeJetStream:
    published: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)
    unavailable: bool = False

    async def publish(self, subject: str, payload: bytes = b"", **options: Any) -> None:
        if self.unavailable:
            raise ConnectionError("nats: no servers available")
        self.published.append((subject, payload, options["headers"]))


@dataclass
class FakeNats:
    js: FakeJetStream = field(default_factory=FakeJetStream)
    is_connected: bool = True

    def jetstream(self, **_options: Any) -> FakeJetStream:
        return self.js


class Handler:
    def __init__(self, *, fails: bool = False) -> None:
        self.fails = fails
        self.calls: list[Message] = []
        self.envelopes: list[Envelope] = []

    async def __call__(self, envelope: Envelope, event: Message, uow: UnitOfWork) -> None:
        self.calls.append(event)
        self.envelopes.append(envelope)
        if self.fails:
            raise ValueError("boom")


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    engine = create_engine("sqlite+aiosqlite://")
    async with engine.begin() as connection:
        await connection.run_sync(mesh_metadata.create_all)
    yield engine
    await engine.dispose()


def make_consumer(
    engine: AsyncEngine, handler: Handler, nats: FakeNats | None = None, **options: Any
) -> Consumer:
    return Consumer(
        nats or FakeNats(),  # type: ignore[arg-type]
        lambda: UnitOfWork(engine, envelope_for=envelope_for),
        name=CONSUMER,
        handlers={probe_pb2.RecordRequest: handler},
        **options,
    )


def delivery(num_delivered: int = 1, event: Message | None = None) -> FakeMsg:
    envelope = envelope_for(event or probe_pb2.RecordRequest(key="k"))
    return FakeMsg(envelope.payload, dict(envelope.headers), num_delivered=num_delivered)


# Success


async def test_handled_event_is_acked_and_its_redelivery_skips_the_handler(
    engine: AsyncEngine,
) -> None:
    handler = Handler()
    consumer = make_consumer(engine, handler)
    first = delivery()
    again = FakeMsg(first.data, first.headers, num_delivered=2)

    await consumer.process(first)  # type: ignore[arg-type]
    await consumer.process(again)  # type: ignore[arg-type]

    assert [event.key for event in handler.calls] == ["k"]  # type: ignore[attr-defined]
    assert first.settled == again.settled == [("ack",)]


async def test_handler_gets_the_envelope_with_the_events_id_type_time_and_request(
    engine: AsyncEngine,
) -> None:
    handler = Handler()
    occurred_at = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    token = request_id_var.set("req-7")
    try:
        sent = envelope_for(probe_pb2.RecordRequest(key="k"), occurred_at=occurred_at)
    finally:
        request_id_var.reset(token)

    await make_consumer(engine, handler).process(FakeMsg(sent.payload, dict(sent.headers)))  # type: ignore[arg-type]

    [received] = handler.envelopes
    assert received.event_id == sent.event_id
    assert received.type_name == "meshwork.testing.v1.RecordRequest"
    assert received.occurred_at == occurred_at
    assert received.request_id == "req-7"
    assert received.subject == "events.testing.v1.RecordRequest"


class CountingUnitOfWork(UnitOfWork):
    """Counts the units of work opened and committed."""

    opened = 0
    committed = 0

    async def __aenter__(self) -> CountingUnitOfWork:
        CountingUnitOfWork.opened += 1
        return await super().__aenter__()

    async def commit(self) -> None:
        await super().commit()
        CountingUnitOfWork.committed += 1


async def test_a_batch_is_handled_in_order_in_one_unit_of_work_then_acked(
    engine: AsyncEngine,
) -> None:
    handler = Handler()
    consumer = Consumer(
        FakeNats(),  # type: ignore[arg-type]
        lambda: CountingUnitOfWork(engine, envelope_for=envelope_for),
        name=CONSUMER,
        handlers={probe_pb2.RecordRequest: handler},
    )
    CountingUnitOfWork.opened = CountingUnitOfWork.committed = 0
    batch = [delivery(event=probe_pb2.RecordRequest(key=f"k{n}")) for n in range(5)]
    again = FakeMsg(batch[1].data, batch[1].headers, num_delivered=2)  # a copy in the batch

    await consumer.process_batch([*batch, again])  # type: ignore[list-item]

    assert [e.key for e in handler.calls] == ["k0", "k1", "k2", "k3", "k4"]  # type: ignore[attr-defined]
    assert (CountingUnitOfWork.opened, CountingUnitOfWork.committed) == (1, 1)
    assert [msg.settled for msg in [*batch, again]] == [[("ack",)]] * 6

    await consumer.process_batch(batch)  # type: ignore[arg-type]  # redelivered: handled once

    assert len(handler.calls) == 5


class FailsOn(Handler):
    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    async def __call__(self, envelope: Envelope, event: Message, uow: UnitOfWork) -> None:
        self.calls.append(event)
        if event.key == self.key:  # type: ignore[attr-defined]
            raise ValueError("boom")


async def test_a_failing_event_is_retried_alone_and_the_rest_of_its_batch_commits(
    engine: AsyncEngine,
) -> None:
    handler = FailsOn("k1")
    consumer = make_consumer(engine, handler, redelivery=RedeliveryPolicy(initial_delay_s=0.5))
    batch = [delivery(event=probe_pb2.RecordRequest(key=f"k{n}")) for n in range(3)]

    await consumer.process_batch(batch)  # type: ignore[arg-type]

    assert [msg.settled for msg in batch] == [[("ack",)], [("nak", 0.5)], [("ack",)]]
    # k0 ran in the rolled-back batch and again alone; k1 once; k2 only alone
    assert [e.key for e in handler.calls] == ["k0", "k1", "k0", "k2"]  # type: ignore[attr-defined]
    redelivered = [FakeMsg(msg.data, msg.headers, num_delivered=2) for msg in batch]
    handler.key = ""

    await consumer.process_batch(redelivered)  # type: ignore[arg-type]

    assert [e.key for e in handler.calls[4:]] == ["k1"]  # type: ignore[attr-defined]


async def test_a_poison_message_in_a_batch_is_dead_lettered_and_the_rest_handled(
    engine: AsyncEngine,
) -> None:
    nats = FakeNats()
    handler = Handler()
    consumer = make_consumer(engine, handler, nats)
    batch = [delivery(event=probe_pb2.RecordRequest(key=f"k{n}")) for n in range(3)]
    batch[1].headers.pop("Meshwork-Type")

    await consumer.process_batch(batch)  # type: ignore[arg-type]

    assert [msg.settled for msg in batch] == [[("ack",)], [("term",)], [("ack",)]]
    assert [e.key for e in handler.calls] == ["k0", "k2"]  # type: ignore[attr-defined]
    assert len(nats.js.published) == 1


def test_an_envelope_without_a_readable_time_falls_back_to_when_it_was_received() -> None:
    before = datetime.now(UTC)
    envelope = Envelope.received("events.testing.v1.X", b"", {"Meshwork-Occurred-At": "soon"})

    assert before <= envelope.occurred_at <= datetime.now(UTC)


# Logs


def outcomes(stream: io.StringIO) -> list[dict[str, Any]]:
    return json_lines(stream.getvalue(), "meshwork.events.consumer")


async def test_each_settled_event_is_logged_once_with_its_type_id_outcome_time_and_trace(
    engine: AsyncEngine,
) -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("emit") as span:
        batch = [delivery(event=probe_pb2.RecordRequest(key=f"k{n}")) for n in range(2)]
        failing = delivery(num_delivered=1)
        dead = delivery(num_delivered=3)
    trace_id = format(span.get_span_context().trace_id, "032x")
    copy = FakeMsg(batch[0].data, batch[0].headers, num_delivered=2)
    handler = FailsOn("")
    consumer = make_consumer(engine, handler, redelivery=RedeliveryPolicy(max_attempts=3))
    stream = io.StringIO()

    with service_logging(stream, "testing"):
        await consumer.process_batch([*batch, copy])  # type: ignore[list-item]
        handler.key = "k"
        await consumer.process(failing)  # type: ignore[arg-type]
        await consumer.process(dead)  # type: ignore[arg-type]
        await consumer.process(batch[1])  # type: ignore[arg-type]

    lines = outcomes(stream)
    ids = [msg.headers["Meshwork-Event-Id"] for msg in [*batch, copy, failing, dead, batch[1]]]
    assert [(line["event_id"], line["outcome"], line["level"]) for line in lines] == [
        (ids[0], "handled", "info"),
        (ids[1], "handled", "info"),
        (ids[2], "duplicate_skipped", "info"),
        (ids[3], "retried", "warning"),
        (ids[4], "dead_lettered", "error"),
        (ids[5], "duplicate_skipped", "info"),
    ]
    for line in lines:
        assert line["event_type"] == "meshwork.testing.v1.RecordRequest"
        assert line["consumer"] == CONSUMER
        assert line["service"] == "testing"
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert line["trace_id"] == trace_id
    assert "ValueError('boom')" in lines[3]["error"] and "1/3" in lines[3]["error"]
    assert lines[4]["error"] == "ValueError('boom')"


async def test_a_poison_message_is_logged_as_dead_lettered(engine: AsyncEngine) -> None:
    consumer = make_consumer(engine, Handler())
    msg = delivery()
    msg.headers["Meshwork-Type"] = "meshwork.testing.v1.Unknown"
    stream = io.StringIO()

    with service_logging(stream):
        await consumer.process(msg)  # type: ignore[arg-type]

    [line] = outcomes(stream)
    assert (line["event_type"], line["outcome"]) == ("meshwork.testing.v1.Unknown", "dead_lettered")
    assert "no handler" in line["error"]


# Failures


async def test_nak_delay_doubles_with_each_failed_attempt_up_to_the_bound(
    engine: AsyncEngine,
) -> None:
    policy = RedeliveryPolicy(max_attempts=6, initial_delay_s=0.1, max_delay_s=0.5)
    consumer = make_consumer(engine, Handler(fails=True), redelivery=policy)
    deliveries = [delivery(num_delivered=n) for n in range(1, 6)]

    for msg in deliveries:
        await consumer.process(msg)  # type: ignore[arg-type]

    delays = [msg.settled for msg in deliveries]
    assert delays == [
        [("nak", 0.1)],
        [("nak", 0.2)],
        [("nak", 0.4)],
        [("nak", 0.5)],
        [("nak", 0.5)],
    ]


async def test_last_failed_attempt_goes_to_dead_letters_and_is_terminated(
    engine: AsyncEngine,
) -> None:
    nats = FakeNats()
    consumer = make_consumer(
        engine, Handler(fails=True), nats, redelivery=RedeliveryPolicy(max_attempts=3)
    )
    msg = delivery(num_delivered=3)

    await consumer.process(msg)  # type: ignore[arg-type]

    assert msg.settled == [("term",)]
    [(subject, payload, headers)] = nats.js.published
    assert subject == f"deadletter.{CONSUMER}.events.testing.v1.RecordRequest"
    assert payload == msg.data
    assert headers["Meshwork-Dead-Letter-Error"] == "ValueError: boom"
    assert headers["Meshwork-Dead-Letter-Consumer"] == CONSUMER
    assert headers["Meshwork-Dead-Letter-Attempts"] == "3"
    assert headers["Meshwork-Original-Subject"] == "events.testing.v1.RecordRequest"
    assert headers["Meshwork-Original-Stream"] == "EVENTS_TESTING"
    assert headers["Meshwork-Original-Sequence"] == "7"
    assert headers["Nats-Msg-Id"] == f"{CONSUMER}:EVENTS_TESTING:7"
    assert headers["Meshwork-Type"] == "meshwork.testing.v1.RecordRequest"


@pytest.mark.parametrize(
    ("drop_header", "data", "reason"),
    [
        ("Meshwork-Type", None, "no handler for ''"),
        ("Meshwork-Event-Id", None, "no Meshwork-Event-Id header"),
        (None, b"\x0a\xff", "payload is not a valid meshwork.testing.v1.RecordRequest"),
    ],
)
async def test_message_no_retry_can_fix_is_dead_lettered_on_first_delivery(
    engine: AsyncEngine, drop_header: str | None, data: bytes | None, reason: str
) -> None:
    nats = FakeNats()
    handler = Handler()
    consumer = make_consumer(engine, handler, nats)
    msg = delivery()
    msg.headers.pop(drop_header or "", None)
    msg.data = data if data is not None else msg.data

    await consumer.process(msg)  # type: ignore[arg-type]

    assert msg.settled == [("term",)]
    assert handler.calls == []
    [(_, _, headers)] = nats.js.published
    assert reason in headers["Meshwork-Dead-Letter-Error"]
    assert headers["Meshwork-Dead-Letter-Attempts"] == "1"


async def test_message_is_redelivered_later_when_dead_lettering_fails(
    engine: AsyncEngine,
) -> None:
    nats = FakeNats(js=FakeJetStream(unavailable=True))
    policy = RedeliveryPolicy(max_attempts=1, initial_delay_s=1, max_delay_s=30)
    consumer = make_consumer(engine, Handler(fails=True), nats, redelivery=policy)
    msg = delivery()

    await consumer.process(msg)  # type: ignore[arg-type]

    assert msg.settled == [("nak", 30)]


# Configuration


@pytest.mark.parametrize(
    "handlers",
    [{}, {probe_pb2.RecordRequest: Handler(), options_pb2.Access: Handler()}],
    ids=["none", "two services"],
)
def test_consumer_needs_handlers_for_the_events_of_exactly_one_service(
    handlers: dict[type[Message], Handler],
) -> None:
    with pytest.raises(ValueError, match="one Consumer per stream"):
        Consumer(FakeNats(), lambda: None, name=CONSUMER, handlers=handlers)  # type: ignore[arg-type]


def test_consumer_reads_the_stream_of_the_service_owning_its_events(engine: AsyncEngine) -> None:
    consumer = make_consumer(engine, Handler())
    assert (consumer.service, consumer.stream) == ("testing", "EVENTS_TESTING")


@pytest.mark.parametrize(
    "options",
    [{"max_attempts": 0}, {"initial_delay_s": 0}, {"initial_delay_s": 5, "max_delay_s": 1}],
)
def test_redelivery_policy_refuses_settings_that_cannot_work(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"max_attempts|initial_delay_s"):
        RedeliveryPolicy(**options)  # type: ignore[arg-type]


def test_error_text_fits_in_one_bounded_header_line() -> None:
    text = describe_error(RuntimeError("line one\r\nline two " + "x" * 5000))
    assert text.startswith("RuntimeError: line one line two x")
    assert "\n" not in text and "\r" not in text
    assert len(text) == 1000


# Every event of a stream


def stream_consumer(engine: AsyncEngine, handler: Handler) -> Consumer:
    return Consumer(
        FakeNats(),  # type: ignore[arg-type]
        lambda: UnitOfWork(engine, envelope_for=envelope_for),
        name=CONSUMER,
        every_event_of="testing",
        every_event=handler,
    )


async def test_a_stream_consumer_gets_every_type_decoded_and_an_unknown_one_undecoded(
    engine: AsyncEngine,
) -> None:
    handler = Handler()
    consumer = stream_consumer(engine, handler)
    known = delivery(event=probe_pb2.RecordRequest(key="k"))
    unknown = delivery(event=probe_pb2.RecordRequest(key="later"))
    unknown.headers["Meshwork-Type"] = "meshwork.testing.v1.AddedLater"

    await consumer.process(known)  # type: ignore[arg-type]
    await consumer.process(unknown)  # type: ignore[arg-type]

    assert consumer.stream == "EVENTS_TESTING"
    assert [getattr(event, "key", None) for event in handler.calls] == ["k", None]
    assert handler.envelopes[1].type_name == "meshwork.testing.v1.AddedLater"
    assert known.settled == unknown.settled == [("ack",)]


def test_a_stream_consumer_takes_a_service_and_one_handler() -> None:
    with pytest.raises(ValueError, match="every_event_of"):
        Consumer(
            FakeNats(),  # type: ignore[arg-type]
            lambda: UnitOfWork(create_engine("sqlite+aiosqlite://")),
            name=CONSUMER,
            every_event_of="testing",
        )


def test_an_event_carries_who_caused_it() -> None:
    caller = Principal(service="edge", user=User("u-1", frozenset({"admin"})))
    token = principal_var.set(caller)
    try:
        envelope = envelope_for(probe_pb2.RecordRequest(key="k"))
    finally:
        principal_var.reset(token)
    received = Envelope.received(envelope.subject, envelope.payload, envelope.headers)

    assert (received.actor_user, received.actor_service) == ("u-1", "edge")
    assert (
        envelope_for(probe_pb2.RecordRequest())
        .headers.keys()
        .isdisjoint({"Meshwork-Actor-User", "Meshwork-Actor-Service"})
    )
