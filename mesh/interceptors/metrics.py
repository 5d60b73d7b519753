"""Prometheus RED metrics per method: rate and errors (by status code) and duration."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import grpc
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

from mesh.interceptors.base import Call, CallInterceptor, MethodTable
from mesh.interceptors.request_context import status_code_of

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class ServerMetrics:
    """The server-side metric families (names follow go-grpc-prometheus conventions)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        labels = ("service", "grpc_service", "grpc_method")
        self.started = Counter(
            "grpc_server_started_total", "RPCs started on the server.", labels, registry=registry
        )
        self.handled = Counter(
            "grpc_server_handled_total",
            "RPCs completed on the server, by status code.",
            (*labels, "grpc_code"),
            registry=registry,
        )
        self.duration = Histogram(
            "grpc_server_handling_seconds",
            "Time to handle an RPC, until the status is sent.",
            labels,
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.in_flight = Gauge(
            "grpc_server_in_flight", "RPCs being handled now.", labels, registry=registry
        )


_families: dict[int, ServerMetrics] = {}


def server_metrics(registry: CollectorRegistry | None = None) -> ServerMetrics:
    """The metric families registered in `registry` (created once per registry)."""
    registry = registry or REGISTRY
    if id(registry) not in _families:
        _families[id(registry)] = ServerMetrics(registry)
    return _families[id(registry)]


class MetricsInterceptor(CallInterceptor):
    """Counts and times every call by service, method and final status code."""

    def __init__(
        self, methods: MethodTable, *, service: str, registry: CollectorRegistry | None = None
    ) -> None:
        super().__init__(methods)
        self._service = service
        self._metrics = server_metrics(registry)
        self._by_method: dict[str, tuple[Any, Any, Any]] = {}

    @asynccontextmanager
    async def around(self, call: Call, context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
        started_total, in_flight, duration = self._children(call.method)
        started_total.inc()
        in_flight.inc()
        started = time.perf_counter()
        error: BaseException | None = None
        try:
            yield
        except BaseException as raised:
            error = raised
            raise
        finally:
            in_flight.dec()
            duration.observe(time.perf_counter() - started)
            code = status_code_of(context, error)
            self._metrics.handled.labels(*self._labels(call.method), code).inc()

    def _labels(self, method: str) -> tuple[str, str, str]:
        grpc_service, _, grpc_method = method.lstrip("/").rpartition("/")
        return self._service, grpc_service, grpc_method

    def _children(self, method: str) -> tuple[Any, Any, Any]:
        """The per-method metric children, looked up once (label lookups cost on a hot path)."""
        if method not in self._by_method:
            labels = self._labels(method)
            self._by_method[method] = (
                self._metrics.started.labels(*labels),
                self._metrics.in_flight.labels(*labels),
                self._metrics.duration.labels(*labels),
            )
        return self._by_method[method]
