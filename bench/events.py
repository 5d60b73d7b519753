"""The event backbone end to end: outbox → relay → JetStream → consumer with inbox, next to
raw nats-py JetStream publish and pull-consume, measured in the same run.

Each round publishes `EVENTS` events from `PRODUCERS` concurrent producers and ends when the
consumer has handled the last one. Latency is from the start of the producer's call (the
unit of work's commit, or the raw publish) to the handler seeing the event. Variants are
interleaved round by round and the median round (by throughput) is reported.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import nats
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from bench.harness import Round, Verdict, median_round, ms, verdict_table, write_report
from mesh.bundled_nats import BundledNatsServer
from mesh.db import UnitOfWork, create_engine, mesh_metadata
from mesh.events.consumer import Consumer
from mesh.events.envelope import Envelope, envelope_for
from mesh.events.outbox import OutboxRelay
from mesh.events.streams import ensure_consumer, ensure_event_stream, ensure_stream
from meshwork.notifications.v1 import events_pb2

EVENTS = 600
PRODUCERS = 4
ROUNDS = 3
WARMUP = 100
ONE_BY_ONE = 200
RAW_STREAM = "BENCH_RAW"
RAW_SUBJECT = "bench.raw.event"

#: Publishes events one by one (its argument names the event).
Send = Callable[[str], Awaitable[None]]


class Arrivals:
    """When each event of a round was published and handled (stragglers of earlier rounds,
    such as redeliveries, are ignored)."""

    def __init__(self) -> None:
        self.published: dict[str, float] = {}
        self.handled: dict[str, float] = {}
        self.complete = asyncio.Event()
        self._pending: set[str] = set()

    def start(self, keys: list[str]) -> None:
        self.published, self.handled, self._pending = {}, {}, set(keys)
        self.complete.clear()

    def arrived(self, key: str) -> None:
        if key in self._pending:
            self.handled[key] = time.perf_counter()
            self._pending.discard(key)
            if not self._pending:
                self.complete.set()

    def round(self) -> Round:
        started = min(self.published.values())
        finished = max(self.handled.values())
        latencies = [self.handled[k] - self.published[k] for k in self.published]
        return Round(calls=len(latencies), seconds=finished - started, latencies=latencies)


async def produce(arrivals: Arrivals, prefix: str, count: int, send: Send) -> Round:
    """Throughput: `PRODUCERS` producers publish as fast as they can (a backlog may build)."""
    keys = [f"{prefix}-{index}" for index in range(count)]
    arrivals.start(keys)

    async def producer(offset: int) -> None:
        for key in keys[offset::PRODUCERS]:
            arrivals.published[key] = time.perf_counter()
            await send(key)

    await asyncio.gather(*(producer(offset) for offset in range(PRODUCERS)))
    await asyncio.wait_for(arrivals.complete.wait(), timeout=300)
    return arrivals.round()


async def one_at_a_time(arrivals: Arrivals, prefix: str, count: int, send: Send) -> Round:
    """Latency: one event in flight at a time, so no backlog hides in the figures."""
    latencies = []
    started = time.perf_counter()
    for index in range(count):
        key = f"{prefix}-{index}"
        arrivals.start([key])
        arrivals.published[key] = time.perf_counter()
        await send(key)
        await asyncio.wait_for(arrivals.complete.wait(), timeout=30)
        latencies.append(arrivals.handled[key] - arrivals.published[key])
    return Round(calls=count, seconds=time.perf_counter() - started, latencies=latencies)


async def raw_variant(nc: NATS) -> tuple[Arrivals, Send, Callable[[], Awaitable[None]]]:
    """nats-py alone: publish with an ack, a durable pull consumer fetching batches, ack each."""
    js = nc.jetstream()
    await ensure_stream(js, RAW_STREAM, [RAW_SUBJECT])
    await ensure_consumer(js, RAW_STREAM, "bench-raw", filter_subjects=[RAW_SUBJECT])
    subscription = await js.pull_subscribe_bind(durable="bench-raw", stream=RAW_STREAM)
    arrivals = Arrivals()
    stopping = asyncio.Event()

    async def consume() -> None:
        while not stopping.is_set():
            try:
                batch: list[Msg] = await subscription.fetch(100, timeout=0.5)
            except TimeoutError:
                continue
            for msg in batch:
                arrivals.arrived(msg.data.decode())
                await msg.ack()

    task = asyncio.create_task(consume())

    async def send(key: str) -> None:
        await js.publish(RAW_SUBJECT, key.encode(), headers={"Nats-Msg-Id": key})

    async def stop() -> None:
        stopping.set()
        await task
        await subscription.unsubscribe()

    return arrivals, send, stop


async def mesh_variant(
    nc: NATS, urls: tuple[str, str], name: str
) -> tuple[Arrivals, Send, Callable[[], Awaitable[None]]]:
    """The mesh: a unit of work commits each event to the outbox, the relay publishes it, a
    `Consumer` handles it in a unit of work that records it in the inbox, then acks. As in
    the platform, the emitting and the consuming service each have their own database
    (`urls`: the producer's, the consumer's)."""
    producer, consumer_engine = create_engine(urls[0]), create_engine(urls[1])
    for engine in (producer, consumer_engine):
        async with engine.begin() as connection:
            await connection.run_sync(mesh_metadata.create_all)
    await ensure_event_stream(nc.jetstream(), "notifications")
    relay = OutboxRelay(producer, nc)
    await relay.start()
    arrivals = Arrivals()

    async def handle(envelope: Envelope, event: events_pb2.MessageSent, uow: UnitOfWork) -> None:
        arrivals.arrived(event.message_id)

    consumer = Consumer(
        nc,
        lambda: UnitOfWork(consumer_engine, envelope_for=envelope_for),
        name=f"bench-{name}",
        handlers={events_pb2.MessageSent: handle},
        batch_size=100,
        fetch_timeout_s=0.5,
    )
    await consumer.start()

    async def send(key: str) -> None:
        async with UnitOfWork(
            producer, envelope_for=envelope_for, on_events_committed=relay.wake
        ) as uow:
            uow.add_event(events_pb2.MessageSent(message_id=key))
            await uow.commit()

    async def stop() -> None:
        await consumer.stop()
        await relay.stop()
        await producer.dispose()
        await consumer_engine.dispose()

    return arrivals, send, stop


THROUGHPUT_TARGET = 0.25  # of raw JetStream's events per second
LATENCY_TARGET = 3.0  # one event's p99 at most this many times raw's


async def run() -> list[Verdict]:
    with tempfile.TemporaryDirectory() as folder:
        server = BundledNatsServer(Path(folder) / "nats")
        server.start()
        nc = await nats.connect(server.url)
        try:
            async with _postgres() as emitter, _postgres() as receiver:
                sqlite = f"sqlite+aiosqlite:///{Path(folder)}"
                databases = {"SQLite": (f"{sqlite}/emitter.db", f"{sqlite}/receiver.db")}
                if emitter and receiver:
                    databases["PostgreSQL"] = (emitter, receiver)
                lines, verdicts = await _measure(nc, databases)
        finally:
            await nc.close()
            server.stop()
    write_report("events", [*lines, "", *verdict_table(verdicts)])
    return verdicts


@contextlib.asynccontextmanager
async def _postgres() -> AsyncIterator[str]:
    """A scratch PostgreSQL database when the server at $MESHWORK_TEST_POSTGRES answers."""
    import asyncpg

    admin_dsn = os.environ.get(
        "MESHWORK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    name = f"meshwork_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = await asyncpg.connect(admin_dsn, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        yield ""
        return
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = admin_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _measure(
    nc: NATS, databases: dict[str, tuple[str, str]]
) -> tuple[list[str], list[Verdict]]:
    variants = {"raw JetStream": await raw_variant(nc)}
    for label, url in databases.items():
        variants[f"mesh outbox+inbox ({label})"] = await mesh_variant(nc, url, label.lower())
    try:
        for name, (arrivals, send, _) in variants.items():
            await produce(arrivals, f"warmup-{name}", WARMUP, send)
        throughput: dict[str, list[Round]] = {name: [] for name in variants}
        latency: dict[str, list[Round]] = {name: [] for name in variants}
        for number in range(ROUNDS):
            for name, (arrivals, send, _) in variants.items():
                throughput[name].append(await produce(arrivals, f"t{number}-{name}", EVENTS, send))
                latency[name].append(
                    await one_at_a_time(arrivals, f"l{number}-{name}", ONE_BY_ONE, send)
                )
    finally:
        for _, _, stop in reversed(variants.values()):
            await stop()
    best = {n: median_round(r) for n, r in throughput.items()}
    quiet = {n: median_round(r) for n, r in latency.items()}
    raw_best, raw_quiet = best["raw JetStream"], quiet["raw JetStream"]
    lines = [
        f"Throughput: {EVENTS} events per round from {PRODUCERS} producers publishing as fast as "
        f"they can (latency then includes the backlog). Latency: {ONE_BY_ONE} events one at a "
        f"time. {ROUNDS} interleaved rounds; the median round by throughput.",
        "",
        "| variant | events/s | vs raw | p99 ms loaded | p50 ms single | p99 ms single "
        "| p99 single vs raw |",
        "|---|---|---|---|---|---|---|",
    ]
    verdicts = []
    for name in variants:
        b, q = best[name], quiet[name]
        speed, slowness = (
            b.throughput / raw_best.throughput,
            q.percentile(0.99) / raw_quiet.percentile(0.99),
        )
        lines.append(
            f"| {name} | {b.throughput:.0f} | {speed:.2f} "
            f"| {ms(b.percentile(0.99))} | {ms(q.percentile(0.5))} | {ms(q.percentile(0.99))} "
            f"| {slowness:.1f} |"
        )
        if name.startswith("mesh"):
            verdicts += [
                Verdict(f"events end to end / raw JetStream throughput, {name[len('mesh '):]}",
                        speed, f"≥ {THROUGHPUT_TARGET}", speed >= THROUGHPUT_TARGET),
                Verdict(f"one event's p99, end to end / raw JetStream, {name[len('mesh '):]}",
                        slowness, f"≤ {LATENCY_TARGET:.0f}", slowness <= LATENCY_TARGET),
            ]  # fmt: skip
    return lines, verdicts
