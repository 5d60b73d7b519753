"""What `make up` runs and tells its processes comes from the service catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from mesh.catalog import catalog
from mesh.devstack import (
    ServiceProcess,
    load_credentials,
    plan_edge,
    plan_services,
    stack_environment,
)


@pytest.fixture(autouse=True)
def any_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESHWORK_ANY_PORTS", "1")  # another stack may hold the usual ones


def test_the_stack_runs_each_runnable_service_of_the_catalogue_with_its_package(
    tmp_path: Path,
) -> None:
    planned = plan_services(catalog(), logs=tmp_path)
    assert [(p.name, p.module) for p in planned] == [
        (entry.name, entry.package) for entry in catalog().runnable
    ]
    assert all(p.log_path == tmp_path / f"{p.name}.log" for p in planned)


def test_the_edge_runs_the_catalogues_edge_package(tmp_path: Path) -> None:
    edge = plan_edge(catalog(), logs=tmp_path)
    assert (edge.name, edge.module) == ("edge", catalog().edge.package)


def test_every_client_of_the_catalogue_gets_a_secret_kept_between_runs(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    first = load_credentials(path, list(catalog().client_ids))
    assert set(first) == set(catalog().client_ids)
    assert load_credentials(path, list(catalog().client_ids)) == first


def test_each_service_learns_where_the_others_listen_from_their_catalogue_variables(
    tmp_path: Path,
) -> None:
    services = [
        ServiceProcess(name=name, port=port, module=f"services.{name}", log_path=tmp_path)
        for name, port in (("identity", 61001), ("jobs", 61002))
    ]
    credentials = {client: f"{client}-secret" for client in catalog().client_ids}
    env = stack_environment(services, nats_url="nats://n:4222", credentials=credentials)
    jobs = catalog().service("jobs")
    assert env[jobs.address_variable] == "127.0.0.1:61002"
    assert env[f"{jobs.env_prefix}GRPC_ADDRESS"] == "127.0.0.1:61002"
    assert env[f"{jobs.env_prefix}CLIENT_SECRET"] == "jobs-secret"
    assert env[catalog().service("identity").address_variable] == "127.0.0.1:61001"
    assert env["EDGE_CLIENT_SECRET"] == "edge-secret"
