"""Event naming conventions and the envelope an event travels in."""

from __future__ import annotations

import pytest
from google.protobuf import timestamp_pb2
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from mesh.context import request_id_var
from mesh.events.envelope import (
    EVENT_ID_HEADER,
    OCCURRED_AT_HEADER,
    REQUEST_ID_HEADER,
    TYPE_HEADER,
    envelope_for,
    trace_context_of,
)
from mesh.events.subjects import (
    dead_letter_subject,
    service_of,
    stream_name,
    stream_subjects,
    subject_for,
)
from meshwork.testing.v1 import probe_pb2

# Subjects and streams


def test_subject_is_the_event_full_name_under_events() -> None:
    assert subject_for(probe_pb2.RecordRequest) == "events.testing.v1.RecordRequest"
    assert subject_for(probe_pb2.RecordRequest(key="k")) == "events.testing.v1.RecordRequest"
    assert subject_for(probe_pb2.RecordRequest.DESCRIPTOR) == "events.testing.v1.RecordRequest"


def test_each_service_owns_one_stream_capturing_its_subjects() -> None:
    assert service_of(probe_pb2.RecordRequest) == "testing"
    assert stream_name("users") == "EVENTS_USERS"
    assert stream_subjects("users") == ["events.users.>"]


def test_event_types_outside_a_meshwork_service_package_are_refused() -> None:
    with pytest.raises(ValueError, match=r"meshwork\.<service>\.<version>\.<Event>"):
        subject_for(timestamp_pb2.Timestamp)


@pytest.mark.parametrize("service", ["Users", "users.v1", "", "users>"])
def test_service_names_that_would_break_subjects_are_refused(service: str) -> None:
    with pytest.raises(ValueError, match="service name"):
        stream_name(service)


def test_dead_letter_subject_keeps_consumer_and_original_subject() -> None:
    assert (
        dead_letter_subject("audit-on-users", "events.users.v1.UserCreated")
        == "deadletter.audit-on-users.events.users.v1.UserCreated"
    )
    with pytest.raises(ValueError, match="consumer name"):
        dead_letter_subject("audit.users", "events.users.v1.UserCreated")


# Envelope


def test_envelope_carries_payload_id_type_and_time() -> None:
    envelope = envelope_for(probe_pb2.RecordRequest(key="k"))

    assert probe_pb2.RecordRequest.FromString(envelope.payload).key == "k"
    assert envelope.subject == "events.testing.v1.RecordRequest"
    assert envelope.headers[EVENT_ID_HEADER] == envelope.event_id
    assert envelope.headers[TYPE_HEADER] == "meshwork.testing.v1.RecordRequest"
    assert envelope.headers[OCCURRED_AT_HEADER].endswith("+00:00")
    assert REQUEST_ID_HEADER not in envelope.headers
    assert "traceparent" not in envelope.headers  # no trace in progress


def test_each_envelope_gets_its_own_event_id() -> None:
    first, second = (envelope_for(probe_pb2.RecordRequest()) for _ in range(2))
    assert first.event_id != second.event_id


def test_envelope_carries_the_current_trace_and_request() -> None:
    tracer = TracerProvider().get_tracer("test")
    token = request_id_var.set("req-7")
    try:
        with tracer.start_as_current_span("call") as span:
            envelope = envelope_for(probe_pb2.RecordRequest())
    finally:
        request_id_var.reset(token)

    assert envelope.headers[REQUEST_ID_HEADER] == "req-7"
    carried = trace.get_current_span(trace_context_of(envelope.headers)).get_span_context()
    assert carried.trace_id == span.get_span_context().trace_id
    assert carried.span_id == span.get_span_context().span_id
