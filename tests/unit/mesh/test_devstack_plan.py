"""What `make up` runs and tells its processes comes from the service catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mesh.catalog import catalog
from mesh.devstack import (
    ServiceProcess,
    load_credentials,
    plan_edge,
    plan_services,
    plan_stripe_sandbox,
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


def test_payments_gets_a_stripe_sandbox_that_signs_its_webhooks_to_the_edge(
    tmp_path: Path,
) -> None:
    services, edge = plan_services(catalog(), logs=tmp_path), plan_edge(catalog(), logs=tmp_path)

    planned = plan_stripe_sandbox(services, edge, logs=tmp_path)

    assert planned is not None
    sandbox, env = planned
    assert sandbox.module == "sandbox.stripe"
    assert env["PAYMENTS_STRIPE_API_BASE"] == f"http://{sandbox.address}"
    options = dict(zip(sandbox.args[::2], sandbox.args[1::2], strict=True))
    assert options["--port"] == str(sandbox.port)
    assert options["--webhook-url"] == f"http://{edge.address}/v1/webhooks/stripe"
    assert json.loads(env["PAYMENTS_STRIPE_WEBHOOK_SECRETS"]) == [options["--webhook-secret"]]


def test_a_stack_without_payments_starts_no_stripe_sandbox(tmp_path: Path) -> None:
    others = [p for p in plan_services(catalog(), logs=tmp_path) if p.name != "payments"]

    assert plan_stripe_sandbox(others, plan_edge(catalog(), logs=tmp_path), logs=tmp_path) is None
