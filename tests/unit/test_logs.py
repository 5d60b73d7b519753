"""JSON log lines: one object per line with the call's context and the record's extras."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from decimal import Decimal

from mesh.context import Principal, User, principal_var, request_id_var
from mesh.logs import JsonFormatter


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
