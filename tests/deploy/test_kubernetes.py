"""deploy/k8s: base and production render with kustomize, validate, and deploy every service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mesh.catalog import catalog
from tests.support import ROOT
from tests.support.tools import run, tool

OVERLAYS = ["base", "production"]


def _render(overlay: str) -> str:
    result = run(tool("kubectl"), "kustomize", str(ROOT / "deploy" / "k8s" / overlay))
    assert result.returncode == 0, result.stderr
    return result.stdout


def _documents(overlay: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The rendered objects by (kind, name)."""
    documents = [d for d in yaml.safe_load_all(_render(overlay)) if d]
    return {(d["kind"], d["metadata"]["name"]): d for d in documents}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_is_valid_kubernetes(overlay: str, tmp_path: Path) -> None:
    rendered = tmp_path / f"{overlay}.yaml"
    rendered.write_text(_render(overlay))

    result = run(tool("kubernetes-validate"), "--strict", "--quiet", str(rendered))

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_is_probed_over_grpc_and_reached_through_its_headless_service(
    overlay: str,
) -> None:
    objects = _documents(overlay)
    config = objects[("ConfigMap", "meshwork-config")]["data"]
    grace_s = float(config["MESHWORK_SHUTDOWN_GRACE_S"])
    for name in [entry.name for entry in catalog().runnable]:
        port = catalog().service(name).port
        pod = objects[("Deployment", name)]["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert container["args"] == [name]
        assert container["readinessProbe"]["grpc"] == {"port": port}
        assert container["startupProbe"]["grpc"] == {"port": port}
        assert pod["terminationGracePeriodSeconds"] > grace_s + 5  # + the preStop pause
        assert objects[("Service", f"{name}-headless")]["spec"]["clusterIP"] == "None"
        assert config[f"MESHWORK_{name.upper()}_ADDRESS"] == f"dns:///{name}-headless:{port}"
        assert ("PodDisruptionBudget", name) in objects


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_edge_takes_outside_traffic(overlay: str) -> None:
    objects = _documents(overlay)
    policies = {name: o["spec"] for (kind, name), o in objects.items() if kind == "NetworkPolicy"}
    assert policies["default-deny-ingress"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    open_to_all = [
        spec["podSelector"]
        for spec in policies.values()
        if any("from" not in rule for rule in spec.get("ingress", []))
    ]
    assert open_to_all == [{"matchLabels": {"app.kubernetes.io/name": "edge"}}]
    assert ("HorizontalPodAutoscaler", "edge") in objects


def test_production_pins_the_image_and_runs_in_its_namespace() -> None:
    objects = _documents("production")
    for (kind, _), document in objects.items():
        if kind != "Namespace":
            assert document["metadata"]["namespace"] == "meshwork"
    images = {
        o["spec"]["template"]["spec"]["containers"][0]["image"]
        for (kind, _), o in objects.items()
        if kind == "Deployment"
    }
    assert len(images) == 1 and not images.pop().endswith(":latest")
