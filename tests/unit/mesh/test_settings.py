"""Service settings: prefixes, shared values, local defaults and refused default secrets."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from mesh.catalog import catalog
from mesh.settings import ServiceSettings, settings_problems


class WidgetSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WIDGETS_")
    service: ClassVar[str] = "widgets"

    signing_secret: SecretStr = SecretStr("dev-insecure-signing")


def test_local_defaults_use_an_sqlite_file_named_after_the_service(monkeypatch) -> None:
    settings = WidgetSettings()
    assert settings.environment == "dev"
    assert settings.database_url == "sqlite+aiosqlite:///.meshwork/widgets.db"


def test_a_shared_variable_applies_and_the_service_prefix_wins(monkeypatch) -> None:
    monkeypatch.setenv("MESHWORK_NATS_URL", "nats://shared:4222")
    monkeypatch.setenv("MESHWORK_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("WIDGETS_LOG_LEVEL", "WARNING")
    settings = WidgetSettings()
    assert settings.nats_url == "nats://shared:4222"
    assert settings.log_level == "WARNING"


def test_default_secrets_are_refused_outside_dev_naming_each_variable(monkeypatch) -> None:
    monkeypatch.setenv("WIDGETS_ENVIRONMENT", "production")
    monkeypatch.setenv("WIDGETS_CLIENT_SECRET", "s3cr3t-from-the-vault")
    with pytest.raises(ValidationError) as caught:
        WidgetSettings()
    message = str(caught.value)
    assert "WIDGETS_SIGNING_SECRET" in message
    assert "WIDGETS_CLIENT_SECRET" not in message


def test_production_starts_when_every_secret_is_set(monkeypatch) -> None:
    monkeypatch.setenv("WIDGETS_ENVIRONMENT", "production")
    monkeypatch.setenv("WIDGETS_DATABASE_URL", "postgresql+asyncpg://db/widgets")
    monkeypatch.setenv("WIDGETS_CLIENT_SECRET", "one")
    monkeypatch.setenv("WIDGETS_SIGNING_SECRET", "two")
    settings = WidgetSettings()
    assert settings.signing_secret.get_secret_value() == "two"
    assert "two" not in str(settings.public_view())


def test_a_wrong_value_names_the_field(monkeypatch) -> None:
    monkeypatch.setenv("WIDGETS_ENVIRONMENT", "staging-ish")
    with pytest.raises(ValidationError) as caught:
        WidgetSettings()
    assert "environment" in str(caught.value)


def test_production_names_every_problem_at_once_the_database_url_among_them(monkeypatch) -> None:
    monkeypatch.setenv("WIDGETS_ENVIRONMENT", "production")
    with pytest.raises(ValidationError) as caught:
        WidgetSettings()
    report = settings_problems(WidgetSettings, caught.value)
    assert report.splitlines()[0] == "widgets cannot start; fix these settings:"
    problems = report.splitlines()[1:]
    assert [line.split()[1] for line in problems] == [
        "WIDGETS_CLIENT_SECRET",
        "WIDGETS_SIGNING_SECRET",
        "WIDGETS_DATABASE_URL",
    ]
    assert "production needs a real database" in problems[2]


def test_load_prints_the_problems_plainly_and_exits_2(monkeypatch, capsys) -> None:
    monkeypatch.setenv("WIDGETS_ENVIRONMENT", "production")
    monkeypatch.setenv("WIDGETS_METRICS_PORT", "ninety")
    with pytest.raises(SystemExit) as exited:
        WidgetSettings.load()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "WIDGETS_METRICS_PORT: Input should be a valid integer" in err
    assert "(got 'ninety')" in err
    assert "Traceback" not in err and "pydantic" not in err


def test_a_process_without_a_database_needs_no_database_url(monkeypatch) -> None:
    class GatewaySettings(WidgetSettings):
        has_database: ClassVar[bool] = False

    monkeypatch.setenv("WIDGETS_ENVIRONMENT", "production")
    monkeypatch.setenv("WIDGETS_CLIENT_SECRET", "one")
    monkeypatch.setenv("WIDGETS_SIGNING_SECRET", "two")
    assert GatewaySettings().environment == "production"


def test_every_catalogue_service_has_an_address_defaulting_to_its_local_port() -> None:
    settings = WidgetSettings()
    for entry in catalog().services:
        assert settings.address_of(entry.name) == entry.local_address


def test_a_services_address_variable_tells_every_service_where_it_listens(monkeypatch) -> None:
    jobs = catalog().service("jobs")
    monkeypatch.setenv(jobs.address_variable, "dns:///jobs:50051")
    assert WidgetSettings().address_of("jobs") == "dns:///jobs:50051"


def test_asking_for_a_service_the_catalogue_lacks_names_the_catalogue() -> None:
    with pytest.raises(KeyError, match=r"catalog\.toml lists identity, users"):
        WidgetSettings().address_of("gizmos")


def test_logs_are_shipped_to_audit_only_once_its_address_is_configured(monkeypatch) -> None:
    assert not WidgetSettings().ships_logs_to_audit()  # the default address is a guess
    monkeypatch.setenv("MESHWORK_AUDIT_ADDRESS", "audit:50057")
    assert WidgetSettings().ships_logs_to_audit()
    monkeypatch.setenv("WIDGETS_LOG_SHIPPING", "false")
    assert not WidgetSettings().ships_logs_to_audit()


def test_a_service_that_stores_the_logs_never_ships_its_own(monkeypatch) -> None:
    class LogStoreSettings(WidgetSettings):
        ships_logs: ClassVar[bool] = False

    monkeypatch.setenv("MESHWORK_AUDIT_ADDRESS", "audit:50057")
    assert not LogStoreSettings().ships_logs_to_audit()


def test_an_unknown_shipping_level_is_named(monkeypatch) -> None:
    monkeypatch.setenv("WIDGETS_LOG_SHIPPING_LEVEL", "LOUD")
    with pytest.raises(ValidationError, match="WIDGETS_LOG_SHIPPING_LEVEL must be a logging level"):
        WidgetSettings()
