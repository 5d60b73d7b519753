"""The server's metric families: registered once per registry, in that registry, and exposed
as prometheus_client's own counters and histogram would expose them."""

from __future__ import annotations

import gc

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from mesh.interceptors.metrics import server_metrics

SAMPLE = "grpc_server_started_total"
LABELS = {"service": "testing", "grpc_service": "pkg.Service", "grpc_method": "Call"}


def test_each_registry_gets_its_own_families_even_after_others_are_collected() -> None:
    for _ in range(50):  # an id() of a collected registry is soon reused by a new one
        registry = CollectorRegistry()
        server_metrics(registry).method("testing", "/pkg.Service/Call").begin()
        assert registry.get_sample_value(SAMPLE, LABELS) == 1.0
        del registry
        gc.collect()


def test_the_same_registry_gets_the_same_families() -> None:
    registry = CollectorRegistry()
    assert server_metrics(registry) is server_metrics(registry)


def _samples(registry: CollectorRegistry) -> set[tuple[str, tuple[tuple[str, str], ...], float]]:
    """Every sample of `registry`; creation times only by name and labels (their values
    differ between registries)."""
    text = generate_latest(registry).decode()
    return {
        (
            sample.name,
            tuple(sorted(sample.labels.items())),
            0.0 if sample.name.endswith("_created") else sample.value,
        )
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_the_exposition_is_what_prometheus_client_metrics_would_expose() -> None:
    calls = [("OK", 0.0005), ("OK", 0.005), ("NOT_FOUND", 0.7), ("INTERNAL", 12.0)]
    ours = CollectorRegistry()
    method = server_metrics(ours).method("testing", "/pkg.Service/Call")
    reference = CollectorRegistry()
    labels = ("service", "grpc_service", "grpc_method")
    started = Counter("grpc_server_started_total", "", labels, registry=reference)
    handled = Counter("grpc_server_handled_total", "", (*labels, "grpc_code"), registry=reference)
    duration = Histogram(
        "grpc_server_handling_seconds", "", labels, registry=reference,
        buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    )  # fmt: skip
    values = LABELS.values()
    for code, seconds in calls:
        method.begin()
        method.end(code, seconds)
        started.labels(*values).inc()
        handled.labels(*values, code).inc()
        duration.labels(*values).observe(seconds)
    method.begin()  # one call still in flight
    started.labels(*values).inc()

    assert _samples(ours) == _samples(reference)
    assert (
        ours.get_sample_value("grpc_server_handling_seconds_bucket", {**LABELS, "le": "0.005"}) == 2
    )
    assert ours.get_sample_value("grpc_server_started_created", LABELS) is not None


def test_servers_of_one_service_share_a_method_s_counts() -> None:
    families = server_metrics(CollectorRegistry())
    assert families.method("testing", "/pkg.Service/Call") is families.method(
        "testing", "/pkg.Service/Call"
    )
    assert families.method("other", "/pkg.Service/Call") is not families.method(
        "testing", "/pkg.Service/Call"
    )
