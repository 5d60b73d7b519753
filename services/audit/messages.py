"""Domain values ↔ the contract's protobuf messages, and events → the facts they record."""

from __future__ import annotations

import json
from collections.abc import Sequence

from google.protobuf import struct_pb2
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from opentelemetry import trace

from mesh.events.envelope import Envelope
from mesh.protobuf import datetime_of, enum_name, enum_number, timestamp_of
from meshwork.audit.v1 import audit_service_pb2 as pb
from meshwork.audit.v1 import resources_pb2
from services.audit import commands
from services.audit.domain import AuditEntry, ChainReport, LogRecord, canonical_json

#: What a field marked debug_redact in the contracts is stored as.
REDACTED = "[REDACTED]"

# ---- domain → protobuf


def entry_message(entry: AuditEntry) -> resources_pb2.AuditEntry:
    facts = entry.facts
    return resources_pb2.AuditEntry(
        id=entry.id,
        kind=enum_number(resources_pb2.AuditEntryKind, facts.kind.value),
        service=facts.service,
        type=facts.type,
        summary=facts.summary,
        actor_user_id=facts.actor_user_id,
        actor_service=facts.actor_service,
        subject_type=facts.subject_type,
        subject_id=facts.subject_id,
        trace_id=facts.trace_id,
        request_id=facts.request_id,
        event_id=facts.event_id,
        payload=_struct_of(facts.payload),
        occur_time=timestamp_of(facts.occur_time),
        create_time=timestamp_of(entry.create_time),
        chain=entry.chain,
        sequence=entry.sequence,
        previous_hash=entry.previous_hash,
        hash=entry.hash,
    )


def log_message(record: LogRecord) -> resources_pb2.LogEntry:
    return resources_pb2.LogEntry(
        insert_id=record.insert_id,
        service=record.service,
        instance=record.instance,
        severity=int(record.severity),
        logger=record.logger,
        message=record.message,
        time=timestamp_of(record.time),
        trace_id=record.trace_id,
        span_id=record.span_id,
        request_id=record.request_id,
        attributes=_struct_of(record.attributes),
        receive_time=timestamp_of(record.receive_time),
    )


def verification_message(reports: Sequence[ChainReport]) -> pb.VerifyAuditChainResponse:
    return pb.VerifyAuditChainResponse(
        intact=all(report.intact for report in reports),
        chains=[
            resources_pb2.AuditChainReport(
                chain=report.chain,
                checked_entry_count=report.checked,
                head_sequence=report.head_sequence,
                breaks=[
                    resources_pb2.AuditChainBreak(
                        kind=enum_number(resources_pb2.AuditChainBreakKind, found.kind.value),
                        audit_entry_id=found.entry_id,
                        sequence=found.sequence,
                        description=found.description,
                    )
                    for found in report.breaks
                ],
            )
            for report in reports
        ],
    )


# ---- protobuf requests → commands


def record_command(
    request: pb.RecordAuditEntryRequest, caller_service: str
) -> commands.RecordAuditEntry:
    entry = request.audit_entry
    facts = commands.ReportedFacts(
        kind=enum_name(resources_pb2.AuditEntryKind, entry.kind),
        type=entry.type,
        occur_time=datetime_of(entry, "occur_time"),
        summary=entry.summary,
        actor_user_id=entry.actor_user_id,
        actor_service=entry.actor_service,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        trace_id=entry.trace_id,
        request_id=entry.request_id,
        event_id=entry.event_id,
        payload=_json_of(entry.payload),
    )
    return commands.RecordAuditEntry(request.idempotency_key, facts, caller_service)


def list_entries_command(request: pb.ListAuditEntriesRequest) -> commands.ListAuditEntries:
    return commands.ListAuditEntries(
        page_size=request.page_size,
        page_token=request.page_token,
        kind=enum_name(resources_pb2.AuditEntryKind, request.kind),
        service=request.service,
        type=request.type,
        actor_user_id=request.actor_user_id,
        actor_service=request.actor_service,
        subject_type=request.subject_type,
        subject_id=request.subject_id,
        trace_id=request.trace_id,
        start_time=datetime_of(request, "start_time"),
        end_time=datetime_of(request, "end_time"),
    )


def write_logs_command(request: pb.WriteLogsRequest, caller_service: str) -> commands.WriteLogs:
    entries = tuple(
        commands.ReportedLog(
            insert_id=entry.insert_id,
            severity=entry.severity,
            message=entry.message,
            time=datetime_of(entry, "time"),
            instance=entry.instance,
            logger=entry.logger,
            trace_id=entry.trace_id,
            span_id=entry.span_id,
            request_id=entry.request_id,
            attributes=_json_of(entry.attributes),
        )
        for entry in request.entries
    )
    return commands.WriteLogs(entries, caller_service)


