"""Server spans: one OpenTelemetry SERVER span per contract call, continuing the caller's trace.

The attributes follow the OpenTelemetry RPC conventions, as opentelemetry-instrumentation-grpc
sets them (rpc.system, rpc.service, rpc.method, rpc.grpc.status_code, net.peer.*), and so does
the status: ERROR for the codes that mean the server failed, unset otherwise. We start the span
ourselves rather than through that package's aio interceptor, which rebuilds the handler and
wraps the servicer context on every call; this costs a fraction of it (bench/mesh_chain.py).

Without an exporter (`mesh.tracing.UNEXPORTED`) no span is recorded unless the caller's trace
is sampled; such a call's span is made directly, as the SDK would make it, without its
per-span bookkeeping (`mesh.tracing.SpanStarter`).
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from urllib.parse import unquote

import grpc
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from mesh.interceptors.base import Call
from mesh.tracing import SpanStarter, rpc_attributes

#: Server-side codes that mark the span as failed (the others are the caller's doing).
_SERVER_FAILURES = frozenset({"UNKNOWN", "DEADLINE_EXCEEDED", "UNIMPLEMENTED", "INTERNAL",
                              "UNAVAILABLE", "DATA_LOSS"})  # fmt: skip


class ServerTracing:
    """Starts the server spans of one server, with `tracer_provider`'s tracer (default: the
    global one). The caller's trace is extracted only when the metadata carries one of the
    headers the global propagator reads (looked up once, when the server is built)."""

    def __init__(self, tracer_provider: trace.TracerProvider | None = None) -> None:
        self._spans = SpanStarter(
            trace.get_tracer("meshwork.server", tracer_provider=tracer_provider)
        )
        self._propagation_keys = frozenset(propagate.get_global_textmap().fields)

    def start(self, call: Call, context: grpc.aio.ServicerContext) -> ServerSpan:
        metadata = call.metadata
        carries_trace = not self._propagation_keys.isdisjoint(metadata)
        parent = propagate.extract(metadata) if carries_trace else None
        span = self._spans.start(
            call.method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes=rpc_attributes(call.method),
        )
        if span.is_recording():
            _record_peer(span, context.peer(), metadata)
        return ServerSpan(span, otel_context.attach(trace.set_span_in_context(span, parent)))


class ServerSpan:
    """The span of one served call, current (in the OpenTelemetry context) until `end`."""

    __slots__ = ("_span", "_token")

    def __init__(self, span: trace.Span, token: contextvars.Token[otel_context.Context]) -> None:
        self._span = span
        self._token = token

    def end(self, code: str, error: BaseException | None) -> None:
        """Ends the span with the call's final status code; leaves the caller's context."""
        span = self._span
        if span.is_recording():
            span.set_attribute("rpc.grpc.status_code", grpc.StatusCode[code].value[0])
            if code in _SERVER_FAILURES:
                span.set_status(Status(StatusCode.ERROR, code))
                if error is not None and not isinstance(error, grpc.aio.AbortError):
                    span.record_exception(error)
        span.end()
        otel_context.detach(self._token)


def _record_peer(span: trace.Span, peer: str, metadata: Mapping[str, str]) -> None:
    """net.peer.ip/port (and name for loopback) from `ipv4:10.0.0.1:5000`, plus user agent."""
    if "user-agent" in metadata:
        span.set_attribute("rpc.user_agent", metadata["user-agent"])
    kind, _, address = peer.partition(":")
    if kind not in ("ipv4", "ipv6") or ":" not in address:
        return
    ip, _, port = address.split(",")[0].rpartition(":")
    ip = unquote(ip)
    span.set_attribute("net.peer.ip", ip)
    span.set_attribute("net.peer.port", port)
    if ip in ("[::1]", "127.0.0.1"):
        span.set_attribute("net.peer.name", "localhost")
