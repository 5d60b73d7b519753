"""The payments service's settings: `PAYMENTS_*` environment variables over shared `MESHWORK_*`."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from mesh.settings import ServiceSettings

#: The development webhook secret: refused outside environment=dev.
DEV_WEBHOOK_SECRET = "whsec_meshwork_dev"
#: Where the local Stripe sandbox listens in dev when no base address is given.
DEV_STRIPE_API_BASE = "http://127.0.0.1:12111"
STRIPE_API_BASE = "https://api.stripe.com"


class PaymentsSettings(ServiceSettings):
    """Everything the payments service is configured with (see `ServiceSettings`).

    A real `sk_test_…` key with PAYMENTS_STRIPE_API_BASE=https://api.stripe.com talks to
    Stripe's test mode; in dev the default is the repository's sandbox.
    """

    model_config = SettingsConfigDict(env_prefix="PAYMENTS_", extra="ignore")

    service: ClassVar[str] = "payments"

    stripe_api_key: SecretStr = SecretStr("sk_test_meshwork_dev")
    #: "" means the sandbox's local address in dev, Stripe's own elsewhere.
    stripe_api_base: str = ""
    #: The webhook signing secrets accepted; two during a rotation.
    stripe_webhook_secrets: list[SecretStr] = [SecretStr(DEV_WEBHOOK_SECRET)]

    @property
    def stripe_base(self) -> str:
        if self.stripe_api_base:
            return self.stripe_api_base
        return DEV_STRIPE_API_BASE if self.environment == "dev" else STRIPE_API_BASE

    def problems(self) -> list[str]:
        found = super().problems()
        secrets = [secret.get_secret_value() for secret in self.stripe_webhook_secrets]
        if self.environment != "dev" and DEV_WEBHOOK_SECRET in secrets:
            found.append(
                f"{self.variable('stripe_webhook_secrets')} holds the development secret; "
                "outside environment=dev give Stripe's signing secrets, e.g. '[\"whsec_…\"]'"
            )
        return found
