"""The wall clock every service reads: aware UTC datetimes, passed around as a callable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

#: What a handler's dependencies take as their clock, so tests can pass a fixed one.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC (never a naive datetime)."""
    return datetime.now(UTC)
