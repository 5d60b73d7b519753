"""Request values → domain values, naming every bad field at once (pure)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from mesh.paging import Page, page
from mesh.validation import Violations
from services.audit import commands
from services.audit.domain import EntryKind, Facts, LogRecord, Severity
from services.audit.errors import DOMAIN

#: The most entries one WriteLogs may carry (the contract's limit).
LOG_BATCH_MAX = 1000
#: The largest page of ListLogEntries (the contract's limit; audit entries keep mesh's 100).
LOG_PAGE_MAX = 1000
LOG_BATCH_TOO_LARGE = "LOG_BATCH_TOO_LARGE"
INVALID_TIME_RANGE = "INVALID_TIME_RANGE"
IDEMPOTENCY_KEY_MAX = 255
TYPE_MAX = 255
SUMMARY_MAX = 2000
ID_MAX = 128
NAME_MAX = 64
MESSAGE_MAX = 32_000
PAYLOAD_MAX = 256_000
_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")
_SPAN_ID = re.compile(r"^[0-9a-f]{16}$")


def new_entry_id() -> str:
    return f"ae_{uuid.uuid4().hex}"


def recorded_entry(command: commands.RecordAuditEntry) -> tuple[str, Facts]:
    """The key and facts of a RecordAuditEntry; the reporting service is the caller."""
    checks = Violations(domain=DOMAIN)
    key = checks.required("idempotency_key", command.idempotency_key)
    checks.length("idempotency_key", key, maximum=IDEMPOTENCY_KEY_MAX)
    if not command.caller_service:
        checks.add("authorization", "RecordAuditEntry is called by a service, with its token")
    facts = _facts(checks, command.facts, command.caller_service, prefix="audit_entry")
    checks.raise_if_any()
    return key, facts


def event_facts(command: commands.RecordEvent) -> Facts:
    """The facts of a collected event. Events were checked by the service that emitted them,
    so nothing is refused: over-long values are cut to what the trail stores."""
    reported = command.facts
    return Facts(
        kind=EntryKind.DOMAIN_EVENT,
        service=command.service,
        type=reported.type[:TYPE_MAX],
        occur_time=_required_time(reported.occur_time),
        summary=reported.summary[:SUMMARY_MAX],
        actor_user_id=reported.actor_user_id[:ID_MAX],
        actor_service=reported.actor_service[:NAME_MAX],
        subject_type=reported.subject_type[:NAME_MAX],
        subject_id=reported.subject_id[:ID_MAX],
        trace_id=reported.trace_id if _TRACE_ID.match(reported.trace_id) else "",
        request_id=reported.request_id[:ID_MAX],
        event_id=reported.event_id[:ID_MAX],
        payload=reported.payload,
    )


def _facts(
    checks: Violations, reported: commands.ReportedFacts, service: str, *, prefix: str
) -> Facts:
    kind = checks.enum_member(f"{prefix}.kind", reported.kind, EntryKind)
    type_ = checks.text(f"{prefix}.type", reported.type, maximum=TYPE_MAX, required=True)
    if reported.occur_time is None:
        checks.add(f"{prefix}.occur_time", "is required")
    if len(reported.payload) > PAYLOAD_MAX:
        checks.add(f"{prefix}.payload", f"must be at most {PAYLOAD_MAX} bytes as JSON")
    trace_id = _hex(checks, f"{prefix}.trace_id", reported.trace_id, _TRACE_ID, 32)

    def text(field: str, value: str, maximum: int) -> str:
        return checks.text(f"{prefix}.{field}", value, maximum=maximum)

    return Facts(
        kind=kind or EntryKind.ADMIN_ACTION,
        service=service,
        type=type_,
        occur_time=_required_time(reported.occur_time),
        summary=checks.text(
            f"{prefix}.summary", reported.summary, maximum=SUMMARY_MAX, multiline=True
        ),
        actor_user_id=text("actor_user_id", reported.actor_user_id, ID_MAX),
        actor_service=text("actor_service", reported.actor_service, NAME_MAX),
        subject_type=text("subject_type", reported.subject_type, NAME_MAX),
        subject_id=text("subject_id", reported.subject_id, ID_MAX),
        trace_id=trace_id,
        request_id=text("request_id", reported.request_id, ID_MAX),
        event_id=text("event_id", reported.event_id, ID_MAX),
        payload=reported.payload,
    )


def entry_id(value: str) -> str:
    checks = Violations(domain=DOMAIN)
    found = checks.required("audit_entry_id", value)
    checks.length("audit_entry_id", found, maximum=NAME_MAX)
    checks.raise_if_any()
    return found


@dataclass(frozen=True, slots=True)
class EntryQuery:
    """A validated ListAuditEntries: its filters (empty matches all) and page."""

    page: Page
    kind: EntryKind | None
    service: str
    type: str
    actor_user_id: str
    actor_service: str
    subject_type: str
    subject_id: str
    trace_id: str
    start_time: datetime | None
    end_time: datetime | None


def entry_query(command: commands.ListAuditEntries) -> EntryQuery:
    checks = Violations(domain=DOMAIN)
    kind = checks.enum_member("kind", command.kind, EntryKind, required=False)
    trace_id = _hex(checks, "trace_id", command.trace_id.strip().lower(), _TRACE_ID, 32)
    _time_range(checks, command.start_time, command.end_time)
    filters = {
        "service": command.service.strip(),
        "type": command.type.strip(),
        "actor_user_id": command.actor_user_id.strip(),
        "actor_service": command.actor_service.strip(),
        "subject_type": command.subject_type.strip(),
        "subject_id": command.subject_id.strip(),
    }
    query = {
        "list": "auditEntries",
        "kind": command.kind,
        "trace_id": trace_id,
        "start_time": command.start_time,
        "end_time": command.end_time,
        **filters,
    }
    requested = page(
        checks, size=command.page_size, token=command.page_token, query=query,
        key=(datetime, str),
    )  # fmt: skip
    checks.raise_if_any()
    return EntryQuery(
        page=requested, kind=kind, trace_id=trace_id,
        start_time=command.start_time, end_time=command.end_time, **filters,
    )  # fmt: skip


def chain_name(command: commands.VerifyAuditChain) -> str:
    checks = Violations(domain=DOMAIN)
    chain = checks.length("chain", command.chain, maximum=NAME_MAX)
    checks.raise_if_any()
    return chain


def log_batch(command: commands.WriteLogs, *, now: datetime) -> list[LogRecord]:
    """The records of a WriteLogs, each stamped with the caller's service and `now`."""
    checks = Violations(domain=DOMAIN)
    if len(command.entries) > LOG_BATCH_MAX:
        checks.add(
            "entries",
            f"carries {len(command.entries)} entries, at most {LOG_BATCH_MAX} are allowed: "
            "split the batch",
            reason=LOG_BATCH_TOO_LARGE,
        )
        checks.raise_if_any()
    if not command.entries:
        checks.add("entries", "is required: send at least one log entry")
    if not command.caller_service:
        checks.add("authorization", "WriteLogs is called by a service, with its token")
    records = [
        _log_record(checks, reported, f"entries[{index}]", command.caller_service, now)
        for index, reported in enumerate(command.entries)
    ]
    checks.raise_if_any()
    return records


