"""Payments' settings: Stripe's key and webhook secrets, and where Stripe's API is."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.payments.config import DEV_STRIPE_API_BASE, STRIPE_API_BASE, PaymentsSettings


def test_dev_talks_to_the_local_sandbox_and_elsewhere_to_stripe(monkeypatch) -> None:
    assert PaymentsSettings().stripe_base == DEV_STRIPE_API_BASE
    monkeypatch.setenv("PAYMENTS_ENVIRONMENT", "test")
    monkeypatch.setenv("PAYMENTS_CLIENT_SECRET", "from-the-vault")
    monkeypatch.setenv("PAYMENTS_STRIPE_API_KEY", "sk_test_real")
    monkeypatch.setenv("PAYMENTS_STRIPE_WEBHOOK_SECRETS", '["whsec_real"]')

    assert PaymentsSettings().stripe_base == STRIPE_API_BASE


def test_the_dev_stripe_key_and_webhook_secret_are_refused_outside_dev(monkeypatch) -> None:
    monkeypatch.setenv("PAYMENTS_ENVIRONMENT", "production")
    monkeypatch.setenv("PAYMENTS_DATABASE_URL", "postgresql+asyncpg://db/payments")
    monkeypatch.setenv("PAYMENTS_CLIENT_SECRET", "from-the-vault")

    with pytest.raises(ValidationError) as caught:
        PaymentsSettings()

    assert "PAYMENTS_STRIPE_API_KEY" in str(caught.value)
    assert "PAYMENTS_STRIPE_WEBHOOK_SECRETS" in str(caught.value)


def test_two_webhook_secrets_are_read_from_a_json_list(monkeypatch) -> None:
    monkeypatch.setenv("PAYMENTS_STRIPE_WEBHOOK_SECRETS", '["whsec_new", "whsec_old"]')

    secrets = PaymentsSettings().stripe_webhook_secrets

    assert [secret.get_secret_value() for secret in secrets] == ["whsec_new", "whsec_old"]
