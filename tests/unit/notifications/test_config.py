"""Settings: transports per channel from NOTIFICATIONS_* (over MESHWORK_*), checked at start."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.notifications.bootstrap import transports
from services.notifications.config import NotificationsSettings
from services.notifications.domain import Channel


def test_the_mailbox_is_the_embedded_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFICATIONS_EMAIL_TRANSPORT", raising=False)
    settings = NotificationsSettings()
    assert (settings.email_transport, settings.sms_transport) == ("mailbox", "mailbox")
    assert settings.mailbox_enabled
    chosen = transports(settings, lambda: None)  # type: ignore[arg-type, return-value]
    assert {channel: t.name for channel, t in chosen.items()} == {
        Channel.EMAIL: "mailbox",
        Channel.SMS: "mailbox",
    }


def test_the_environment_chooses_smtp_and_the_sms_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFICATIONS_EMAIL_TRANSPORT", "smtp")
    monkeypatch.setenv("NOTIFICATIONS_SMTP_PORT", "2525")
    monkeypatch.setenv("NOTIFICATIONS_SMS_TRANSPORT", "http")
    monkeypatch.setenv("NOTIFICATIONS_SMS_ACCOUNT_SID", "AC1")
    monkeypatch.setenv("NOTIFICATIONS_SMS_AUTH_TOKEN", "token")
    monkeypatch.setenv("MESHWORK_NATS_URL", "nats://nats:4222")
    settings = NotificationsSettings()
    assert (settings.smtp_port, settings.nats_url) == (2525, "nats://nats:4222")
    assert not settings.mailbox_enabled
    chosen = transports(settings, lambda: None)  # type: ignore[arg-type, return-value]
    assert {t.name for t in chosen.values()} == {"smtp", "sms"}


def test_the_sms_api_needs_its_credentials() -> None:
    with pytest.raises(ValidationError, match="NOTIFICATIONS_SMS_ACCOUNT_SID"):
        NotificationsSettings(sms_transport="http")


def test_a_claim_must_outlast_a_send() -> None:
    with pytest.raises(ValidationError, match="NOTIFICATIONS_DISPATCH_LEASE_S"):
        NotificationsSettings(dispatch_lease_s=10, smtp_timeout_s=20)


def test_unset_provider_secrets_are_not_refused_outside_development() -> None:
    settings = NotificationsSettings(
        environment="production",
        client_secret="real-secret",
        database_url="postgresql+asyncpg://db/notifications",
    )
    assert settings.smtp_password is None and settings.sms_auth_token is None
