"""OpenTelemetry set-up: real trace ids in every process, exported over OTLP when configured."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from importlib.metadata import entry_points
from types import MappingProxyType

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased, Sampler
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

#: The standard OpenTelemetry variable; when set, spans are exported there over OTLP/gRPC.
OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
#: The standard variable choosing the sampler (e.g. `parentbased_traceidratio`).
SAMPLER = "OTEL_TRACES_SAMPLER"
#: The standard variables choosing the exporters (`otlp`, `console`, `none`; comma-separated)
#: and OTLP's protocol (`grpc`, the default, or `http/protobuf`).
EXPORTERS = "OTEL_TRACES_EXPORTER"
OTLP_PROTOCOLS = ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
#: The standard variable naming the service in traces (default: ``meshwork-<service>``).
SERVICE_NAME_VARIABLE = "OTEL_SERVICE_NAME"
#: Where exporter packages register their span exporters, as the SDK's auto-configuration reads.
EXPORTER_ENTRY_POINTS = "opentelemetry_traces_exporter"
#: The entry point of the OTLP exporter for each OTLP protocol, and the package that has it.
OTLP_EXPORTERS = {
    "grpc": ("otlp_proto_grpc", "opentelemetry-exporter-otlp-proto-grpc"),
    "http/protobuf": ("otlp_proto_http", "opentelemetry-exporter-otlp-proto-http"),
}
#: The sampler without an exporter: a trace is recorded only when its caller's is sampled.
UNEXPORTED = ParentBased(ALWAYS_OFF)

_UNSAMPLED = TraceFlags(TraceFlags.DEFAULT)
_UNSAMPLED_RANDOM = TraceFlags(TraceFlags.DEFAULT | TraceFlags.RANDOM_TRACE_ID)


def tracer_provider(service: str) -> TracerProvider:
    """The tracer provider a service process installs (`trace.set_tracer_provider`) at start-up
    and shuts down at exit.

    With `OTEL_EXPORTER_OTLP_ENDPOINT` (e.g. Jaeger's http://jaeger:4317) or
    `OTEL_TRACES_EXPORTER` (see `span_exporters`) spans are recorded and sent, in batches, off
    the request path, sampled as `OTEL_TRACES_SAMPLER` says (default: every trace). Without an
    exporter nothing would read a recorded span, so none is recorded unless its caller's trace
    is sampled or `OTEL_TRACES_SAMPLER` asks for it; trace ids are still made and propagated,
    so logs and events join up across services. `OTEL_SERVICE_NAME` renames the service.
    """
    exporters = span_exporters()
    sampler: Sampler | None = None  # the SDK reads OTEL_TRACES_SAMPLER (parentbased_always_on)
    if not exporters and not os.environ.get(SAMPLER):
        sampler = UNEXPORTED
    named = {} if os.environ.get(SERVICE_NAME_VARIABLE) else {SERVICE_NAME: f"meshwork-{service}"}
    provider = TracerProvider(resource=Resource.create(named), sampler=sampler)
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def span_exporters() -> list[SpanExporter]:
    """The exporters `OTEL_TRACES_EXPORTER` names (``otlp`` over the protocol
    `OTEL_EXPORTER_OTLP_PROTOCOL` names, ``console``, or any other registered exporter), each
    configured by the SDK's own variables; by default ``otlp`` when
    `OTEL_EXPORTER_OTLP_ENDPOINT` is set, else none (also with ``none``)."""
    default = "otlp" if os.environ.get(OTLP_ENDPOINT) else "none"
    names = [name.strip() for name in os.environ.get(EXPORTERS, default).split(",")]
    return [_load_exporter(name)() for name in names if name and name != "none"]


def _load_exporter(name: str) -> type[SpanExporter]:
    package = f"the package registering the {name!r} span exporter"
    if name == "otlp":
        protocol = next((os.environ[v] for v in OTLP_PROTOCOLS if os.environ.get(v)), "grpc")
        if protocol not in OTLP_EXPORTERS:
            raise ValueError(
                f"{OTLP_PROTOCOLS[-1]}={protocol!r} is not an OTLP protocol for traces: "
                f"use one of {', '.join(OTLP_EXPORTERS)}"
            )
        name, package = OTLP_EXPORTERS[protocol]
    found = entry_points(group=EXPORTER_ENTRY_POINTS, name=name)
    if not found:
        raise ValueError(f"{EXPORTERS} names {name!r}, which is not installed: install {package}")
    exporter: type[SpanExporter] = next(iter(found)).load()
    return exporter


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


def current_trace_id() -> str:
    """The trace id of the current span, in hex ("" outside a trace): what logs and records
    carry to find a request's trace and log lines."""
    span = trace.get_current_span().get_span_context()
    return format(span.trace_id, "032x") if span.is_valid else ""