def list_logs_command(request: pb.ListLogEntriesRequest) -> commands.ListLogEntries:
    return commands.ListLogEntries(
        page_size=request.page_size,
        page_token=request.page_token,
        service=request.service,
        min_severity=request.min_severity,
        trace_id=request.trace_id,
        request_id=request.request_id,
        query=request.query,
        start_time=datetime_of(request, "start_time"),
        end_time=datetime_of(request, "end_time"),
    )


# ---- events → what they record


def event_command(service: str, envelope: Envelope, event: Message | None) -> commands.RecordEvent:
    """What an event of `service`'s stream records: who caused it (the call that emitted it,
    else a `*_by` field of the event, else the service itself), what it is about (the user of a
    User… event, else its first `*_id` field, or the id of its first resource field), its trace
    and its content with the contracts' debug_redact fields redacted. An event of a type this
    build does not know is recorded from its envelope alone."""
    subject_type, subject_id = _subject_of(event) if event is not None else ("", "")
    actor_user = envelope.actor_user or (_actor_of(event) if event is not None else "")
    type_name = envelope.type_name or envelope.subject
    summary = f"{service} published {type_name.rsplit('.', 1)[-1]}"
    if subject_id:
        summary += f" about {subject_type} {subject_id}"
    facts = commands.ReportedFacts(
        kind="DOMAIN_EVENT",
        type=type_name,
        occur_time=envelope.occurred_at,
        summary=summary,
        actor_user_id=actor_user,
        actor_service="" if actor_user else (envelope.actor_service or service),
        subject_type=subject_type,
        subject_id=subject_id,
        trace_id=_trace_id_of(envelope),
        request_id=envelope.request_id,
        event_id=envelope.event_id,
        payload=canonical_json(_redacted(event) if event is not None else {}),
    )
    return commands.RecordEvent(service, facts)


def _subject_of(event: Message) -> tuple[str, str]:
    user_id = getattr(event, "user_id", "")
    if event.DESCRIPTOR.name.startswith("User") and isinstance(user_id, str) and user_id:
        return "user", user_id  # UserSuspended and its kind are about the user, not the record
    for field in event.DESCRIPTOR.fields:
        if field.name.endswith("_id") and _is_text(field):
            value = getattr(event, field.name)
            if value:
                return field.name.removesuffix("_id"), value
    for field in event.DESCRIPTOR.fields:
        if _is_single_message(field) and "id" in field.message_type.fields_by_name:
            value = getattr(getattr(event, field.name), "id", "")
            if isinstance(value, str) and value:
                return field.name, value
    return "", ""


def _actor_of(event: Message) -> str:
    for field in event.DESCRIPTOR.fields:
        if field.name.endswith("_by") and _is_text(field):
            value = getattr(event, field.name)
            if value:
                return str(value)
    return ""


def _redacted(event: Message) -> dict[str, object]:
    """The event as proto3 JSON with every field the contracts mark debug_redact replaced."""
    copy = type(event)()
    copy.CopyFrom(event)
    _redact(copy)
    return MessageToDict(copy, preserving_proto_field_name=True)


def _redact(message: Message) -> None:
    for field, value in message.ListFields():
        if field.GetOptions().debug_redact:
            if _is_text(field) and not field.is_repeated:
                setattr(message, field.name, REDACTED)
            else:
                message.ClearField(field.name)
        elif (
            field.type == FieldDescriptor.TYPE_MESSAGE
            and not field.message_type.GetOptions().map_entry
        ):
            for child in value if field.is_repeated else [value]:
                _redact(child)


def _is_text(field: FieldDescriptor) -> bool:
    return field.type == FieldDescriptor.TYPE_STRING and not field.is_repeated


def _is_single_message(field: FieldDescriptor) -> bool:
    return field.type == FieldDescriptor.TYPE_MESSAGE and not field.is_repeated


def _trace_id_of(envelope: Envelope) -> str:
    span = trace.get_current_span(envelope.trace_context).get_span_context()
    return format(span.trace_id, "032x") if span.is_valid else ""


def _struct_of(text: str) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(json.loads(text))
    return struct


def _json_of(struct: struct_pb2.Struct) -> str:
    return canonical_json(MessageToDict(struct))
