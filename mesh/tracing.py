"""OpenTelemetry set-up: real trace ids in every process, exported over OTLP when configured."""

from __future__ import annotations

import os

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased, Sampler

#: The standard OpenTelemetry variable; when set, spans are exported there over OTLP/gRPC.
OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
#: The standard variable choosing the sampler (e.g. `parentbased_traceidratio`).
SAMPLER = "OTEL_TRACES_SAMPLER"
#: The sampler without an exporter: a trace is recorded only when its caller's is sampled.
UNEXPORTED = ParentBased(ALWAYS_OFF)


def tracer_provider(service: str) -> TracerProvider:
    """The tracer provider a service process installs (`trace.set_tracer_provider`) at start-up
    and shuts down at exit.

    With `OTEL_EXPORTER_OTLP_ENDPOINT` (e.g. Jaeger's http://jaeger:4317) spans are recorded
    and sent, in batches, off the request path, sampled as `OTEL_TRACES_SAMPLER` says
    (default: every trace). Without an exporter nothing would read a recorded span, so none is
    recorded unless its caller's trace is sampled or `OTEL_TRACES_SAMPLER` asks for it; trace
    ids are still made and propagated, so logs and events join up across services.
    """
    exporting = bool(os.environ.get(OTLP_ENDPOINT))
    sampler: Sampler | None = None  # the SDK reads OTEL_TRACES_SAMPLER (parentbased_always_on)
    if not exporting and not os.environ.get(SAMPLER):
        sampler = UNEXPORTED
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: f"meshwork-{service}"}), sampler=sampler
    )
    if exporting:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def install_tracer_provider(service: str) -> TracerProvider:
    """Makes `tracer_provider(service)` this process's global provider and returns it (shut
    it down at exit, so batched spans are sent)."""
    provider = tracer_provider(service)
    trace.set_tracer_provider(provider)
    return provider
