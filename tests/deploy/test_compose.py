"""docker-compose.yml: valid with the example secrets, refused without them, every service in."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from mesh.bundled_nats import nats_server_binary
from mesh.catalog import catalog
from services.identity.config import SERVICE_CLIENTS
from tests.support import ROOT
from tests.support.tools import run, tool

#: Only PATH: no secret from the environment running the tests reaches compose.
BARE_ENVIRONMENT = {"PATH": os.environ.get("PATH", "")}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The compose file as compose resolves it with the example environment."""
    result = run(
        tool("docker-compose"), "--env-file", ".env.example", "config", env=BARE_ENVIRONMENT
    )
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def test_the_compose_file_is_valid_with_the_example_secrets() -> None:
    result = run(
        tool("docker-compose"), "--env-file", ".env.example", "config", "-q", env=BARE_ENVIRONMENT
    )
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_while_a_secret_is_unset(tmp_path: Path) -> None:
    example = (ROOT / ".env.example").read_text().splitlines()
    partial = tmp_path / "partial.env"
    partial.write_text("\n".join(line for line in example if "JOBS_WEBHOOK" not in line))

    result = run(
        tool("docker-compose"), "--env-file", str(partial), "config", "-q", env=BARE_ENVIRONMENT
    )

    assert result.returncode != 0
    assert "set JOBS_WEBHOOK_SECRET_KEY" in result.stderr


def test_every_runnable_service_runs_with_its_own_database_once_its_dependencies_are_healthy(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    databases = services["postgres"]["environment"]["MESHWORK_DATABASES"].split(",")
    for name in [entry.name for entry in catalog().runnable]:
        service = services[name]
        environment = service["environment"]
        assert service["command"] == [name]
        assert environment[f"{name.upper()}_DATABASE_URL"].endswith(f"@postgres:5432/{name}")
        port = catalog().service(name).port
        assert environment[f"{name.upper()}_GRPC_ADDRESS"] == f"0.0.0.0:{port}"
        assert environment["MESHWORK_HEALTHCHECK_TARGET"] == f"127.0.0.1:{port}"
        assert name in databases
        assert {d["condition"] for d in service["depends_on"].values()} <= {
            "service_healthy",
            "service_started",  # Jaeger: spans wait in the exporter's queue until it is up
        }
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    edge = services["edge"]
    assert edge["environment"]["EDGE_RATE_LIMIT_STORAGE"] == "redis://redis:6379/0"
    assert set(edge["depends_on"]) >= {"redis", *[entry.name for entry in catalog().runnable]}


def test_identity_knows_a_secret_for_every_machine_client(compose: dict[str, Any]) -> None:
    clients = json.loads(compose["services"]["identity"]["environment"]["IDENTITY_SERVICE_CLIENTS"])

    assert set(clients) == set(SERVICE_CLIENTS)
    assert len(set(clients.values())) == len(clients)  # each its own


def test_nats_keeps_jetstream_on_disk_synced_on_every_write() -> None:
    config = ROOT / "deploy" / "nats" / "nats.conf"

    result = run(nats_server_binary(), "-c", str(config), "-t")

    assert result.returncode == 0, result.stderr
    assert "sync_interval: always" in config.read_text()
