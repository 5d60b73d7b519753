"""Ships a service's WARNING-and-above log records to the audit service, never holding it up.

::

    shipper = LogShipper(sink, service="users", level="WARNING")
    shipper.install()        # a handler on the root logger: records go to a bounded buffer
    await shipper.start()    # a background loop sends them in batches (WriteLogs)
    ...
    await shipper.stop()     # one last batch (bounded by the stop timeout), then uninstall

Logging a record only appends it to a bounded buffer under a lock: the caller never waits for
the network, and when audit is slow or down the buffer fills and further records are dropped
(counted in ``meshwork_log_records_dropped_total{reason="buffer_full"}``), as are batches
audit refused or never answered (``reason="send_failed"``). While records are being dropped
a warning line says how many, at most once per report interval; it goes to the local log
only (the shipper's own records, and any logged while a batch is sent, are never shipped, so
an audit outage cannot feed itself). `mesh.service` installs it in every service whose audit
address is configured; the audit service does not ship to itself.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import functools
import logging
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence

from google.protobuf import struct_pb2
from opentelemetry import trace
from prometheus_client import Counter

from mesh.background import BackgroundLoop
from mesh.context import current_request_id
from meshwork.audit.v1 import audit_service_pb2, audit_service_pb2_grpc, resources_pb2

logger = logging.getLogger("meshwork.log_shipping")

#: Sends one batch; raises when it was not stored (`audit_sink` sends to audit's WriteLogs).
LogSink = Callable[[Sequence[resources_pb2.LogEntry]], Awaitable[None]]

#: Set while a batch is sent: what is logged meanwhile (by the client, the breaker) stays local.
_sending: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "meshwork_log_sending", default=False
)

_SEVERITIES = (
    (logging.CRITICAL, resources_pb2.LOG_SEVERITY_CRITICAL),
    (logging.ERROR, resources_pb2.LOG_SEVERITY_ERROR),
    (logging.WARNING, resources_pb2.LOG_SEVERITY_WARNING),
    (logging.INFO, resources_pb2.LOG_SEVERITY_INFO),
)
#: What every LogRecord has; the other attributes (`extra=`) are shipped as its attributes.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


@functools.cache
def _dropped() -> Counter:
    return Counter(
        "meshwork_log_records_dropped",
        "Log records that were not shipped to the audit service, by reason.",
        ["reason"],
    )


def severity_of(levelno: int) -> int:
    """The contract's LogSeverity of a logging level (below INFO is DEBUG)."""
    for threshold, severity in _SEVERITIES:
        if levelno >= threshold:
            return severity
    return resources_pb2.LOG_SEVERITY_DEBUG


