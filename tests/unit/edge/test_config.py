"""The edge's settings: its port and its upstreams' addresses come from the service catalogue."""

from __future__ import annotations

from edge.config import EdgeSettings
from mesh.catalog import catalog


def test_the_edge_listens_on_the_catalogues_edge_port_by_default() -> None:
    assert EdgeSettings().http_port == catalog().edge.port


def test_the_edge_has_an_address_for_every_service_of_the_catalogue(monkeypatch) -> None:
    users = catalog().service("users")
    monkeypatch.setenv(users.address_variable, "dns:///users:50051")
    settings = EdgeSettings()
    assert settings.address_of("users") == "dns:///users:50051"
    others = [entry for entry in catalog().services if entry.name != "users"]
    assert [settings.address_of(entry.name) for entry in others] == [
        entry.local_address for entry in others
    ]
