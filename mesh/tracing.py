"""OpenTelemetry set-up: real trace ids in every process, exported over OTLP when configured."""

from __future__ import annotations

import os

from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

#: The standard OpenTelemetry variable; when set, spans are exported there over OTLP/gRPC.
OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"


def tracer_provider(service: str) -> TracerProvider:
    """The tracer provider a service process installs (`trace.set_tracer_provider`) at start-up
    and shuts down at exit.

    Without an exporter spans are still created, so logs and events carry trace ids that
    join up across services; with `OTEL_EXPORTER_OTLP_ENDPOINT` (e.g. Jaeger's
    http://jaeger:4317) they are also sent, in batches, off the request path.
    """
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: f"meshwork-{service}"}))
    if os.environ.get(OTLP_ENDPOINT):
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider
