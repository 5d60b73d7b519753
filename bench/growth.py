"""How costs grow with the data: GetUser and a filtered ListUsers page with 1k, 100k and 1M
users, on SQLite and PostgreSQL, and the outbox relay draining a backlog of 100k events.

The users' use cases run as the service runs them (`services.users.handlers` on the service's
own migrated schema and unit of work), called in this process so that only what depends on the
data is timed, not the constant cost of the gRPC hop. Rows are bulk-inserted straight into the
tables (the driver's executemany on SQLite, COPY on PostgreSQL), a database per size, and
the sizes are measured interleaved (call n at every size, then call n + 1). Per size: the
median and p99 of a GetUser by id (random existing users, staff caller), of the first page
of ListUsers filtered by KYC status (PENDING, 5% of the users) and of its page halfway
through the table (keyset cursor); and
the Python memory one call allocates at most (tracemalloc peak over a pass of calls).

The backlog: `BACKLOG` unsent rows in the outbox, then a relay publishing them to JetStream;
the drain rate over each tenth of the backlog (the last tenths as fast as the first?) and the
process's RSS before and after.

Sizes default to 1k, 100k and 1M users; ``BENCH_GROWTH_USERS=1000,100000`` and
``BENCH_GROWTH_BACKLOG=20000`` choose others where setting up 1M rows takes too long.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import random
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import nats
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import procs
from bench.events import _postgres
from bench.harness import Verdict, verdict_table, write_report
from mesh.actor import Actor
from mesh.bundled_nats import BundledNatsServer
from mesh.db import create_engine, migrate, outbox_table
from mesh.events.envelope import envelope_for
from mesh.events.outbox import OutboxRelay
from mesh.events.streams import ensure_event_stream
from mesh.paging import encode_page_token
from meshwork.notifications.v1 import events_pb2
from services.users import commands
from services.users.domain import KycStatus
from services.users.handlers import Deps, get_user, list_users
from services.users.orm import users_table
from services.users.repository import UsersUnitOfWork
from services.users.validation import UserFilter

MIGRATIONS = Path(__file__).resolve().parent.parent / "services" / "users" / "migrations"
USERS = tuple(
    int(n) for n in os.environ.get("BENCH_GROWTH_USERS", "1000,100000,1000000").split(",")
)
BACKLOG = int(os.environ.get("BENCH_GROWTH_BACKLOG", "100000"))
CALLS = 300  # timed calls of each kind per size
PAGE_SIZE = 20
PENDING_EVERY = 20  # one user in 20 awaits KYC review
DELETED_EVERY = 50
CHUNK = 20_000  # rows per bulk insert
LATENCY_TARGET = 1.5  # the largest size's median per call at most this many times the smallest's
DRAIN_TARGET = 1.5  # the backlog's last 3 tenths drain at least 1/1.5 as fast as its first 3
STAFF = Actor(user_id="staff-1", roles=frozenset({"admin"}), service="edge")
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


async def run() -> list[Verdict]:
    lines = [
        f"Users: {', '.join(f'{n:,}' for n in USERS)} (a database each, measured interleaved: "
        f"call n at every size before call n + 1); {CALLS} calls of each kind per size, "
        f"page size {PAGE_SIZE}, one user in {PENDING_EVERY} PENDING KYC, one in "
        f"{DELETED_EVERY} deleted. Backlog: {BACKLOG:,} outbox rows drained by one relay.",
        "",
        "| database | users | GetUser p50 ms | p99 | ListUsers (KYC PENDING) first page p50 ms "
        "| p99 | page halfway p50 ms | p99 | KiB allocated per call (GetUser / page) "
        "| seconds to insert |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    verdicts: list[Verdict] = []
    with tempfile.TemporaryDirectory() as folder:
        for label in ("SQLite", "PostgreSQL"):
            async with contextlib.AsyncExitStack() as stack:
                urls = {}
                for size in USERS:
                    if label == "SQLite":
                        urls[size] = f"sqlite+aiosqlite:///{Path(folder) / f'users-{size}.db'}"
                    else:
                        urls[size] = await stack.enter_async_context(_postgres())
                if not all(urls.values()):
                    lines.append(f"| {label} | not reachable | | | | | | | | |")
                    continue
                rows, found = await users_growth(label, urls)
                lines += rows
                verdicts += found
        lines += [
            "",
            "| database | events | events/s per tenth of the backlog | last / first 3 tenths "
            "| RSS MB before / after |",
            "|---|---|---|---|---|",
        ]
        async with _postgres() as backlog_url:
            backlogs = {"SQLite": f"sqlite+aiosqlite:///{Path(folder) / 'outbox.db'}"}
            if backlog_url:
                backlogs["PostgreSQL"] = backlog_url
            for label, url in backlogs.items():
                row, verdict = await drain(label, url, Path(folder))
                lines.append(row)
                verdicts.append(verdict)
    write_report("growth", [*lines, "", *verdict_table(verdicts)])
    return verdicts


# Users


async def users_growth(label: str, urls: dict[int, str]) -> tuple[list[str], list[Verdict]]:
    engines = {size: create_engine(url) for size, url in urls.items()}
    try:
        inserted_s = {}
        for size, url in urls.items():
            await migrate(url, MIGRATIONS)
            started = time.perf_counter()
            await insert_users(engines[size], 0, size)
            await analyze(engines[size])
            inserted_s[size] = time.perf_counter() - started
        figures = await measure_users(
            {size: Deps(partial(UsersUnitOfWork, engine)) for size, engine in engines.items()}
        )
    finally:
        for engine in engines.values():
            await engine.dispose()
    lines = [
        f"| {label} | {size:,} | {f['get'][0]:.2f} | {f['get'][1]:.2f} "
        f"| {f['page'][0]:.2f} | {f['page'][1]:.2f} | {f['deep'][0]:.2f} | {f['deep'][1]:.2f} "
        f"| {f['memory'][0]:.1f} / {f['memory'][1]:.1f} | {inserted_s[size]:.0f} |"
        for size, f in figures.items()
    ]
    small, large = figures[USERS[0]], figures[USERS[-1]]
    verdicts = []
    for kind, what in (("get", "GetUser"), ("page", "ListUsers filtered first page"),
                       ("deep", "ListUsers filtered page halfway")):  # fmt: skip
        ratio = large[kind][0] / small[kind][0]
        verdicts.append(
            Verdict(
                f"{what} median, {USERS[-1]:,} / {USERS[0]:,} users, {label}",
                ratio,
                f"≤ {LATENCY_TARGET}",
                ratio <= LATENCY_TARGET,
            )
        )
    ratio = large["memory"][1] / small["memory"][1]
    verdicts.append(
        Verdict(
            f"memory per ListUsers page, {USERS[-1]:,} / {USERS[0]:,} users, {label}",
            ratio,
            f"≤ {LATENCY_TARGET}",
            ratio <= LATENCY_TARGET,
        )
    )
    return lines, verdicts


def user_rows(start: int, stop: int) -> Iterator[dict[str, Any]]:
    """Users `start` to `stop`, one minute apart (later users are newer)."""
    for index in range(start, stop):
        created = EPOCH + timedelta(minutes=index)
        email = f"user{index:07d}@example.com"
        deleted = index % DELETED_EVERY == DELETED_EVERY - 1
        yield {
            "id": f"u{index:07d}",
            "email": email,
            "email_key": email,
            "active_email_key": None if deleted else email,
            "email_verified": True,
            "display_name": f"User {index}",
            "given_name": "Ada",
            "family_name": f"Number{index}",
            "phone_number": "",
            "locale": "en",
            "time_zone": "Europe/Berlin",
            "address": None,
            "state": "DELETED" if deleted else "ACTIVE",
            "create_time": created,
            "update_time": created,
            "delete_time": created if deleted else None,
            "deleted_by": "",
            "kyc_status": "PENDING" if index % PENDING_EVERY == 0 else "NOT_SUBMITTED",
            "kyc_details": None,
            "kyc_submit_time": created if index % PENDING_EVERY == 0 else None,
            "kyc_review_time": None,
            "kyc_reviewer_id": "",
            "kyc_rejection_reason": None,
            "kyc_rejection_note": "",
        }


async def insert_users(engine: AsyncEngine, start: int, stop: int) -> None:
    columns = [c.name for c in users_table.columns]
    for low in range(start, stop, CHUNK):
        rows = list(user_rows(low, min(stop, low + CHUNK)))
        await bulk_insert(engine, "users", columns, [tuple(r[c] for c in columns) for r in rows])


async def bulk_insert(
    engine: AsyncEngine, table: str, columns: list[str], records: list[tuple[Any, ...]]
) -> None:
    """COPY on PostgreSQL; the driver's executemany in one transaction on SQLite."""
    async with engine.connect() as connection:
        driver: Any = (await connection.get_raw_connection()).driver_connection
        if engine.dialect.name == "postgresql":
            records = [tuple(_json(v) for v in r) for r in records]
            await driver.copy_records_to_table(table, records=records, columns=columns)
            return
        placeholders = ", ".join("?" * len(columns))
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
        await driver.execute("BEGIN")
        await driver.executemany(statement, [tuple(map(_sqlite, r)) for r in records])
        await driver.commit()


