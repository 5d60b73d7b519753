"""Tracing set-up: spans get real trace ids even with no exporter configured."""

from __future__ import annotations

from mesh.tracing import tracer_provider


def test_spans_carry_real_trace_ids_without_an_exporter(monkeypatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    provider = tracer_provider("testing")
    try:
        with provider.get_tracer("test").start_as_current_span("work") as span:
            assert span.get_span_context().is_valid
        assert provider.resource.attributes["service.name"] == "meshwork-testing"
    finally:
        provider.shutdown()
