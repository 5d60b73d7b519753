"""Logging as a service process sets it up, into a stream of the test's choosing."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from typing import Any, TextIO, cast

from mesh.logs import configure_logging


@contextlib.contextmanager
def service_logging(stream: TextIO, service: str = "testing") -> Iterator[None]:
    """`mesh.logs.configure_logging(service)`, writing to `stream` instead of stderr; the root
    logger's handlers (pytest's among them) and level are restored on exit."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging(service)
    cast(logging.StreamHandler, root.handlers[0]).setStream(stream)  # type: ignore[type-arg]
    try:
        yield
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def json_lines(text: str, logger: str) -> list[dict[str, Any]]:
    """The JSON lines in `text` that `logger` wrote, parsed."""
    entries = [json.loads(line) for line in text.splitlines()]
    return [entry for entry in entries if entry["logger"] == logger]