def _log_record(
    checks: Violations, reported: commands.ReportedLog, prefix: str, service: str, now: datetime
) -> LogRecord:
    insert_id = checks.required(f"{prefix}.insert_id", reported.insert_id)
    checks.length(f"{prefix}.insert_id", insert_id, maximum=ID_MAX)
    severity = _severity(checks, f"{prefix}.severity", reported.severity, required=True)
    if not reported.message:
        checks.add(f"{prefix}.message", "is required")
    elif len(reported.message) > MESSAGE_MAX:
        checks.add(f"{prefix}.message", f"must be at most {MESSAGE_MAX} characters")
    if reported.time is None:
        checks.add(f"{prefix}.time", "is required")
    return LogRecord(
        insert_id=insert_id,
        service=service,
        severity=severity or Severity.INFO,
        message=reported.message,
        time=_required_time(reported.time),
        receive_time=now,
        instance=checks.length(f"{prefix}.instance", reported.instance, maximum=255),
        logger=checks.length(f"{prefix}.logger", reported.logger, maximum=255),
        trace_id=_hex(checks, f"{prefix}.trace_id", reported.trace_id, _TRACE_ID, 32),
        span_id=_hex(checks, f"{prefix}.span_id", reported.span_id, _SPAN_ID, 16),
        request_id=checks.length(f"{prefix}.request_id", reported.request_id, maximum=ID_MAX),
        attributes=reported.attributes,
    )


@dataclass(frozen=True, slots=True)
class LogQuery:
    """A validated ListLogEntries: its filters (empty matches all) and page."""

    page: Page
    service: str
    min_severity: Severity | None
    trace_id: str
    request_id: str
    #: Lower-cased text the message must contain.
    text: str
    start_time: datetime | None
    end_time: datetime | None


def log_query(command: commands.ListLogEntries) -> LogQuery:
    checks = Violations(domain=DOMAIN)
    severity = _severity(checks, "min_severity", command.min_severity, required=False)
    trace_id = _hex(checks, "trace_id", command.trace_id.strip().lower(), _TRACE_ID, 32)
    _time_range(checks, command.start_time, command.end_time)
    text = checks.length("query", command.query, maximum=500).lower()
    service, request_id = command.service.strip(), command.request_id.strip()
    query = {
        "list": "logEntries", "service": service, "min_severity": command.min_severity,
        "trace_id": trace_id, "request_id": request_id, "query": text,
        "start_time": command.start_time, "end_time": command.end_time,
    }  # fmt: skip
    requested = page(
        checks, size=command.page_size, token=command.page_token, query=query,
        key=(datetime, str), maximum=LOG_PAGE_MAX,
    )  # fmt: skip
    checks.raise_if_any()
    return LogQuery(
        page=requested, service=service, min_severity=severity, trace_id=trace_id,
        request_id=request_id, text=text, start_time=command.start_time,
        end_time=command.end_time,
    )  # fmt: skip


def _severity(checks: Violations, field: str, number: int, *, required: bool) -> Severity | None:
    if number == 0:
        if required:
            checks.add(field, f"is required: one of {', '.join(s.name for s in Severity)}")
        return None
    try:
        return Severity(number)
    except ValueError:
        checks.add(field, f"has unknown value {number}; use one of 1 (DEBUG) to 5 (CRITICAL)")
        return None


def _hex(checks: Violations, field: str, value: str, pattern: re.Pattern[str], size: int) -> str:
    if value and not pattern.match(value):
        checks.add(field, f"must be {size} lower-case hex digits (got {value!r})")
    return value


def _time_range(checks: Violations, start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        checks.add(
            "end_time",
            f"ends ({end.isoformat()}) before start_time ({start.isoformat()}): swap them",
            reason=INVALID_TIME_RANGE,
        )


def _required_time(moment: datetime | None) -> datetime:
    """A time checked to be there (a placeholder keeps the facts whole while the checks
    collect every violation; they are raised before it is used)."""
    return moment if moment is not None else datetime.min
