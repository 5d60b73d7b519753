"""JSON log lines: one object per line with the call's context and the record's extras."""

from __future__ import annotations

import io
import json
import logging
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from mesh.context import Principal, User, principal_var, request_id_var
from mesh.logs import JsonFormatter, RecordStreamHandler, configure_logging


def _record(**extra: object) -> logging.LogRecord:
    logger = logging.getLogger("meshwork.test")
    return logger.makeRecord(
        "meshwork.test", logging.INFO, __file__, 1, "%s did %s", ("alice", "this"), None,
        extra=extra,
    )  # fmt: skip


def test_a_line_carries_time_level_service_message_and_extras() -> None:
    record = _record(rpc="/a.B/C", duration_ms=1.5, amount=Decimal("2.50"))
    record.created = datetime(2026, 11, 21, 20, 59, 1, 123456, tzinfo=UTC).timestamp()
    entry = json.loads(JsonFormatter("users").format(record))
    assert entry == {
        "time": "2026-11-21T20:59:01.123+00:00",
        "level": "info",
        "service": "users",
        "logger": "meshwork.test",
        "message": "alice did this",
        "rpc": "/a.B/C",
        "duration_ms": 1.5,
        "amount": "2.50",  # what JSON cannot hold is written as text
    }


def test_the_timestamp_follows_the_record_across_seconds() -> None:
    formatter = JsonFormatter("users")
    record = _record()
    for moment in (datetime(2026, 1, 1, 0, 0, 59, 999000, tzinfo=UTC),
                   datetime(2026, 1, 1, 0, 1, 0, 0, tzinfo=UTC)):  # fmt: skip
        record.created = moment.timestamp()
        stamp = json.loads(formatter.format(record))["time"]
        assert datetime.fromisoformat(stamp) == moment


def test_the_request_id_and_caller_of_the_current_call_are_included() -> None:
    request = request_id_var.set("req-7")
    caller = principal_var.set(Principal(service="edge", user=User(subject="u1")))
    try:
        entry = json.loads(JsonFormatter("users").format(_record()))
    finally:
        principal_var.reset(caller)
        request_id_var.reset(request)
    assert (entry["request_id"], entry["caller"], entry["user"]) == ("req-7", "edge", "u1")


def test_exceptions_and_values_beyond_64_bits_are_written() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.getLogger("meshwork.test").makeRecord(
            "meshwork.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info(),
            extra={"huge": 2**70},
        )  # fmt: skip
    entry = json.loads(JsonFormatter("users").format(record))
    assert entry["huge"] == 2**70  # orjson stops at 64 bits; the standard encoder takes over
    assert "ValueError: broken" in entry["exception"]


class _CountingFlushes(io.TextIOWrapper):
    flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


def _stream(path: Path, *, raw: bool = False, **options: bool) -> _CountingFlushes:
    return _CountingFlushes(open(path, "wb", buffering=0 if raw else 8192), **options)


@pytest.mark.parametrize(
    "options", [{"write_through": True, "raw": True}, {"line_buffering": True}]
)
def test_a_stream_that_hands_lines_to_the_os_gets_each_record_without_a_flush(
    tmp_path: Path, options: dict[str, bool]
) -> None:
    path = tmp_path / "log"
    with _stream(path, **options) as stream:
        RecordStreamHandler(stream).handle(_record())
        assert path.read_text() == "alice did this\n"  # read beside the handler, not through it
        assert stream.flushes == 0


@pytest.mark.parametrize(
    "options", [{}, {"write_through": True}], ids=["buffered", "write-through to buffer"]
)
def test_a_buffered_stream_is_flushed_after_each_record(
    tmp_path: Path, options: dict[str, bool]
) -> None:
    # Write-through over a buffered file hands the text on, but the file's buffer holds it.
    path = tmp_path / "log"
    with _stream(path, **options) as stream:
        handler = RecordStreamHandler(stream)
        handler.handle(_record())
        handler.handle(_record())
        assert path.read_text() == "alice did this\n" * 2
        assert stream.flushes == 2


def test_services_log_to_stderr_through_the_handler() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("users")
        [handler] = root.handlers
        assert isinstance(handler, RecordStreamHandler)
        assert handler.stream is sys.stderr
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