def _sqlite(value: Any) -> Any:
    """A value as SQLAlchemy stores it in SQLite (naive UTC times as text, JSON as text)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return _json(value)


def _json(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict) else value


async def analyze(engine: AsyncEngine) -> None:
    """Fresh planner statistics, as autovacuum or SQLite's optimize would keep them."""
    async with engine.begin() as connection:
        await connection.execute(sa.text("ANALYZE"))


async def measure_users(sized: dict[int, Deps]) -> dict[int, dict[str, tuple[float, float]]]:
    calls: dict[int, dict[str, Callable[[int], Awaitable[object]]]] = {}
    for size, deps in sized.items():
        ids = [f"u{random.randrange(size):07d}" for _ in range(CALLS)]
        ids = [i for i in ids if int(i[1:]) % DELETED_EVERY != DELETED_EVERY - 1]
        first = commands.ListUsers(page_size=PAGE_SIZE, kyc_status="PENDING")
        deep = commands.ListUsers(
            page_size=PAGE_SIZE, kyc_status="PENDING", page_token=middle_token(size)
        )
        calls[size] = {
            "get": partial(_get, ids, deps),
            "page": partial(_list, first, deps),
            "deep": partial(_list, deep, deps),
        }
    for kinds in calls.values():  # warm up
        for call in kinds.values():
            for n in range(20):
                await call(n)
    times: dict[int, dict[str, list[float]]] = {
        size: {kind: [] for kind in kinds} for size, kinds in calls.items()
    }
    for n in range(CALLS):  # interleaved, so drift of the machine hits every size alike
        for size, kinds in calls.items():
            for kind, call in kinds.items():
                started = time.perf_counter()
                await call(n)
                times[size][kind].append(time.perf_counter() - started)
    result: dict[int, dict[str, tuple[float, float]]] = {}
    for size, kinds in calls.items():
        result[size] = {kind: _p50_p99(t) for kind, t in times[size].items()}
        result[size]["memory"] = (await _peak_kib(kinds["get"]), await _peak_kib(kinds["page"]))
    return result


