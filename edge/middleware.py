"""ASGI middleware of the edge: request context (id, trace, access log, metrics), body limit."""

from __future__ import annotations

import logging
import re
import time

from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
from opentelemetry.trace import SpanKind, TracerProvider
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edge.errors import (
    EDGE_DOMAIN,
    REQUEST_ID_SCOPE_KEY,
    PayloadTooLarge,
    domain_error_response,
    request_id_of,
)
from edge.metrics import EdgeMetrics
from mesh.context import new_request_id, request_id_var
from mesh.logs import log_structured
from mesh.tracing import SpanStarter, tracer_provider

logger = logging.getLogger("meshwork.edge.access")

#: Where the matched route template is kept in the scope (for metrics and logs).
ROUTE_SCOPE_KEY = "meshwork.route"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def edge_tracer_provider(service: str) -> TracerProvider:
    """The globally configured SDK provider, else the mesh's (`mesh.tracing`): either way the
    edge makes real span contexts, so upstream calls continue the client's trace (or start
    one) with fresh ids."""
    configured = trace.get_tracer_provider()
    return configured if isinstance(configured, SdkTracerProvider) else tracer_provider(service)


def route_of(scope: Scope) -> str:
    route = scope.get(ROUTE_SCOPE_KEY)
    if route:
        return str(route)
    starlette_route = scope.get("route")
    return str(getattr(starlette_route, "path", "unmatched"))


class RequestContextMiddleware:
    """Adopts `X-Request-Id` (or makes one) and echoes it, continues the W3C `traceparent` in
    a server span, and records one access-log line and the metrics of each request."""

    def __init__(self, app: ASGIApp, *, metrics: EdgeMetrics, tracer_provider: TracerProvider):
        self.app = app
        self._metrics = metrics
        self._spans = SpanStarter(tracer_provider.get_tracer("meshwork.edge"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = scope[REQUEST_ID_SCOPE_KEY] = _request_id(headers.get("x-request-id", ""))
        token = request_id_var.set(request_id)
        status = {"code": 500}
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                response_headers = MutableHeaders(scope=message)
                if "x-request-id" not in response_headers:
                    response_headers.append("X-Request-Id", request_id)
                # a browser must take every answer as the type it is declared, never guess
                response_headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        parent = propagate.extract(dict(headers))
        method = scope["method"]
        try:
            span = self._spans.start(method, context=parent, kind=SpanKind.SERVER)
            with trace.use_span(span, end_on_exit=True):
                try:
                    await self.app(scope, receive, send_with_id)
                finally:
                    span.update_name(f"{method} {route_of(scope)}")  # the template, not the path
                    span.set_attribute("http.response.status_code", status["code"])
                    # inside the span: the access line carries the trace it belongs to
                    self._record(scope, status["code"], time.perf_counter() - started)
        finally:
            request_id_var.reset(token)

    def _record(self, scope: Scope, code: int, seconds: float) -> None:
        route = route_of(scope)
        self._metrics.observe(scope["method"], route, code, seconds)
        level = logging.ERROR if code == 500 else logging.WARNING if code > 500 else logging.INFO
        fields = {
            "method": scope["method"],
            "route": route,
            "code": code,
            "duration_ms": round(seconds * 1000, 2),
            "client": (scope.get("client") or ("", 0))[0],
        }
        log_structured(logger, level, f"{scope['method']} {route} {code}", fields)


def _request_id(given: str) -> str:
    """The client's request id when it is sane (short, no spaces or controls), else a new one."""
    return given if _REQUEST_ID.match(given) else new_request_id()


class BodyLimitMiddleware:
    """Refuses bodies over `max_bytes` with 413: at once by Content-Length, else while reading."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self._max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            response = domain_error_response(self._too_large(), request_id=request_id_of(scope))
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self._max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, limited_receive, send)

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"the request body exceeds {self._max_bytes} bytes",
            reason="BODY_TOO_LARGE",
            domain=EDGE_DOMAIN,
            metadata={"max_bytes": str(self._max_bytes)},
        )
