"""Structured JSON logs that carry the service, request id and trace/span ids of each call."""

from __future__ import annotations

import io
import itertools
import json
import logging
import sys
import time
from collections.abc import Mapping
from typing import Any

import orjson
from opentelemetry import trace

from mesh.context import current_principal, current_request_id

#: What every LogRecord sets, in the order it sets them; `extra` fields come after these.
_RECORD_ATTRS = tuple(logging.makeLogRecord({}).__dict__)
_STANDARD_ATTRS = frozenset(_RECORD_ATTRS) | {"message", "asctime"}
#: ".000+00:00" … ".999+00:00": a timestamp's milliseconds and zone, looked up, not formatted.
_MILLIS = tuple(f".{ms:03d}+00:00" for ms in range(1000))


class JsonFormatter(logging.Formatter):
    """One JSON object per line; `extra={...}` fields are kept as top-level keys.

    It runs for every access-log line, so it is kept cheap: orjson, the timestamp's seconds
    formatted once per second, and only the attributes after the standard ones searched for
    extras.
    """

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service
        self._second = -1
        self._second_text = ""

    def _timestamp(self, created: float) -> str:
        """`2026-11-21T20:59:01.123+00:00` (UTC, milliseconds)."""
        second = int(created)
        if second != self._second:
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return self._second_text + _MILLIS[int((created - second) * 1000)]

    def format(self, record: logging.LogRecord) -> str:
        added = itertools.islice(record.__dict__.items(), len(_RECORD_ATTRS), None)
        extras = {
            key: value
            for key, value in added
            if key not in _STANDARD_ATTRS and not key.startswith("_")
        }
        exception = self.formatException(record.exc_info) if record.exc_info else None
        return self.line(
            record.created, record.levelname, record.name, record.getMessage(), extras, exception
        )

    def line(
        self,
        created: float,
        level: str,
        logger: str,
        message: str,
        fields: Mapping[str, Any],
        exception: str | None = None,
    ) -> str:
        """The JSON line of one record: its time, level, logger and message, the current
        call's request id, trace and caller, then `fields` (its extras) and the exception."""
        entry: dict[str, Any] = {
            "time": self._timestamp(created),
            "level": level.lower(),
            "service": self._service,
            "logger": logger,
            "message": message,
        }
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        principal = current_principal()
        if principal.service:
            entry["caller"] = principal.service
        if principal.user:
            entry["user"] = principal.user.subject
        entry.update(fields)
        if exception is not None:
            entry["exception"] = exception
        try:
            return orjson.dumps(entry, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
        except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits
            return json.dumps(entry, default=str)


class RecordStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A StreamHandler that skips the flush after each record when the stream already hands
    every line to the OS as it is written: stderr does (write-through to the file since
    Python 3.9), as does any line-buffered stream. Each record ends in a newline, so nothing
    waits in a buffer; the flush would only cost a lock and a call per record (the access
    log writes one per call). Other streams are flushed as StreamHandler flushes them."""

    def flush(self) -> None:
        stream = self.stream
        unbuffered = getattr(stream, "write_through", False) and isinstance(
            getattr(stream, "buffer", None), io.RawIOBase
        )
        if not (unbuffered or getattr(stream, "line_buffering", False)):
            super().flush()

    def write_line(self, line: str) -> None:
        """Writes a line already formatted, as `emit` writes a record's: under the handler's
        lock, then flushed as `flush` decides; a failure to write goes to `handleError`."""
        self.acquire()
        try:
            self.stream.write(line + self.terminator)
            self.flush()
        except Exception:
            self.handleError(logging.makeLogRecord({"msg": line}))
        finally:
            self.release()


def log_structured(
    logger: logging.Logger, level: int, message: str, fields: dict[str, Any]
) -> None:
    """Logs `message` with `fields` as its extras, as `logger.log(level, message, extra=fields)`
    does; `fields` must not use the names of LogRecord attributes.

    For the lines logged on every call (the access logs): when the record would reach one
    handler only, a `RecordStreamHandler` with the `JsonFormatter`, with no filter on its way
    (what `configure_logging` sets up), its JSON line is written to that handler directly,
    the same line the formatter makes of the record, without making a LogRecord or passing it
    through the logger hierarchy: that is most of what a logged line costs. Any other set-up
    (more handlers, filters, another formatter or record factory) gets the record.
    """
    if not logger.isEnabledFor(level):
        return
    direct = _json_lines_handler(logger, level)
    if direct is None:
        logger.log(level, message, extra=fields, stacklevel=2)
        return
    handler, formatter = direct
    line = formatter.line(time.time(), logging.getLevelName(level), logger.name, message, fields)
    handler.write_line(line)


def _json_lines_handler(
    logger: logging.Logger, level: int
) -> tuple[RecordStreamHandler, JsonFormatter] | None:
    """The one handler a `level` record of `logger` reaches, and its formatter, when writing
    the formatter's line to it is all that logging the record would do; else None."""
    if logger.disabled or logging.getLogRecordFactory() is not logging.LogRecord:
        return None
    reached: logging.Handler | None = None
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters:
            return None
        for handler in current.handlers:
            if level < handler.level:
                continue  # e.g. the log shipper's, which takes WARNING and above
            if reached is not None:
                return None
            reached = handler
        if not current.propagate:
            break
        current = current.parent
    if not isinstance(reached, RecordStreamHandler) or reached.filters:
        return None
    formatter = reached.formatter
    return (reached, formatter) if isinstance(formatter, JsonFormatter) else None


def configure_logging(service: str, *, level: str = "INFO", json_output: bool = True) -> None:
    """Routes the root logger to stderr, as JSON lines (or plain text for local reading).

    Records skip the thread and process names: no line shows them, and each costs on every
    record. The access logs' lines are written straight to the handler (`log_structured`).
    """
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = RecordStreamHandler(sys.stderr)
    if json_output:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