class LogShipper(BackgroundLoop):
    """A logging handler's buffer and the loop that empties it into `sink` (see the module)."""

    def __init__(
        self,
        sink: LogSink,
        *,
        service: str,
        instance: str = "",
        level: int | str = logging.WARNING,
        capacity: int = 10_000,
        batch_size: int = 500,
        flush_interval_s: float = 1.0,
        report_interval_s: float = 60.0,
        stop_timeout_s: float = 5.0,
    ) -> None:
        super().__init__("log-shipper", stop_timeout_s=stop_timeout_s)
        self.handler = _BufferingHandler(self, level)
        self.service = service
        self._sink = sink
        self._instance = instance
        self._capacity = capacity
        self._batch_size = batch_size
        self._flush_interval_s = flush_interval_s
        self._report_interval_s = report_interval_s
        self._buffer: collections.deque[resources_pb2.LogEntry] = collections.deque()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake_pending = False
        self.shipped = 0
        self.dropped = 0
        self._dropped_unreported = 0
        self._last_failure = "the buffer was full"
        self._last_report = time.monotonic()

    def install(self) -> None:
        """Adds the handler to the root logger (records start filling the buffer)."""
        logging.getLogger().addHandler(self.handler)

    def uninstall(self) -> None:
        logging.getLogger().removeHandler(self.handler)

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def offer(self, record: logging.LogRecord) -> None:
        """Buffers `record` as a LogEntry, or counts it dropped when the buffer is full."""
        if _sending.get() or record.name.startswith(logger.name):
            return
        entry = self._entry_of(record)
        with self._lock:
            if len(self._buffer) >= self._capacity:
                self._count_dropped(1, "buffer_full")
                return
            self._buffer.append(entry)
            full = len(self._buffer) >= self._batch_size and not self._wake_pending
            if full:
                self._wake_pending = True
        if full and self._loop is not None:
            self._loop.call_soon_threadsafe(self.wake)

    async def prepare(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def run_once(self) -> float:
        """Sends one batch; waits for the next unless the buffer still holds a full one."""
        _sending.set(True)  # this loop's task only: its own logging is never shipped
        self._report_drops()
        batch = self._take()
        if batch:
            await self._send(batch)
        return 0.0 if self.buffered >= self._batch_size else self._flush_interval_s

    async def release(self) -> None:
        """Sends what is left, once (stop's timeout bounds it), then stops taking records."""
        self.uninstall()
        _sending.set(True)
        batch = self._take()
        if batch:
            try:
                await asyncio.wait_for(self._send(batch), self._stop_timeout_s)
            except TimeoutError:
                self._count_dropped(len(batch), "send_failed")
        self._report_drops(final=True)

    async def _send(self, batch: list[resources_pb2.LogEntry]) -> None:
        try:
            await self._sink(batch)
        except Exception as error:  # audit down or refusing: drop, count, and carry on
            self._count_dropped(len(batch), "send_failed")
            self._last_failure = repr(error)
        else:
            self.shipped += len(batch)

    def _take(self) -> list[resources_pb2.LogEntry]:
        with self._lock:
            count = min(self._batch_size, len(self._buffer))
            batch = [self._buffer.popleft() for _ in range(count)]
            self._wake_pending = False
        return batch

    def _count_dropped(self, count: int, reason: str) -> None:
        self.dropped += count
        self._dropped_unreported += count
        _dropped().labels(reason).inc(count)

    def _report_drops(self, *, final: bool = False) -> None:
        now = time.monotonic()
        if not self._dropped_unreported:
            return
        if final or now - self._last_report >= self._report_interval_s:
            logger.warning(
                "log shipping to audit dropped %d records in the last %.0f s (%d in all; "
                "last failure: %s); they are in this service's own log only",
                self._dropped_unreported, now - self._last_report, self.dropped,
                self._last_failure,
            )  # fmt: skip
            self._dropped_unreported = 0
            self._last_report = now

    def _entry_of(self, record: logging.LogRecord) -> resources_pb2.LogEntry:
        span = trace.get_current_span().get_span_context()
        entry = resources_pb2.LogEntry(
            insert_id=uuid.uuid4().hex,
            instance=self._instance,
            severity=severity_of(record.levelno),  # type: ignore[arg-type]
            logger=record.name,
            message=_message_of(record),
            trace_id=format(span.trace_id, "032x") if span.is_valid else "",
            span_id=format(span.span_id, "016x") if span.is_valid else "",
            request_id=current_request_id(),
            attributes=_attributes_of(record),
        )
        entry.time.FromNanoseconds(int(record.created * 1e9))
        return entry


class _BufferingHandler(logging.Handler):
    """The root logger's handler that hands records to the shipper's buffer."""

    def __init__(self, shipper: LogShipper, level: int | str) -> None:
        super().__init__(level)
        self._shipper = shipper

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._shipper.offer(record)
        except Exception:  # never let shipping break the caller's logging
            self.handleError(record)


def _message_of(record: logging.LogRecord) -> str:
    message = record.getMessage()
    if record.exc_info and record.exc_info[0] is not None:
        message += "\n" + logging.Formatter().formatException(record.exc_info)
    return message[:32_000]


def _attributes_of(record: logging.LogRecord) -> struct_pb2.Struct:
    attributes = struct_pb2.Struct()
    for key, value in record.__dict__.items():
        if key in _STANDARD or key.startswith("_"):
            continue
        attributes[key] = value if isinstance(value, str | int | float | bool) else str(value)
    return attributes


def audit_sink(stub: audit_service_pb2_grpc.AuditServiceStub, *, timeout_s: float = 5.0) -> LogSink:
    """Sends batches to the audit service's WriteLogs (a resent batch is stored once)."""

    async def write(batch: Sequence[resources_pb2.LogEntry]) -> None:
        await stub.WriteLogs(audit_service_pb2.WriteLogsRequest(entries=batch), timeout=timeout_s)

    return write
