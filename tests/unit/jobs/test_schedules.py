"""Cron schedules: valid expressions, due ticks, catching up, time zones, tick job ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.jobs.schedules import Schedule, cron_problem, tick_job_id

T0 = datetime(2030, 3, 1, 10, 0, 0, tzinfo=UTC)


def schedule(cron: str, **overrides: object) -> Schedule:
    return Schedule(id="every", cron_expression=cron, job_type="tests.noop", **overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("", "is required"),
        ("* * * *", "must have 5 fields"),
        ("61 * * * *", "is not a valid cron expression"),
        ("a b c d e", "is not a valid cron expression"),
        ("* * * * * * *", "must have 5 fields"),
    ],
)
def test_bad_cron_expressions_say_what_is_wrong(expression: str, problem: str) -> None:
    assert problem in cron_problem(expression)


@pytest.mark.parametrize("expression", ["0 * * * *", "*/5 * * * * *", "@hourly", "30 3 * * 1-5"])
def test_good_cron_expressions_pass(expression: str) -> None:
    assert cron_problem(expression) == ""


def test_a_six_field_expression_has_seconds_first() -> None:
    every_five_seconds = schedule("*/5 * * * * *")
    assert every_five_seconds.next_tick(T0) == T0 + timedelta(seconds=5)
    assert every_five_seconds.latest_tick(T0 + timedelta(seconds=7)) == T0 + timedelta(seconds=5)


def test_a_tick_is_due_once_its_time_has_come() -> None:
    hourly = schedule("0 * * * *")
    assert hourly.due_tick(T0, T0 + timedelta(minutes=59)) is None
    assert hourly.due_tick(T0, T0 + timedelta(hours=1)) == T0 + timedelta(hours=1)


def test_missed_ticks_fire_once_as_the_latest() -> None:
    hourly = schedule("0 * * * *")
    assert hourly.due_tick(T0, T0 + timedelta(hours=5, minutes=3)) == T0 + timedelta(hours=5)


def test_an_unseen_schedule_has_nothing_due() -> None:
    assert schedule("* * * * * *").due_tick(None, T0) is None


def test_expressions_follow_the_schedules_time_zone() -> None:
    three_am_london = schedule("0 3 * * *", time_zone="Europe/London")
    summer = datetime(2030, 7, 1, 0, 0, tzinfo=UTC)
    assert three_am_london.next_tick(summer) == datetime(2030, 7, 1, 2, 0, tzinfo=UTC)
    winter = datetime(2030, 1, 1, 0, 0, tzinfo=UTC)
    assert three_am_london.next_tick(winter) == datetime(2030, 1, 1, 3, 0, tzinfo=UTC)


def test_a_tick_always_gets_the_same_job_id() -> None:
    assert tick_job_id("nightly", T0) == tick_job_id("nightly", T0)
    assert tick_job_id("nightly", T0) != tick_job_id("nightly", T0 + timedelta(seconds=1))
    assert tick_job_id("nightly", T0) != tick_job_id("hourly", T0)
