"""Identity settings: every service client has a secret, and dev secrets stay in dev."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.identity.config import SERVICE_CLIENTS, IdentitySettings

PRODUCTION = {
    "IDENTITY_ENVIRONMENT": "production",
    "IDENTITY_CLIENT_SECRET": "identity-own-secret",
    "IDENTITY_SIGNING_KEY_SECRET": "key-encryption-secret",
    "IDENTITY_DATABASE_URL": "postgresql+asyncpg://db/identity",
}


def test_in_dev_every_service_client_gets_the_shared_dev_secret() -> None:
    settings = IdentitySettings()
    assert set(settings.service_clients) == set(SERVICE_CLIENTS)
    assert settings.service_clients["jobs"].get_secret_value() == "dev-insecure-client-secret"
    assert "dev-insecure" not in str(settings.public_view())


def test_outside_dev_a_client_left_at_the_dev_secret_is_refused(monkeypatch) -> None:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("IDENTITY_SERVICE_CLIENTS", '{"users": "u-secret"}')
    with pytest.raises(ValidationError) as caught:
        IdentitySettings()
    message = str(caught.value)
    assert "IDENTITY_SERVICE_CLIENTS" in message and "'jobs'" in message
    assert "'users'" not in message


def test_outside_dev_the_signing_key_secret_must_be_set(monkeypatch) -> None:
    monkeypatch.setenv("IDENTITY_ENVIRONMENT", "production")
    monkeypatch.setenv("IDENTITY_CLIENT_SECRET", "x")
    with pytest.raises(ValidationError) as caught:
        IdentitySettings(service_clients={name: f"{name}-secret" for name in SERVICE_CLIENTS})
    assert "IDENTITY_SIGNING_KEY_SECRET" in str(caught.value)


def test_production_starts_when_every_client_has_its_own_secret(monkeypatch) -> None:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    settings = IdentitySettings(service_clients={name: f"{name}-s" for name in SERVICE_CLIENTS})
    assert settings.service_clients["edge"].get_secret_value() == "edge-s"


def test_a_teams_own_service_can_be_added_as_client_and_audience() -> None:
    settings = IdentitySettings(
        service_clients={"billing": "b-secret"}, service_audiences=["users", "billing"]
    )
    assert settings.service_clients["billing"].get_secret_value() == "b-secret"
    assert set(SERVICE_CLIENTS) < set(settings.service_clients)
