"""Writes Grafana's RED dashboards: `python -m deploy.grafana.dashboards` (from the repo root).

One dashboard per service (rate, errors and duration of the gRPC calls it serves, from
mesh/interceptors/metrics.py) and one for the edge (its HTTP requests, from edge/metrics.py).
Run it again after adding a service; a test checks the files are what it writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mesh.catalog import catalog

DASHBOARDS = Path(__file__).parent / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
WINDOW = "[$__rate_interval]"
#: Status codes that are the server's fault (the others answer a caller's mistake).
SERVER_FAULTS = "UNKNOWN|INTERNAL|UNAVAILABLE|DEADLINE_EXCEEDED|DATA_LOSS|UNIMPLEMENTED"


def panel(title: str, unit: str, targets: dict[str, str], *, position: int) -> dict[str, Any]:
    """A time series of `targets` (legend → PromQL), the `position`-th of a row of three."""
    queries = [
        {"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": expr, "legendFormat": legend}
        for i, (legend, expr) in enumerate(targets.items())
    ]
    return {
        "id": position + 1,
        "type": "timeseries",
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": {"h": 9, "w": 8, "x": 8 * position, "y": 0},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": queries,
    }


def dashboard(uid: str, title: str, panels: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "tags": ["meshwork", "red"],
        "timezone": "browser",
        "refresh": "30s",
        "time": {"from": "now-1h", "to": "now"},
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "panels": panels,
    }


def rate(metric: str, selector: str = "", *, by: str = "") -> str:
    """PromQL: the per-second rate of `metric`'s series matching `selector`, summed `by`."""
    return f"sum{f' by ({by}) ' if by else ''}(rate({metric}{selector}{WINDOW}))"


def red_panels(
    *, requests: str, by: str, errors: dict[str, str], histogram: str, selector: str = ""
) -> list[dict[str, Any]]:
    """Rate of `requests` by `by`, the `errors` queries, quantiles of `histogram`'s buckets."""
    quantiles = {
        f"p{q}": f"histogram_quantile(0.{q}, {rate(f'{histogram}_bucket', selector, by='le')})"
        for q in (50, 95, 99)
    }
    legend = " ".join(f"{{{{{label.strip()}}}}}" for label in by.split(","))
    return [
        panel("Rate", "reqps", {legend: rate(requests, selector, by=by)}, position=0),
        panel("Errors", "reqps", errors, position=1),
        panel("Duration", "s", quantiles, position=2),
    ]


def service_dashboard(service: str) -> dict[str, Any]:
    """Rate by method, errors by status code, latency quantiles of one gRPC service."""
    handled = "grpc_server_handled_total"
    of = f'{{service="{service}"}}'
    failed = f'{{service="{service}", grpc_code!="OK"}}'
    faults = f'{{service="{service}", grpc_code=~"{SERVER_FAULTS}"}}'
    errors = {
        "{{grpc_code}}": rate(handled, failed, by="grpc_code"),
        "server faults / all": f"{rate(handled, faults)} / {rate(handled, of)}",
    }
    panels = red_panels(
        requests=handled,
        by="grpc_method",
        errors=errors,
        histogram="grpc_server_handling_seconds",
        selector=of,
    )
    return dashboard(f"meshwork-{service}", f"Meshwork / {service}", panels)


def edge_dashboard() -> dict[str, Any]:
    """Rate by route, 5xx answers by code, latency quantiles of the REST edge."""
    requests = "edge_http_requests_total"
    errors = {"{{code}}": rate(requests, '{code=~"5.."}', by="code")}
    panels = red_panels(
        requests=requests,
        by="method, route",
        errors=errors,
        histogram="edge_http_request_duration_seconds",
    )
    return dashboard("meshwork-edge", "Meshwork / edge", panels)


def dashboards() -> dict[str, dict[str, Any]]:
    """Every dashboard by file name."""
    made = {f"{entry.name}.json": service_dashboard(entry.name) for entry in catalog().runnable}
    return made | {"edge.json": edge_dashboard()}


def render(board: dict[str, Any]) -> str:
    return json.dumps(board, indent=2, sort_keys=True) + "\n"


def main() -> None:
    DASHBOARDS.mkdir(exist_ok=True)
    for name, board in dashboards().items():
        (DASHBOARDS / name).write_text(render(board))


if __name__ == "__main__":
    main()
