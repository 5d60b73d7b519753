"""Shipping log records to audit: batched, never blocking the caller, drops counted and told."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence

import pytest
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from prometheus_client import REGISTRY

from mesh.context import request_id_var
from mesh.log_shipping import LogShipper
from meshwork.audit.v1 import resources_pb2
from tests.support.waiting import eventually

app_logger = logging.getLogger("services.example.handlers")


class FakeSink:
    """Audit's WriteLogs: records each batch; `blocked` holds every call until released,
    `failing` refuses them."""

    def __init__(self, *, blocked: bool = False, failing: bool = False) -> None:
        self.batches: list[list[resources_pb2.LogEntry]] = []
        self.failing = failing
        self.released = asyncio.Event()
        if not blocked:
            self.released.set()
        self.calls = 0

    async def __call__(self, batch: Sequence[resources_pb2.LogEntry]) -> None:
        self.calls += 1
        logging.getLogger("mesh.client").warning("sending a batch")  # must not be shipped
        await self.released.wait()
        if self.failing:
            raise ConnectionError("audit is unavailable")
        self.batches.append(list(batch))

    @property
    def messages(self) -> list[str]:
        return [entry.message for batch in self.batches for entry in batch]


@contextlib.asynccontextmanager
async def shipping(sink: FakeSink, **options: object) -> AsyncIterator[LogShipper]:
    shipper = LogShipper(sink, service="example", flush_interval_s=0.05, **options)  # type: ignore[arg-type]
    shipper.install()
    await shipper.start()
    try:
        yield shipper
    finally:
        sink.released.set()
        await shipper.stop()


def dropped_total(reason: str) -> float:
    value = REGISTRY.get_sample_value("meshwork_log_records_dropped_total", {"reason": reason})
    return value or 0.0


async def until(condition) -> None:
    await eventually(condition, timeout_s=5)


async def test_warnings_and_above_are_shipped_in_batches_with_their_context() -> None:
    sink = FakeSink()
    context = SpanContext(0xABC, 0xDEF, is_remote=False, trace_flags=TraceFlags(1))
    async with shipping(sink, batch_size=2) as shipper:
        token = request_id_var.set("req-9")
        try:
            with trace.use_span(NonRecordingSpan(context)):
                app_logger.info("routine")
                app_logger.warning("card declined for %s", "pay-1", extra={"payment_id": "pay-1"})
                app_logger.error("provider timed out")
        finally:
            request_id_var.reset(token)
        await until(lambda: len(sink.messages) == 2)

    warning, error = [entry for batch in sink.batches for entry in batch]
    assert (warning.message, warning.severity) == ("card declined for pay-1", 3)
    assert error.severity == resources_pb2.LOG_SEVERITY_ERROR
    assert warning.logger == "services.example.handlers"
    assert (warning.trace_id, warning.span_id) == (f"{0xABC:032x}", f"{0xDEF:016x}")
    assert warning.request_id == "req-9" and warning.attributes["payment_id"] == "pay-1"
    assert warning.insert_id != error.insert_id and warning.HasField("time")
    assert shipper.shipped == 2


async def test_a_slow_audit_never_blocks_the_caller_and_the_overflow_is_counted() -> None:
    sink = FakeSink(blocked=True)
    before = dropped_total("buffer_full")
    async with shipping(sink, capacity=10, batch_size=5) as shipper:
        for n in range(5):
            app_logger.warning("first %d", n)
        await until(lambda: sink.calls == 1)  # that batch is now stuck in the slow sink
        started = time.perf_counter()
        for n in range(1000):
            app_logger.warning("burst %d", n)
        elapsed = time.perf_counter() - started

        assert shipper.buffered == 10 and shipper.dropped == 990
        assert dropped_total("buffer_full") - before == 990
        assert elapsed < 2.0  # generous: 1000 records, no waiting on the sink
        sink.released.set()
        await until(lambda: len(sink.messages) == 15)
    assert sink.messages[:6] == [*(f"first {n}" for n in range(5)), "burst 0"]


async def test_failed_batches_are_dropped_counted_and_reported_locally_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sink = FakeSink(failing=True)
    before = dropped_total("send_failed")
    async with shipping(sink, batch_size=3, report_interval_s=0.0) as shipper:
        app_logger.warning("lost 1")
        app_logger.warning("lost 2")
        await until(lambda: shipper.dropped == 2)
        await until(lambda: any("dropped 2 records" in r.getMessage() for r in caplog.records))
        sink.failing = False
        app_logger.warning("kept")
        await until(lambda: sink.messages == ["kept"])

    report = next(r for r in caplog.records if "dropped 2 records" in r.getMessage())
    assert report.name == "meshwork.log_shipping" and report.levelno == logging.WARNING
    assert "audit is unavailable" in report.getMessage()
    assert dropped_total("send_failed") - before == 2
    # Neither the report nor what was logged while sending went to audit.
    assert sink.messages == ["kept"]


async def test_what_is_left_is_sent_on_stop_and_the_handler_removed() -> None:
    sink = FakeSink()
    shipper = LogShipper(sink, service="example", flush_interval_s=60)
    shipper.install()
    await shipper.start()
    app_logger.warning("last words")

    await shipper.stop()
    app_logger.warning("after the end")

    assert sink.messages == ["last words"]
    assert shipper.handler not in logging.getLogger().handlers


async def test_the_level_is_configurable() -> None:
    sink = FakeSink()
    async with shipping(sink, level="ERROR"):
        app_logger.warning("not this")
        app_logger.error("this")
        await until(lambda: sink.messages == ["this"])
