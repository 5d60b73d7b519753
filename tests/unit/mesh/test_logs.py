"""JSON log lines: one object per line with the call's context and the record's extras."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mesh.context import Principal, User, principal_var, request_id_var
from mesh.logs import JsonFormatter, RecordStreamHandler, configure_logging, log_structured
from tests.support.logs import service_logging


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


LOGGER = "meshwork.test.hot"


@contextlib.contextmanager
def service_log() -> Iterator[io.StringIO]:
    """The root logger as a service sets it up, writing into the returned stream (set up in
    the test itself: pytest adds its own handlers to the root logger as each test starts)."""
    stream = io.StringIO()
    with service_logging(stream, "users"):
        yield stream


@pytest.fixture
def no_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """Makes any LogRecord of LOGGER fail the test: its lines must be written directly."""

    def refuse(*args: object, **kwargs: object) -> logging.LogRecord:
        raise AssertionError("a LogRecord was made")

    monkeypatch.setattr(logging.getLogger(LOGGER), "makeRecord", refuse)


def _in_a_call() -> contextlib.AbstractContextManager[None]:
    @contextlib.contextmanager
    def scope() -> Iterator[None]:
        request = request_id_var.set("req-9")
        caller = principal_var.set(Principal(service="edge", user=User(subject="u1")))
        try:
            yield
        finally:
            principal_var.reset(caller)
            request_id_var.reset(request)

    return scope()


def test_a_structured_line_is_written_directly_as_the_formatter_writes_its_record(
    no_records: None,
) -> None:
    fields = {"route": "/v1/users/{id}", "code": 200, "duration_ms": 0.42}
    with service_log() as stream, _in_a_call():
        log_structured(logging.getLogger(LOGGER), logging.WARNING, "GET /v1/users/{id} 200", fields)
        record = logging.makeLogRecord(
            {"name": LOGGER, "levelno": logging.WARNING, "levelname": "WARNING",
             "msg": "GET /v1/users/{id} 200", **fields}
        )  # fmt: skip
        expected = json.loads(JsonFormatter("users").format(record))
    [line] = stream.getvalue().splitlines()
    written = json.loads(line)
    assert list(written) == list(expected)  # same fields, in the same order
    assert {**written, "time": ""} == {**expected, "time": ""}
    assert (written["level"], written["request_id"], written["caller"]) == (
        "warning",
        "req-9",
        "edge",
    )
    assert datetime.fromisoformat(written["time"]) <= datetime.now(UTC)


def test_a_structured_line_below_the_level_is_not_written(no_records: None) -> None:
    with service_log() as stream:
        log_structured(logging.getLogger(LOGGER), logging.DEBUG, "quiet", {"code": 1})
    assert stream.getvalue() == ""


def _filtered_out(logger: logging.Logger, handler: logging.Handler) -> None:
    logger.addFilter(lambda record: False)


def _handler_filtered_out(logger: logging.Logger, handler: logging.Handler) -> None:
    handler.addFilter(lambda record: False)


def _handler_above_the_level(logger: logging.Logger, handler: logging.Handler) -> None:
    handler.setLevel(logging.ERROR)


def _logger_disabled(logger: logging.Logger, handler: logging.Handler) -> None:
    logger.disabled = True


@pytest.mark.parametrize(
    "set_up", [_filtered_out, _handler_filtered_out, _handler_above_the_level, _logger_disabled]
)
def test_a_set_up_that_drops_the_record_gets_no_line(set_up: Any) -> None:
    logger = logging.getLogger(LOGGER)
    with service_log() as stream:
        [handler] = logging.getLogger().handlers
        set_up(logger, handler)
        try:
            log_structured(logger, logging.INFO, "dropped", {"code": 1})
        finally:
            logger.filters.clear()
            logger.disabled = False
    assert stream.getvalue() == ""


def test_other_handlers_formatters_and_record_factories_get_the_record() -> None:
    logger = logging.getLogger(LOGGER)
    plain = io.StringIO()
    handler = logging.StreamHandler(plain)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s code=%(code)s"))

    class Tagged(logging.LogRecord):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.tag = "tagged"

    with service_log() as stream:
        [root_handler] = logging.getLogger().handlers
        logger.addHandler(handler)
        logging.setLogRecordFactory(Tagged)
        try:
            log_structured(logger, logging.INFO, "both", {"code": 7})
            logger.removeHandler(handler)
            root_handler.setFormatter(logging.Formatter("%(message)s %(tag)s"))
            log_structured(logger, logging.INFO, "text", {"code": 8})
        finally:
            logging.setLogRecordFactory(logging.LogRecord)
            logger.removeHandler(handler)
    assert plain.getvalue() == "INFO both code=7\n"
    first, second = stream.getvalue().splitlines()
    assert json.loads(first)["tag"] == "tagged"  # the factory's record reached the formatter
    assert second == "text tagged"


def test_a_line_that_cannot_be_written_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reported: list[str] = []
    with service_log() as stream:
        [handler] = logging.getLogger().handlers
        monkeypatch.setattr(handler, "handleError", lambda record: reported.append(record.msg))
        stream.close()  # writing now raises ValueError
        log_structured(logging.getLogger(LOGGER), logging.INFO, "lost", {"code": 1})
    [line] = reported
    assert json.loads(line)["message"] == "lost"
