"""Idempotency records on SQLite and PostgreSQL: replay, refusal, one run under concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from mesh.background import BackgroundLoopError
from mesh.context import IDEMPOTENCY_KEY, Principal, User, principal_var
from mesh.db import UnitOfWork, create_engine, idempotency_table, migrate
from mesh.errors import Aborted, FailedPrecondition, InvalidArgument
from mesh.idempotency import IdempotencyRecords, mark_committed
from mesh.idempotency.keys import fingerprint_of
from meshwork.testing.v1 import probe_pb2
from tests.support.waiting import eventually

MIGRATIONS = Path(__file__).parent / "migrations_fixture"
widgets = sa.table("widgets", sa.column("id"), sa.column("name"))
T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


class Context:
    """The one part of a servicer context idempotency reads: the call's metadata."""

    def __init__(self, key: str | None) -> None:
        self._metadata = () if key is None else ((IDEMPOTENCY_KEY, key),)

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Widgets:
    """A mutation that adds a widget named after the request, counting its runs."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.runs = 0
        self.gate: asyncio.Event | None = None

    async def add(self, request: probe_pb2.RecordRequest) -> probe_pb2.RecordResponse:
        self.runs += 1
        if self.gate is not None:
            await self.gate.wait()
        async with UnitOfWork(self.engine) as uow:
            await uow.connection.execute(
                sa.insert(widgets).values(id=f"w{self.runs}", name=request.key)
            )
            await mark_committed(uow.connection)
            await uow.commit()
        return probe_pb2.RecordResponse(count=self.runs)

    async def count(self) -> int:
        async with self.engine.connect() as connection:
            return int(await connection.scalar(sa.select(sa.func.count()).select_from(widgets)))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await migrate(database_url, MIGRATIONS)
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def records(engine: AsyncEngine, clock: Clock) -> IdempotencyRecords:
    return IdempotencyRecords(engine, clock=clock)


@pytest.fixture(autouse=True)
def caller() -> Iterator[None]:
    token = principal_var.set(Principal(service="edge", user=User(subject="u1")))
    yield
    principal_var.reset(token)


async def call(
    records: IdempotencyRecords, mutation: Widgets, key: str | None, name: str = "a"
) -> probe_pb2.RecordResponse:
    request = probe_pb2.RecordRequest(key=name)
    return await records.once(
        Context(key),  # type: ignore[arg-type]
        request,
        probe_pb2.RecordResponse,
        lambda: mutation.add(request),
    )


async def test_the_same_key_and_request_replay_the_first_answer_without_running_again(
    engine: AsyncEngine, records: IdempotencyRecords
) -> None:
    mutation = Widgets(engine)

    first = await call(records, mutation, "k-1")
    second = await call(records, mutation, "k-1")

    assert first == second == probe_pb2.RecordResponse(count=1)
    assert (mutation.runs, await mutation.count()) == (1, 1)


async def test_the_same_key_with_another_request_is_refused_naming_the_key(
    engine: AsyncEngine, records: IdempotencyRecords
) -> None:
    mutation = Widgets(engine)
    await call(records, mutation, "k-1", name="a")

    with pytest.raises(InvalidArgument) as refused:
        await call(records, mutation, "k-1", name="b")

    assert refused.value.reason == "IDEMPOTENCY_KEY_REUSED"
    assert "'k-1'" in refused.value.message
    assert refused.value.metadata == {"idempotency_key": "k-1"}
    assert mutation.runs == 1


async def test_twenty_concurrent_calls_with_one_key_run_once(
    engine: AsyncEngine, records: IdempotencyRecords
) -> None:
    mutation = Widgets(engine)
    mutation.gate = asyncio.Event()
    calls = [asyncio.create_task(call(records, mutation, "k-1")) for _ in range(20)]

    await eventually(lambda: sum(c.done() for c in calls) == 19)
    mutation.gate.set()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)

    answers = [o for o in outcomes if isinstance(o, probe_pb2.RecordResponse)]
    in_progress = [o for o in outcomes if isinstance(o, Aborted)]
    assert answers == [probe_pb2.RecordResponse(count=1)]
    assert {e.reason for e in in_progress} == {"IDEMPOTENCY_KEY_IN_USE"}
    assert len(in_progress) == 19
    assert "retry" in in_progress[0].message
    assert await call(records, mutation, "k-1") == answers[0]  # the retry replays
    assert (mutation.runs, await mutation.count()) == (1, 1)


async def test_twenty_concurrent_calls_that_do_not_wait_each_run_once_or_replay(
    engine: AsyncEngine, records: IdempotencyRecords
) -> None:
    mutation = Widgets(engine)

    outcomes = await asyncio.gather(
        *(call(records, mutation, "k-1") for _ in range(20)), return_exceptions=True
    )

    assert all(
        o == probe_pb2.RecordResponse(count=1)
        or (isinstance(o, Aborted) and o.reason == "IDEMPOTENCY_KEY_IN_USE")
        for o in outcomes
    ), outcomes
    assert (mutation.runs, await mutation.count()) == (1, 1)


class Mirror:
    """A stand-in cipher: reverses the bytes behind the label (enough to see sealing happen)."""

    def seal(self, label: str, data: bytes) -> bytes:
        return label.encode() + b"|" + data[::-1]

    def open(self, label: str, sealed: bytes) -> bytes:
        prefix = label.encode() + b"|"
        assert sealed.startswith(prefix), "opened under another label"
        return sealed[len(prefix) :][::-1]


async def test_a_sealed_answer_is_stored_sealed_and_replays_opened(engine: AsyncEngine) -> None:
    records = IdempotencyRecords(engine, seal=Mirror())
    mutation = Widgets(engine)

    first = await call(records, mutation, "k-1")
    again = await call(records, mutation, "k-1")

    assert again == first and mutation.runs == 1
    async with engine.connect() as connection:
        stored = await connection.scalar(sa.select(idempotency_table.c.response))
    assert stored == Mirror().seal(
        "edge/u1\nmeshwork.testing.v1.RecordRequest\nk-1", first.SerializeToString()
    )


async def test_an_empty_key_means_no_idempotency(
    engine: AsyncEngine, records: IdempotencyRecords
) -> None:
    mutation = Widgets(engine)

    await call(records, mutation, "")
    await call(records, mutation, None)

    assert (mutation.runs, await mutation.count()) == (2, 2)


@pytest.mark.parametrize("key", ["k" * 256, "tab\there", "é"])
async def test_a_malformed_key_is_refused_naming_the_metadata_entry(
    engine: AsyncEngine, records: IdempotencyRecords, key: str
) -> None:
    mutation = Widgets(engine)

    with pytest.raises(InvalidArgument) as refused:
        await call(records, mutation, key)

    assert refused.value.reason == "INVALID_IDEMPOTENCY_KEY"
    assert [v.field for v in refused.value.violations] == [IDEMPOTENCY_KEY]
    assert mutation.runs == 0


async def test_keys_of_different_users_do_not_meet(
    engine: AsyncEngine, records: IdempotencyRecords
) -> None:
    mutation = Widgets(engine)
    await call(records, mutation, "k-1")

    principal_var.set(Principal(service="edge", user=User(subject="u2")))
    await call(records, mutation, "k-1", name="b")

    assert mutation.runs == 2


async def test_a_failed_call_gives_its_key_back_so_a_retry_runs(
    engine: AsyncEngine, records: IdempotencyRecords
) -> None:
    mutation = Widgets(engine)
    request = probe_pb2.RecordRequest(key="a")

    async def fail() -> probe_pb2.RecordResponse:
        raise Aborted("conflict", reason="CONFLICT", domain="test.meshwork")

    with pytest.raises(Aborted):
        await records.once(Context("k-1"), request, probe_pb2.RecordResponse, fail)  # type: ignore[arg-type]

    assert await call(records, mutation, "k-1") == probe_pb2.RecordResponse(count=1)


async def test_records_are_purged_after_the_retention_and_the_key_then_runs_again(
    engine: AsyncEngine, records: IdempotencyRecords, clock: Clock
) -> None:
    mutation = Widgets(engine)
    await call(records, mutation, "k-1")

    clock.now = T0 + timedelta(hours=23, minutes=59)
    assert await records.purge() == 0
    clock.now = T0 + timedelta(hours=24, minutes=1)
    assert await records.purge() == 1

    await call(records, mutation, "k-1")
    assert mutation.runs == 2


async def test_the_purge_loop_deletes_expired_records_in_the_background(
    engine: AsyncEngine, records: IdempotencyRecords, clock: Clock
) -> None:
    await call(records, Widgets(engine), "k-1")
    clock.now = T0 + timedelta(days=2)
    loop = records.purge_loop(interval_s=0.01)

    await loop.start()
    try:
        await loop.check()
        await eventually(lambda: _records_left(engine, 0))
    finally:
        await loop.stop()
    with pytest.raises(BackgroundLoopError, match="not running"):
        await loop.check()


async def test_the_key_of_a_call_that_died_is_taken_over_once_its_lease_ran_out(
    engine: AsyncEngine, records: IdempotencyRecords, clock: Clock
) -> None:
    await _record(engine, state="running", lease_until=T0 + timedelta(seconds=30))
    mutation = Widgets(engine)

    with pytest.raises(Aborted):
        await call(records, mutation, "k-1")
    clock.now = T0 + timedelta(seconds=31)
    assert await call(records, mutation, "k-1") == probe_pb2.RecordResponse(count=1)
    assert await call(records, mutation, "k-1") == probe_pb2.RecordResponse(count=1)


async def test_a_call_that_committed_but_lost_its_answer_is_not_run_again(
    engine: AsyncEngine, records: IdempotencyRecords, clock: Clock
) -> None:
    await _record(engine, state="committed", lease_until=T0 + timedelta(seconds=30))
    clock.now = T0 + timedelta(minutes=5)
    mutation = Widgets(engine)

    with pytest.raises(FailedPrecondition) as refused:
        await call(records, mutation, "k-1")

    assert refused.value.reason == "IDEMPOTENCY_ANSWER_LOST"
    assert mutation.runs == 0


async def test_a_change_made_after_its_key_was_taken_over_is_rolled_back(
    engine: AsyncEngine, records: IdempotencyRecords
) -> None:
    mutation = Widgets(engine)
    request = probe_pb2.RecordRequest(key="a")

    async def outlive_the_lease() -> probe_pb2.RecordResponse:
        async with engine.begin() as connection:  # a retry took the key over meanwhile
            await connection.execute(sa.update(idempotency_table).values(attempt="another"))
        return await mutation.add(request)

    with pytest.raises(Aborted):
        await records.once(
            Context("k-1"),  # type: ignore[arg-type]
            request,
            probe_pb2.RecordResponse,
            outlive_the_lease,
        )
    assert await mutation.count() == 0


async def _record(engine: AsyncEngine, *, state: str, lease_until: datetime) -> None:
    """The record a call with key k-1 for request "a" left behind when its process died."""
    async with engine.begin() as connection:
        await connection.execute(
            sa.insert(idempotency_table).values(
                caller="edge/u1",
                method="meshwork.testing.v1.RecordRequest",
                key="k-1",
                fingerprint=fingerprint_of(probe_pb2.RecordRequest(key="a")),
                attempt="dead",
                state=state,
                response=None,
                created_at=T0,
                lease_until=lease_until,
            )
        )


async def _records_left(engine: AsyncEngine, expected: int) -> bool:
    async with engine.connect() as connection:
        count = await connection.scalar(sa.select(sa.func.count()).select_from(idempotency_table))
    return count == expected
