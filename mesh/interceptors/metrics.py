"""Prometheus RED metrics per method: rate and errors (by status code) and duration.

Calls in flight are `grpc_server_started_total - grpc_server_handled_total` (as with
go-grpc-prometheus); a gauge of them would cost two more locked updates on every call.
"""

from __future__ import annotations

import weakref
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram

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


#: Per registry, held weakly: keyed by id(), a registry made after another was collected could
#: reuse its id and be handed the families registered in the dead one (metrics then vanish).
_families: weakref.WeakKeyDictionary[CollectorRegistry, ServerMetrics] = weakref.WeakKeyDictionary()


def server_metrics(registry: CollectorRegistry | None = None) -> ServerMetrics:
    """The metric families registered in `registry` (created once per registry)."""
    registry = registry or REGISTRY
    families = _families.get(registry)
    if families is None:
        families = _families[registry] = ServerMetrics(registry)
    return families


class MethodMetrics:
    """One method's metric children, looked up once (label lookups cost on a hot path)."""

    __slots__ = ("_handled", "_labels", "_metrics", "duration", "started")

    def __init__(self, metrics: ServerMetrics, service: str, method: str) -> None:
        grpc_service, _, grpc_method = method.lstrip("/").rpartition("/")
        self._labels = (service, grpc_service, grpc_method)
        self._metrics = metrics
        self.started = metrics.started.labels(*self._labels)
        self.duration = metrics.duration.labels(*self._labels)
        self._handled: dict[str, Any] = {}

    def begin(self) -> None:
        self.started.inc()

    def end(self, code: str, duration_s: float) -> None:
        self.duration.observe(duration_s)
        handled = self._handled.get(code)
        if handled is None:
            handled = self._handled[code] = self._metrics.handled.labels(*self._labels, code)
        handled.inc()
