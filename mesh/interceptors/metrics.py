"""Prometheus RED metrics per method: rate and errors (by status code) and duration.

Calls in flight are `grpc_server_started_total - grpc_server_handled_total` (as with
go-grpc-prometheus). Names, labels and buckets follow go-grpc-prometheus too.

A call updates three series; as prometheus_client children each update takes a lock and
several calls (a sixth of the chain's cost per call, bench/mesh_chain.py). So each method
keeps its counts as plain numbers, updated by the event loop that serves the calls, and the
registry reads them when it is scraped, through a custom collector (the library's way to
expose numbers kept elsewhere). A scrape copies each series in one step (a number, or a copy
of the dict or list that holds it), as prometheus_client reads its own children one at a time.
"""

from __future__ import annotations

import bisect
import time
import weakref
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_BUCKET_NAMES = (*(str(float(bound)) for bound in _LATENCY_BUCKETS), "+Inf")
_LABELS = ("service", "grpc_service", "grpc_method")


class MethodMetrics:
    """One method's counts: calls started, calls handled by status code, and the histogram of
    their durations (per bucket, not yet cumulative, and their sum)."""

    __slots__ = ("buckets", "created", "handled", "labels", "started", "sum")

    def __init__(self, service: str, method: str) -> None:
        grpc_service, _, grpc_method = method.lstrip("/").rpartition("/")
        self.labels = (service, grpc_service, grpc_method)
        self.created = time.time()
        self.started = 0
        self.handled: dict[str, int] = {}
        self.buckets = [0] * len(_BUCKET_NAMES)
        self.sum = 0.0

    def begin(self) -> None:
        self.started += 1

    def end(self, code: str, duration_s: float) -> None:
        handled = self.handled
        handled[code] = handled.get(code, 0) + 1
        self.buckets[bisect.bisect_left(_LATENCY_BUCKETS, duration_s)] += 1  # le: ≤ bound
        self.sum += duration_s


class ServerMetrics(Collector):
    """The server-side metric families of one registry, collected from its methods' counts."""

    def __init__(self) -> None:
        self._methods: dict[tuple[str, str], MethodMetrics] = {}

    def method(self, service: str, method: str) -> MethodMetrics:
        """The counts of `method` served by `service` (one per pair, shared by its servers)."""
        key = (service, method)
        counts = self._methods.get(key)
        if counts is None:
            counts = self._methods[key] = MethodMetrics(service, method)
        return counts

    def describe(self) -> Iterator[Metric]:
        return iter(self._families())

    def collect(self) -> Iterator[Metric]:
        started, handled, duration = families = self._families()
        for counts in list(self._methods.values()):
            labels = list(counts.labels)
            started.add_metric(labels, counts.started, created=counts.created)
            for code, count in list(counts.handled.items()):
                handled.add_metric([*labels, code], count, created=counts.created)
            total, cumulative = 0, []
            for name, count in zip(_BUCKET_NAMES, list(counts.buckets), strict=True):
                total += count
                cumulative.append((name, total))
            duration.add_metric(labels, cumulative, counts.sum)
            # as prometheus_client's Histogram has it (HistogramMetricFamily takes no `created`)
            duration.add_sample(
                "grpc_server_handling_seconds_created",
                dict(zip(_LABELS, labels, strict=True)),
                counts.created,
            )
        return iter(families)

    @staticmethod
    def _families() -> tuple[CounterMetricFamily, CounterMetricFamily, HistogramMetricFamily]:
        return (
            CounterMetricFamily(
                "grpc_server_started_total", "RPCs started on the server.", labels=_LABELS
            ),
            CounterMetricFamily(
                "grpc_server_handled_total",
                "RPCs completed on the server, by status code.",
                labels=(*_LABELS, "grpc_code"),
            ),
            HistogramMetricFamily(
                "grpc_server_handling_seconds",
                "Time to handle an RPC, until the status is sent.",
                labels=_LABELS,
            ),
        )


#: Per registry, held weakly: keyed by id(), a registry made after another was collected could
#: reuse its id and be handed the families registered in the dead one (metrics then vanish).
_families: weakref.WeakKeyDictionary[CollectorRegistry, ServerMetrics] = weakref.WeakKeyDictionary()


def server_metrics(registry: CollectorRegistry | None = None) -> ServerMetrics:
    """The metric families registered in `registry` (created once per registry)."""
    registry = registry or REGISTRY
    families = _families.get(registry)
    if families is None:
        families = _families[registry] = ServerMetrics()
        registry.register(families)
    return families