async def _get(ids: list[str], deps: Deps, n: int) -> object:
    return await get_user(commands.GetUser(user_id=ids[n % len(ids)], caller=STAFF), deps)


async def _list(command: commands.ListUsers, deps: Deps, n: int) -> object:
    return await list_users(command, deps)


def middle_token(size: int) -> str:
    """The page token of the filtered list's middle: the page after the PENDING user halfway
    through the table (what a client paging that far would hold)."""
    index = size // 2 // PENDING_EVERY * PENDING_EVERY
    query = UserFilter(kyc_status=KycStatus.PENDING).as_query()
    created = (EPOCH + timedelta(minutes=index)).isoformat()
    return encode_page_token(query, {"key": [created, f"u{index:07d}"]})


def _p50_p99(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[int(0.99 * (len(ordered) - 1))] * 1000


async def _peak_kib(call: Callable[[int], Awaitable[object]]) -> float:
    """The most Python memory one call holds at once (median over a few calls)."""
    peaks = []
    tracemalloc.start()
    try:
        for n in range(10):
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            await call(n)
            peaks.append(tracemalloc.get_traced_memory()[1] - before)
    finally:
        tracemalloc.stop()
    return statistics.median(peaks) / 1024


# The relay's backlog


async def drain(label: str, url: str, folder: Path) -> tuple[str, Verdict]:
    await migrate(url, MIGRATIONS)  # the users' schema brings mesh's outbox
    engine = create_engine(url)
    server = BundledNatsServer(folder / f"nats-{label.lower()}")
    server.start()
    nc = await nats.connect(server.url)
    try:
        await ensure_event_stream(nc.jetstream(), "notifications")
        columns = [c.name for c in outbox_table.columns if c.name != "position"]
        for low in range(0, BACKLOG, CHUNK):
            records = [_outbox_record(columns) for _ in range(min(CHUNK, BACKLOG - low))]
            await bulk_insert(engine, "mesh_outbox", columns, records)
        await analyze(engine)
        relay = OutboxRelay(engine, nc, poll_interval_s=0.2)
        tenth = max(1, BACKLOG // 10)
        marks: list[float] = []
        rss_before = procs.rss_bytes(os.getpid()) / 2**20
        started = time.perf_counter()
        sent = 0
        while sent < BACKLOG:
            published = await relay.publish_pending()
            if not published:
                raise RuntimeError(f"the relay stopped with {BACKLOG - sent} events unsent")
            sent += published
            while len(marks) < sent // tenth:
                marks.append(time.perf_counter())
        rss_after = procs.rss_bytes(os.getpid()) / 2**20
    finally:
        await nc.close()
        server.stop()
        await engine.dispose()
    bounds = [started, *marks]
    rates = [tenth / (b - a) for a, b in itertools.pairwise(bounds)]
    ratio = statistics.median(rates[:3]) / statistics.median(rates[-3:])
    row = (
        f"| {label} | {BACKLOG:,} | {' '.join(f'{r:.0f}' for r in rates)} | {1 / ratio:.2f} "
        f"| {rss_before:.0f} / {rss_after:.0f} |"
    )
    verdict = Verdict(
        f"relay draining {BACKLOG:,} events: rate of the first / last 3 tenths, {label}",
        ratio, f"≤ {DRAIN_TARGET}", ratio <= DRAIN_TARGET,
    )  # fmt: skip
    return row, verdict


def _outbox_record(columns: list[str]) -> tuple[Any, ...]:
    envelope = envelope_for(events_pb2.MessageSent(message_id=str(uuid.uuid4())))
    values = {
        "event_id": envelope.event_id,
        "subject": envelope.subject,
        "payload": envelope.payload,
        "headers": dict(envelope.headers),
        "created_at": envelope.created_at,
        "sent_at": None,
    }
    return tuple(values[c] for c in columns)


if __name__ == "__main__":
    asyncio.run(run())
