"""OpenTelemetry set-up: real trace ids in every process, exported over OTLP when configured."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from types import MappingProxyType

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased, Sampler
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

#: The standard OpenTelemetry variable; when set, spans are exported there over OTLP/gRPC.
OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
#: The standard variable choosing the sampler (e.g. `parentbased_traceidratio`).
SAMPLER = "OTEL_TRACES_SAMPLER"
#: The sampler without an exporter: a trace is recorded only when its caller's is sampled.
UNEXPORTED = ParentBased(ALWAYS_OFF)

_UNSAMPLED = TraceFlags(TraceFlags.DEFAULT)
_UNSAMPLED_RANDOM = TraceFlags(TraceFlags.DEFAULT | TraceFlags.RANDOM_TRACE_ID)


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


class SpanStarter:
    """Starts spans with `tracer`. When it is an SDK tracer sampling as UNEXPORTED, a span
    whose parent trace is not sampled is made here, as the SDK would make it (same trace id or
    a new one, flags and trace state, not recording), without the SDK's per-span bookkeeping:
    that is every span of a service running without an exporter."""

    def __init__(self, tracer: trace.Tracer) -> None:
        self._tracer = tracer
        unexported = getattr(tracer, "sampler", None) is UNEXPORTED
        self._unsampled_ids: IdGenerator | None = (
            getattr(tracer, "id_generator", None) if unexported else None
        )

    def start(
        self,
        name: str,
        *,
        context: otel_context.Context | None,
        kind: trace.SpanKind,
        attributes: Mapping[str, str] | None = None,
    ) -> trace.Span:
        """A span in `context` (None: the current one), not made current."""
        if self._unsampled_ids is not None:
            span = _unsampled_span(context, self._unsampled_ids)
            if span is not None:
                return span
        return self._tracer.start_span(name, context=context, kind=kind, attributes=attributes)


def _unsampled_span(
    parent: otel_context.Context | None, ids: IdGenerator
) -> NonRecordingSpan | None:
    """The span the UNEXPORTED sampler gives in `parent`; None if the parent's trace is
    sampled (that span is recorded, so the SDK must make it)."""
    caller = trace.get_current_span(parent).get_span_context()
    if not caller.is_valid:  # a new trace
        trace_id, flags, state = ids.generate_trace_id(), _UNSAMPLED_RANDOM, None
    elif caller.trace_flags.sampled:
        return None
    else:
        trace_id, state = caller.trace_id, caller.trace_state
        flags = _UNSAMPLED_RANDOM if caller.trace_flags.random_trace_id else _UNSAMPLED
    return NonRecordingSpan(
        SpanContext(trace_id, ids.generate_span_id(), is_remote=False, trace_flags=flags,
                    trace_state=state)
    )  # fmt: skip


@functools.lru_cache(maxsize=1024)
def rpc_attributes(method: str) -> Mapping[str, str]:
    """The OpenTelemetry RPC attributes of a gRPC call to `method` ("/pkg.Service/Method")."""
    service, _, name = method.lstrip("/").rpartition("/")
    return MappingProxyType({"rpc.system": "grpc", "rpc.service": service, "rpc.method": name})
