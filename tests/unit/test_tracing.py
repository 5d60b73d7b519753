"""Tracing set-up: real trace ids always; spans recorded when something can export them."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from mesh.tracing import tracer_provider


@pytest.fixture
def no_exporter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_TRACES_SAMPLER", raising=False)


def test_without_an_exporter_spans_carry_real_trace_ids_but_are_not_recorded(no_exporter) -> None:
    provider = tracer_provider("testing")
    try:
        with provider.get_tracer("test").start_as_current_span("work") as span:
            assert span.get_span_context().is_valid
            assert not span.is_recording()
            assert not span.get_span_context().trace_flags.sampled  # callees do not record either
        assert provider.resource.attributes["service.name"] == "meshwork-testing"
    finally:
        provider.shutdown()


def test_a_sampled_callers_trace_is_recorded_even_without_an_exporter(no_exporter) -> None:
    provider = tracer_provider("testing")
    parent = SpanContext(
        trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736,
        span_id=0x00F067AA0BA902B7,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    try:
        context = trace.set_span_in_context(NonRecordingSpan(parent))
        with provider.get_tracer("test").start_as_current_span("work", context=context) as span:
            assert span.is_recording()
            assert span.get_span_context().trace_id == parent.trace_id
    finally:
        provider.shutdown()


def test_the_standard_sampler_variable_wins(no_exporter, monkeypatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "always_on")
    provider = tracer_provider("testing")
    try:
        with provider.get_tracer("test").start_as_current_span("work") as span:
            assert span.is_recording()
    finally:
        provider.shutdown()


def test_with_an_exporter_every_trace_is_recorded_by_default(no_exporter, monkeypatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
    provider = tracer_provider("testing")
    try:
        assert provider.sampler.get_description().startswith("ParentBased{root:AlwaysOnSampler,")
    finally:
        provider.shutdown()
