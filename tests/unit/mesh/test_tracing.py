"""Tracing set-up: real trace ids always; spans recorded when something can export them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags

from mesh.interceptors.base import Call
from mesh.interceptors.tracing import ServerTracing
from mesh.tracing import span_exporters, tracer_provider


@pytest.fixture
def new_provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], TracerProvider]]:
    """Makes the tracer provider a service process makes, with no exporter or sampler set
    unless the test sets them first; each one is shut down after the test."""
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    for variable in (
        "OTEL_TRACES_SAMPLER",
        "OTEL_TRACES_EXPORTER",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_SERVICE_NAME",
    ):
        monkeypatch.delenv(variable, raising=False)
    made: list[TracerProvider] = []

    def make() -> TracerProvider:
        made.append(tracer_provider("testing"))
        return made[-1]

    yield make
    for provider in made:
        provider.shutdown()


def test_without_an_exporter_spans_carry_real_trace_ids_but_are_not_recorded(new_provider) -> None:
    provider = new_provider()
    with provider.get_tracer("test").start_as_current_span("work") as span:
        assert span.get_span_context().is_valid
        assert not span.is_recording()
        assert not span.get_span_context().trace_flags.sampled  # callees do not record either
    assert provider.resource.attributes["service.name"] == "meshwork-testing"


def test_a_sampled_callers_trace_is_recorded_even_without_an_exporter(new_provider) -> None:
    provider = new_provider()
    parent = SpanContext(
        trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736,
        span_id=0x00F067AA0BA902B7,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    context = trace.set_span_in_context(NonRecordingSpan(parent))
    with provider.get_tracer("test").start_as_current_span("work", context=context) as span:
        assert span.is_recording()
        assert span.get_span_context().trace_id == parent.trace_id


def test_the_standard_sampler_variable_wins(new_provider, monkeypatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "always_on")
    provider = new_provider()
    with provider.get_tracer("test").start_as_current_span("work") as span:
        assert span.is_recording()


def test_with_an_exporter_every_trace_is_recorded_by_default(new_provider, monkeypatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
    provider = new_provider()
    assert provider.sampler.get_description().startswith("ParentBased{root:AlwaysOnSampler,")


def test_the_standard_service_name_variable_names_the_service(new_provider, monkeypatch) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "users-canary")
    provider = new_provider()
    assert provider.resource.attributes["service.name"] == "users-canary"


def test_no_exporter_named_turns_export_off_even_with_an_endpoint(
    new_provider, monkeypatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    assert span_exporters() == []
    with new_provider().get_tracer("test").start_as_current_span("work") as span:
        assert not span.is_recording()


def test_the_standard_exporter_variable_chooses_the_exporters(new_provider, monkeypatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console, otlp")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    exporters = span_exporters()
    assert [type(e).__module__ for e in exporters] == [
        "opentelemetry.sdk.trace.export",
        "opentelemetry.exporter.otlp.proto.grpc.trace_exporter",
    ]
    with new_provider().get_tracer("test").start_as_current_span("work") as span:
        assert span.is_recording()
    for exporter in exporters:
        exporter.shutdown()


def test_an_unknown_otlp_protocol_is_refused_naming_the_variable(monkeypatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon")
    with pytest.raises(ValueError, match="OTEL_EXPORTER_OTLP_PROTOCOL='carrier-pigeon'"):
        span_exporters()


def test_an_exporter_not_installed_is_refused_naming_it(monkeypatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin_json")
    with pytest.raises(ValueError, match="OTEL_TRACES_EXPORTER names 'zipkin_json'"):
        span_exporters()


class _Context:
    """The parts of a servicer context server tracing reads."""

    def __init__(self, metadata: tuple[tuple[str, str], ...]) -> None:
        self._metadata = metadata

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    def peer(self) -> str:
        return "ipv4:127.0.0.1:5000"


def _served_span(provider, metadata: tuple[tuple[str, str], ...]) -> tuple[trace.Span, bool]:
    """The span a served call runs in, and whether it was recording."""
    context = _Context(metadata)
    call = Call("/meshwork.testing.v1.ProbeService/Echo", None, context)  # type: ignore[arg-type]
    started = ServerTracing(provider).start(call, context)  # type: ignore[arg-type]
    span = trace.get_current_span()
    recording = span.is_recording()
    started.end("OK", None)
    return span, recording


def _sdk_span(provider, metadata: tuple[tuple[str, str], ...]) -> trace.Span:
    parent = propagate.extract(dict(metadata))
    return provider.get_tracer("sdk").start_span("Echo", context=parent, kind=SpanKind.SERVER)


TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.mark.parametrize(
    "metadata",
    [
        pytest.param((), id="no caller trace"),
        pytest.param((("traceparent", f"00-{TRACE_ID}-00f067aa0ba902b7-00"),), id="unsampled"),
        pytest.param((("traceparent", f"00-{TRACE_ID}-00f067aa0ba902b7-02"),), id="random id"),
        pytest.param(
            (("traceparent", f"00-{TRACE_ID}-00f067aa0ba902b7-00"), ("tracestate", "vendor=x")),
            id="trace state",
        ),
        pytest.param((("traceparent", "00-not-a-trace-01"),), id="malformed"),
    ],
)
def test_unrecorded_server_spans_are_those_the_sdk_would_make(new_provider, metadata) -> None:
    provider = new_provider()
    (served, recording), sdk = _served_span(provider, metadata), _sdk_span(provider, metadata)
    assert not recording and not sdk.is_recording()
    ours, theirs = served.get_span_context(), sdk.get_span_context()
    assert ours.is_valid and not ours.is_remote
    assert ours.trace_flags == theirs.trace_flags
    assert ours.trace_state == theirs.trace_state
    assert (format(ours.trace_id, "032x") == TRACE_ID) == (
        format(theirs.trace_id, "032x") == TRACE_ID
    )  # both continue the caller's trace, or both start one
    assert ours.span_id != theirs.span_id


def test_a_sampled_callers_server_span_is_recorded(new_provider) -> None:
    provider = new_provider()
    span, recording = _served_span(
        provider, (("traceparent", f"00-{TRACE_ID}-00f067aa0ba902b7-01"),)
    )
    assert recording
    assert format(span.get_span_context().trace_id, "032x") == TRACE_ID
