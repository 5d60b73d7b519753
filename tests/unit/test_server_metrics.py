"""The server's metric families: registered once per registry, and in that registry."""

from __future__ import annotations

import gc

from prometheus_client import CollectorRegistry

from mesh.interceptors.metrics import MethodMetrics, server_metrics

SAMPLE = "grpc_server_started_total"
LABELS = {"service": "testing", "grpc_service": "pkg.Service", "grpc_method": "Call"}


def test_each_registry_gets_its_own_families_even_after_others_are_collected() -> None:
    for _ in range(50):  # an id() of a collected registry is soon reused by a new one
        registry = CollectorRegistry()
        MethodMetrics(server_metrics(registry), "testing", "/pkg.Service/Call").begin()
        assert registry.get_sample_value(SAMPLE, LABELS) == 1.0
        del registry
        gc.collect()


def test_the_same_registry_gets_the_same_families() -> None:
    registry = CollectorRegistry()
    assert server_metrics(registry) is server_metrics(registry)
