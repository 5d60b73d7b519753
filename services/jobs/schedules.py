"""Cron schedules: which tick is due, when the next one is, and the job each tick starts (pure).

Expressions have the standard five fields (minute hour day month weekday), or six with a
leading seconds field (`*/5 * * * * *`: every five seconds), or a macro such as `@hourly`.
They are read in the schedule's IANA time zone, so `0 3 * * *` in Europe/London follows DST.
"""

from __future__ import annotations

import functools
import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

#: Jobs started by a schedule say so in `enqueued_by`.
SCHEDULE_ENQUEUER = "schedule"
#: Namespace of the job ids derived from (schedule, tick).
_TICK_NAMESPACE = uuid.UUID("6f1d8a52-4b1e-4d0e-9a63-2f1c0e7b9d14")
_EPSILON = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A cron schedule as configured."""

    id: str
    cron_expression: str
    job_type: str
    job_payload: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    time_zone: str = "UTC"
    enabled: bool = True
    max_attempts: int = 0

    def latest_tick(self, now: datetime) -> datetime:
        """The last tick at or before `now` (UTC)."""
        return _ticks(self.cron_expression, self.time_zone, now + _EPSILON).get_prev(datetime)

    def next_tick(self, after: datetime) -> datetime:
        """The first tick strictly after `after` (UTC)."""
        return _ticks(self.cron_expression, self.time_zone, after).get_next(datetime)

    def due_tick(self, last_fired: datetime | None, now: datetime) -> datetime | None:
        """The tick to fire now: the latest one at or before `now` that is after `last_fired`.

        Ticks missed while no scheduler ran are not replayed one by one: the latest fires once.
        """
        if last_fired is None:
            return None
        tick = self.latest_tick(now)
        return tick if tick > last_fired else None


@dataclass(slots=True)
class ScheduleState:
    """What the schedulers remember of a schedule: the last tick fired and its job."""

    schedule_id: str
    last_tick: datetime
    last_run_time: datetime | None = None
    last_job_id: str = ""


def tick_job_id(schedule_id: str, tick: datetime) -> str:
    """The id of the job a tick starts: the same for every scheduler, so a tick fires once."""
    return str(uuid.uuid5(_TICK_NAMESPACE, f"{schedule_id}@{_iso(tick)}"))


def tick_idempotency_key(schedule_id: str, tick: datetime) -> str:
    return f"{schedule_id}@{_iso(tick)}"


def cron_problem(expression: str) -> str:
    """What is wrong with a cron expression, or "" when it is valid."""
    fields = expression.split()
    if not fields:
        return "is required, for example '0 * * * *' (hourly)"
    if not fields[0].startswith("@") and len(fields) not in (5, 6):
        return (
            f"must have 5 fields (minute hour day month weekday) or 6 with leading seconds, "
            f"got {len(fields)}"
        )
    try:
        _ticks(expression, "UTC", datetime.now(UTC)).get_next(datetime)
    except (CroniterBadCronError, CroniterBadDateError, ValueError) as error:
        return f"is not a valid cron expression: {error}"
    return ""


def time_zone_problem(name: str) -> str:
    if name not in _time_zones():
        return "must be an IANA time zone, for example 'UTC' or 'Europe/London'"
    return ""


def _ticks(expression: str, time_zone: str, start: datetime) -> _UtcTicks:
    local = start.astimezone(zoneinfo.ZoneInfo(time_zone))
    return _UtcTicks(croniter(expression, local, second_at_beginning=True))


class _UtcTicks:
    """croniter's iteration, answered in UTC."""

    def __init__(self, ticks: croniter) -> None:
        self._ticks = ticks

    def get_next(self, kind: type[datetime]) -> datetime:
        return self._as_utc(self._ticks.get_next(kind))

    def get_prev(self, kind: type[datetime]) -> datetime:
        return self._as_utc(self._ticks.get_prev(kind))

    @staticmethod
    def _as_utc(moment: Any) -> datetime:
        if not isinstance(moment, datetime):
            raise TypeError(f"croniter returned {moment!r}, not a datetime")
        return moment.astimezone(UTC)


@functools.cache  # reads the time-zone database once, at first use
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() | {"UTC"})


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
