"""Prometheus scrapes every service and the edge; Grafana's dashboards query metrics that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry

from deploy.grafana.dashboards import DASHBOARDS, dashboards, render
from edge.metrics import EdgeMetrics
from mesh.catalog import catalog
from mesh.interceptors.metrics import server_metrics
from tests.support import ROOT
from tests.support.tools import run, tool

PROMETHEUS = ROOT / "deploy" / "prometheus" / "prometheus.yml"


def _exposed() -> dict[str, set[str]]:
    """Every series name the services and the edge expose, with its label names."""
    registry = CollectorRegistry()
    server_metrics(registry).method("users", "/pkg.Service/Method").end("OK", 0.01)
    EdgeMetrics(registry).observe("GET", "/v1/users/{id}", 200, 0.01)
    return {
        sample.name: set(sample.labels)
        for family in registry.collect()
        for sample in family.samples
    }


def _queries() -> list[str]:
    return [
        target["expr"]
        for board in dashboards().values()
        for panel in board["panels"]
        for target in panel["targets"]
    ]


def test_the_prometheus_config_is_valid() -> None:
    result = run(tool("promtool"), "check", "config", str(PROMETHEUS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_scrapes_every_service_and_the_edge() -> None:
    config: dict[str, Any] = yaml.safe_load(PROMETHEUS.read_text())
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    services = [entry.name for entry in catalog().runnable]
    assert {f"{name}:9464" for name in services} | {"edge:8080"} <= targets


def test_each_service_and_the_edge_has_its_dashboard_as_the_generator_writes_it() -> None:
    expected = dashboards()
    services = {f"{entry.name}.json" for entry in catalog().runnable}
    assert set(expected) == services | {"edge.json"}
    for name, board in expected.items():
        written = (DASHBOARDS / name).read_text()
        assert json.loads(written) == board, f"run `python -m deploy.grafana.dashboards` ({name})"
        assert written == render(board)


def test_dashboards_query_metrics_and_labels_that_exist() -> None:
    exposed = _exposed()
    for query in _queries():
        metrics = set(re.findall(r"\b((?:grpc|edge)_\w+)[{\[]", query))
        assert metrics and metrics <= set(exposed), query
        labels = set(re.findall(r"(\w+)\s*(?:=~|!=|=)\s*\"", query))
        labels |= {label.strip() for group in re.findall(r"by \(([^)]*)\)", query)
                   for label in group.split(",")}  # fmt: skip
        available = set().union(*(exposed[metric] for metric in metrics))
        assert labels <= available, query


def test_dashboard_queries_are_valid_promql(tmp_path: Path) -> None:
    queries = [query.replace("$__rate_interval", "5m") for query in _queries()]
    recorded = [{"record": f"dashboard:query{i}", "expr": q} for i, q in enumerate(queries)]
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": recorded}]}))

    result = run(tool("promtool"), "check", "rules", str(path))

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "path", sorted((ROOT / "deploy" / "grafana" / "provisioning").rglob("*.yml"))
)
def test_grafana_provisioning_files_are_yaml(path: Path) -> None:
    assert yaml.safe_load(path.read_text())["apiVersion"] == 1
