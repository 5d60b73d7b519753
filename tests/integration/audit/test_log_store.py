"""The log store over real gRPC: WriteLogs from services, ListLogEntries' filters, the purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
import sqlalchemy as sa

from meshwork.audit.v1 import audit_service_pb2 as pb
from meshwork.audit.v1 import resources_pb2
from tests.integration.audit.conftest import fields_of, reason_of

WARNING = resources_pb2.LOG_SEVERITY_WARNING
ERROR = resources_pb2.LOG_SEVERITY_ERROR
INFO = resources_pb2.LOG_SEVERITY_INFO


def a_log(insert_id: str, message: str = "payment declined", **fields) -> resources_pb2.LogEntry:
    values = {
        "insert_id": insert_id,
        "severity": WARNING,
        "message": message,
        "logger": "services.payments.handlers",
        "trace_id": "a" * 32,
        "request_id": "req-1",
    }
    entry = resources_pb2.LogEntry(**(values | fields))
    if not entry.HasField("time"):
        entry.time.FromDatetime(datetime.now(UTC))
    return entry


async def messages_of(stub, metadata, **filters) -> list[str]:
    reply = await stub.ListLogEntries(pb.ListLogEntriesRequest(**filters), metadata=metadata)
    return [entry.message for entry in reply.entries]


async def test_a_resent_batch_is_stored_once(stub, callers) -> None:
    batch = pb.WriteLogsRequest(entries=[a_log("l-1"), a_log("l-2")])
    payments = callers.service("payments")

    first = await stub.WriteLogs(batch, metadata=payments)
    again = await stub.WriteLogs(batch, metadata=payments)
    stored = await stub.ListLogEntries(pb.ListLogEntriesRequest(), metadata=callers.admin())

    assert (first.written_count, again.written_count) == (2, 0)
    assert len(stored.entries) == 2
    assert {entry.service for entry in stored.entries} == {"payments"}  # from its identity
    assert all(entry.HasField("receive_time") for entry in stored.entries)


async def test_logs_are_searched_by_each_filter(stub, callers) -> None:
    now = datetime.now(UTC)
    old = a_log("l-old", "an old warning", trace_id="b" * 32, request_id="req-2")
    old.time.FromDatetime(now - timedelta(hours=2))
    await stub.WriteLogs(
        pb.WriteLogsRequest(
            entries=[
                a_log("l-1"),
                a_log("l-2", "Card DECLINED twice", severity=ERROR),
                a_log("l-3", "routine", severity=INFO),
                old,
            ]
        ),
        metadata=callers.service("payments"),
    )
    await stub.WriteLogs(
        pb.WriteLogsRequest(entries=[a_log("l-4", "profile missing", trace_id="c" * 32)]),
        metadata=callers.service("users"),
    )
    admin = callers.admin()
    hour_ago = pb.ListLogEntriesRequest().start_time
    hour_ago.FromDatetime(now - timedelta(hours=1))

    assert await messages_of(stub, admin, service="users") == ["profile missing"]
    assert await messages_of(stub, admin, min_severity=ERROR) == ["Card DECLINED twice"]
    assert await messages_of(stub, admin, trace_id="c" * 32) == ["profile missing"]
    assert await messages_of(stub, admin, request_id="req-2") == ["an old warning"]
    assert await messages_of(stub, admin, query="declined") == [
        "Card DECLINED twice",
        "payment declined",
    ]
    assert "an old warning" not in await messages_of(stub, admin, start_time=hour_ago)
    first = await stub.ListLogEntries(pb.ListLogEntriesRequest(page_size=3), metadata=admin)
    rest = await stub.ListLogEntries(
        pb.ListLogEntriesRequest(page_size=3, page_token=first.next_page_token), metadata=admin
    )
    assert len(first.entries) == 3 and len(rest.entries) == 2 and rest.next_page_token == ""


async def test_a_batch_over_the_limit_is_refused_whole(stub, callers) -> None:
    batch = pb.WriteLogsRequest(entries=[a_log(f"l-{i}") for i in range(1001)])

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.WriteLogs(batch, metadata=callers.service("users"))
    stored = await stub.ListLogEntries(pb.ListLogEntriesRequest(), metadata=callers.admin())

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(refused.value) == "LOG_BATCH_TOO_LARGE"
    assert list(stored.entries) == []


async def test_a_bad_entry_is_named_and_nothing_of_the_batch_is_stored(stub, callers) -> None:
    bad = resources_pb2.LogEntry(insert_id="", severity=0, message="", trace_id="xyz")
    batch = pb.WriteLogsRequest(entries=[a_log("l-1"), bad])

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.WriteLogs(batch, metadata=callers.service("users"))
    stored = await stub.ListLogEntries(pb.ListLogEntriesRequest(), metadata=callers.admin())

    assert reason_of(refused.value) == "VALIDATION_FAILED"
    assert fields_of(refused.value) == [
        "entries[1].insert_id",
        "entries[1].severity",
        "entries[1].message",
        "entries[1].time",
        "entries[1].trace_id",
    ]
    assert list(stored.entries) == []


async def test_the_purge_deletes_expired_logs_and_keeps_the_trail(
    stub, callers, audit_service
) -> None:
    expired = a_log("l-old", "from last quarter")
    expired.time.FromDatetime(datetime.now(UTC) - timedelta(days=31))
    await stub.WriteLogs(
        pb.WriteLogsRequest(entries=[expired, a_log("l-new")]), metadata=callers.service("users")
    )

    purged = await stub.PurgeExpiredLogEntries(
        pb.PurgeExpiredLogEntriesRequest(), metadata=callers.service("jobs")
    )
    again = await stub.PurgeExpiredLogEntries(
        pb.PurgeExpiredLogEntriesRequest(), metadata=callers.service("jobs")
    )

    assert (purged.purged_entry_count, again.purged_entry_count) == (1, 0)
    assert await messages_of(stub, callers.admin()) == ["payment declined"]
    async with audit_service.runtime.engine.connect() as connection:
        left = await connection.scalar(sa.text("SELECT count(*) FROM log_entries"))
    assert left == 1


async def test_only_jobs_may_purge(stub, callers) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.PurgeExpiredLogEntries(
            pb.PurgeExpiredLogEntriesRequest(), metadata=callers.service("users")
        )

    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
