"""Requests to the audit service checked field by field before anything is stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from mesh.errors import InvalidArgument
from services.audit import commands, validation
from services.audit.config import AuditSettings
from services.audit.domain import EntryKind, Severity

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def fields_of(error: pytest.ExceptionInfo[InvalidArgument]) -> list[str]:
    return [violation.field for violation in error.value.violations]


def a_log(insert_id: str = "l-1", **changes: object) -> commands.ReportedLog:
    values: dict[str, object] = {"insert_id": insert_id, "severity": 3, "message": "m", "time": NOW}
    return commands.ReportedLog(**(values | changes))  # type: ignore[arg-type]


def test_a_recorded_entry_takes_its_service_from_the_caller() -> None:
    reported = commands.ReportedFacts(kind="ADMIN_ACTION", type="x.Y/Z", occur_time=NOW)

    key, facts = validation.recorded_entry(commands.RecordAuditEntry("k", reported, "admin"))

    assert (key, facts.service, facts.kind) == ("k", "admin", EntryKind.ADMIN_ACTION)


def test_a_recorded_entry_names_every_bad_field() -> None:
    reported = commands.ReportedFacts(
        kind="", type="", occur_time=None, trace_id="XYZ", summary="s" * 2001
    )

    with pytest.raises(InvalidArgument) as refused:
        validation.recorded_entry(commands.RecordAuditEntry(" ", reported, ""))

    assert fields_of(refused) == [
        "idempotency_key",
        "authorization",
        "audit_entry.kind",
        "audit_entry.type",
        "audit_entry.occur_time",
        "audit_entry.trace_id",
        "audit_entry.summary",
    ]


def test_an_event_is_never_refused_but_cut_to_size() -> None:
    reported = commands.ReportedFacts(
        kind="DOMAIN_EVENT", type="t", occur_time=NOW, subject_id="s" * 500, trace_id="bad"
    )

    facts = validation.event_facts(commands.RecordEvent("users", reported))

    assert (len(facts.subject_id), facts.trace_id, facts.service) == (128, "", "users")


def test_a_log_batch_over_the_limit_is_refused_with_its_own_reason() -> None:
    batch = commands.WriteLogs(tuple(a_log(f"l-{i}") for i in range(1001)), "users")

    with pytest.raises(InvalidArgument) as refused:
        validation.log_batch(batch, now=NOW)

    assert refused.value.reason == "LOG_BATCH_TOO_LARGE"


def test_an_empty_log_batch_is_refused() -> None:
    with pytest.raises(InvalidArgument) as refused:
        validation.log_batch(commands.WriteLogs((), "users"), now=NOW)

    assert fields_of(refused) == ["entries"]


def test_log_records_are_stamped_with_the_caller_and_the_receive_time() -> None:
    [record] = validation.log_batch(commands.WriteLogs((a_log(),), "users"), now=NOW)

    assert (record.service, record.severity, record.receive_time) == (
        "users",
        Severity.WARNING,
        NOW,
    )


def test_a_log_query_checks_severity_trace_and_time_range() -> None:
    query = commands.ListLogEntries(
        min_severity=9, trace_id="nope", start_time=NOW, end_time=datetime(2026, 1, 1, tzinfo=UTC)
    )

    with pytest.raises(InvalidArgument) as refused:
        validation.log_query(query)

    assert fields_of(refused) == ["min_severity", "trace_id", "end_time"]


def test_a_log_page_may_hold_up_to_a_thousand_entries() -> None:
    assert validation.log_query(commands.ListLogEntries(page_size=5000)).page.size == 1000
    assert validation.entry_query(commands.ListAuditEntries(page_size=5000)).page.size == 100


def test_an_entry_query_refuses_an_unknown_kind() -> None:
    with pytest.raises(InvalidArgument) as refused:
        validation.entry_query(commands.ListAuditEntries(kind="42"))

    assert fields_of(refused) == ["kind"]


def test_the_audited_services_must_be_other_services_of_the_catalogue() -> None:
    with pytest.raises(
        ValidationError, match=r"AUDIT_AUDITED_SERVICES names \['audit', 'ledger'\]"
    ):
        AuditSettings(audited_services=["users", "ledger", "audit"])

    assert "admin" in AuditSettings().audited_services  # its stream, before its service runs
    assert "audit" not in AuditSettings().audited_services
