"""Access-log records: made cheaply, yet as the logging module would make them."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from mesh.interceptors.request_context import _access_record, logger


@pytest.fixture
def lean_records() -> Iterator[None]:
    """Records without thread and process fields, as `mesh.logs.configure_logging` sets up."""
    saved = (logging.logThreads, logging.logProcesses, logging.logMultiprocessing)
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    try:
        yield
    finally:
        logging.logThreads, logging.logProcesses, logging.logMultiprocessing = saved


def test_a_record_has_the_fields_of_one_the_logger_makes_in_the_same_order(lean_records) -> None:
    before = time.time()
    record = _access_record(logging.ERROR, "/a.B/C INTERNAL")
    made = logger.makeRecord(logger.name, logging.ERROR, __file__, 0, "", (), None)

    assert list(vars(record)) == list(vars(made))
    assert (record.levelname, record.name, record.getMessage()) == (
        "ERROR",
        "meshwork.access",
        "/a.B/C INTERNAL",
    )
    assert before <= record.created <= made.created
    assert record.msecs == int((record.created - int(record.created)) * 1000)
    elapsed_ms = (made.created - record.created) * 1000
    assert record.relativeCreated == pytest.approx(made.relativeCreated - elapsed_ms, abs=0.01)


def test_a_record_factory_the_process_installs_makes_the_records(lean_records) -> None:
    class Tagged(logging.LogRecord):
        tagged = True

    logging.setLogRecordFactory(Tagged)
    try:
        record = _access_record(logging.INFO, "/a.B/C OK")
    finally:
        logging.setLogRecordFactory(logging.LogRecord)
    assert isinstance(record, Tagged)
    assert record.getMessage() == "/a.B/C OK"


def test_records_carry_the_thread_when_the_process_asks_for_it() -> None:
    saved = logging.logThreads
    logging.logThreads = True
    try:
        record = _access_record(logging.INFO, "/a.B/C OK")
    finally:
        logging.logThreads = saved
    assert record.threadName is not None
