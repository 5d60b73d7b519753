"""What each use case is asked to do, as received: plain values, not yet validated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ReportedFacts:
    """An entry's facts as a caller (or an event) reports them."""

    #: An EntryKind name, "" when unspecified.
    kind: str
    type: str
    occur_time: datetime | None
    summary: str = ""
    actor_user_id: str = ""
    actor_service: str = ""
    subject_type: str = ""
    subject_id: str = ""
    trace_id: str = ""
    request_id: str = ""
    event_id: str = ""
    #: The details as canonical JSON text.
    payload: str = "{}"


@dataclass(frozen=True, slots=True)
class RecordAuditEntry:
    idempotency_key: str
    facts: ReportedFacts
    #: The calling service, from its verified identity ("" when no service called).
    caller_service: str


@dataclass(frozen=True, slots=True)
class RecordEvent:
    """A domain event collected from `service`'s stream."""

    service: str
    facts: ReportedFacts


@dataclass(frozen=True, slots=True)
class GetAuditEntry:
    audit_entry_id: str


@dataclass(frozen=True, slots=True)
class ListAuditEntries:
    page_size: int = 0
    page_token: str = ""
    #: An EntryKind name, "" for any.
    kind: str = ""
    service: str = ""
    type: str = ""
    actor_user_id: str = ""
    actor_service: str = ""
    subject_type: str = ""
    subject_id: str = ""
    trace_id: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class VerifyAuditChain:
    #: A chain's name, "" for every chain.
    chain: str = ""


@dataclass(frozen=True, slots=True)
class ReportedLog:
    """One log record as a service ships it."""

    insert_id: str
    #: A Severity number, 0 when unspecified.
    severity: int
    message: str
    time: datetime | None
    instance: str = ""
    logger: str = ""
    trace_id: str = ""
    span_id: str = ""
    request_id: str = ""
    attributes: str = "{}"


@dataclass(frozen=True, slots=True)
class WriteLogs:
    entries: tuple[ReportedLog, ...]
    caller_service: str


@dataclass(frozen=True, slots=True)
class ListLogEntries:
    page_size: int = 0
    page_token: str = ""
    service: str = ""
    #: A Severity number, 0 for any.
    min_severity: int = 0
    trace_id: str = ""
    request_id: str = ""
    query: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
