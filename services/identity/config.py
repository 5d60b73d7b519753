"""Settings of the identity service (environment variables prefixed IDENTITY_)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from mesh.catalog import catalog
from mesh.settings import ServiceSettings

#: The platform's machine identities (client id = service name, then the edge and developers'
#: tools), from the service catalogue; more may be configured.
SERVICE_CLIENTS = catalog().client_ids
#: The catalogue's services: the audiences a service token may name by default.
MESH_SERVICES = catalog().names

_DEV_CLIENT_SECRET = ServiceSettings.model_fields["client_secret"].default


class IdentitySettings(ServiceSettings):
    """What the identity service is configured with, on top of every service's settings."""

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")
    service: ClassVar[str] = "identity"

    access_token_ttl_s: int = 600
    refresh_token_ttl_s: int = 30 * 24 * 3600
    service_token_ttl_s: int = 1800
    email_verification_ttl_s: int = 48 * 3600
    password_reset_ttl_s: int = 3600
    #: Expired or ended sessions and one-time tokens are kept this long before being purged.
    token_retention_s: int = 7 * 24 * 3600
    #: At most this many reset or verification emails per account and hour.
    emails_per_hour: int = 5
    #: Failed logins allowed per account, then per client address, before backoff starts.
    account_free_attempts: int = 5
    address_free_attempts: int = 20
    #: First lockout, doubled on every further failure up to the maximum.
    lockout_base_s: float = 30.0
    lockout_max_s: float = 900.0
    #: Failures older than this (without a newer one) are forgotten.
    lockout_reset_s: float = 3600.0
    #: Client id → secret of every service that may obtain service tokens, as JSON. The
    #: platform's clients missing here get the development secret (refused outside dev).
    service_clients: dict[str, SecretStr] = Field(default_factory=dict, validate_default=True)
    #: The services a service token may be issued for (add your own services here).
    service_audiences: list[str] = list(MESH_SERVICES)
    #: Encrypts the signing keys' private halves at rest (AES-256-GCM under a key derived from it).
    signing_key_secret: SecretStr = SecretStr("dev-insecure-signing-key-secret")
    #: Calling services whose `x-forwarded-for` is trusted as the client address.
    trusted_proxies: list[str] = ["edge"]

    @field_validator("service_clients", mode="after")
    @classmethod
    def _every_client_has_a_secret(cls, given: dict[str, SecretStr]) -> dict[str, SecretStr]:
        return {name: _DEV_CLIENT_SECRET for name in SERVICE_CLIENTS} | given

    def problems(self) -> list[str]:
        found = super().problems()
        left = [
            name for name, secret in self.service_clients.items() if secret == _DEV_CLIENT_SECRET
        ]
        if left and self.environment != "dev":
            found.append(
                f"IDENTITY_SERVICE_CLIENTS leaves the development secret for {left}; outside "
                f"environment=dev give every service its own secret, e.g. "
                f'IDENTITY_SERVICE_CLIENTS=\'{{"users": "<secret>", ...}}\''
            )
        return found

    @property
    def longest_token_ttl_s(self) -> int:
        """How long a token a signing key signed may stay valid after the key retires."""
        return max(self.access_token_ttl_s, self.service_token_ttl_s)
