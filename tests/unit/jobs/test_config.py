"""Settings: schedules are checked at start-up, naming the setting that is wrong."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from services.jobs.config import JobsSettings, ScheduleSetting, resolve_schedules
from tests.unit.jobs.conftest import registry_with_test_jobs


def settings(**values: object) -> JobsSettings:
    return JobsSettings(database_url="sqlite+aiosqlite:///:memory:", **values)  # type: ignore[arg-type]


def test_a_bad_cron_expression_stops_start_up_naming_it() -> None:
    with pytest.raises(ValidationError) as caught:
        settings(schedules=[{"name": "broken", "cron": "61 * * * *", "job_type": "tests.noop"}])
    assert "schedules.0.cron" in str(caught.value)
    assert "not a valid cron expression" in str(caught.value)


def test_a_bad_time_zone_or_name_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        settings(
            schedules=[
                {"name": "Bad Name", "cron": "* * * * *", "job_type": "tests.noop"},
                {"name": "ok", "cron": "* * * * *", "job_type": "tests.noop", "time_zone": "Mars"},
            ]
        )
    assert "schedules.0.name" in str(caught.value)
    assert "schedules.1.time_zone" in str(caught.value)


def test_schedule_names_are_unique() -> None:
    twice = {"name": "same", "cron": "* * * * *", "job_type": "tests.noop"}
    with pytest.raises(ValidationError, match="names \\['same'\\] more than once"):
        settings(schedules=[twice, twice])


def test_schedules_come_from_json_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "JOBS_SCHEDULES",
        '[{"name": "weekly-report", "cron": "0 8 * * 1", "job_type": "tests.report",'
        ' "payload": {"week": "current"}}]',
    )
    [weekly] = JobsSettings(database_url="sqlite+aiosqlite:///:memory:").schedules
    assert (weekly.name, weekly.payload) == ("weekly-report", {"week": "current"})


def test_a_schedule_of_an_unregistered_job_type_stops_start_up() -> None:
    configured = settings(
        schedules=[ScheduleSetting(name="typo", cron="* * * * *", job_type="tests.nope")]
    )
    with pytest.raises(ValueError, match=r"JOBS_SCHEDULES\[0\] \(typo\).job_type"):
        resolve_schedules(configured, registry_with_test_jobs())


def test_a_schedule_payload_is_checked_by_its_job_type() -> None:
    configured = settings(
        schedules=[ScheduleSetting(name="report", cron="* * * * *", job_type="tests.report")]
    )
    with pytest.raises(ValueError, match=r"JOBS_SCHEDULES\[0\] \(report\).payload.week"):
        resolve_schedules(configured, registry_with_test_jobs())


def test_schedules_take_their_job_types_attempts_unless_set() -> None:
    configured = settings(
        schedules=[
            ScheduleSetting(name="a", cron="* * * * *", job_type="tests.noop"),
            ScheduleSetting(
                name="b", cron="* * * * *", job_type="tests.report", payload={"week": "w1"}
            ),
            ScheduleSetting(name="c", cron="* * * * *", job_type="tests.noop", max_attempts=9),
        ]
    )
    schedules = resolve_schedules(configured, registry_with_test_jobs())
    assert [s.max_attempts for s in schedules] == [configured.default_max_attempts, 2, 9]


def test_the_development_webhook_key_is_refused_outside_dev() -> None:
    with pytest.raises(ValidationError, match="JOBS_WEBHOOK_SECRET_KEY"):
        settings(environment="production", client_secret=SecretStr("real"))
