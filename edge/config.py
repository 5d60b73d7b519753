"""Settings of the edge (environment variables prefixed EDGE_, then shared MESHWORK_)."""

from __future__ import annotations

from typing import ClassVar

from limits import parse
from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from mesh.catalog import catalog
from mesh.settings import ServiceSettings

#: RPCs that get the strict per-address limit: guessing passwords and mass sign-ups.
STRICT_METHODS = (
    "meshwork.identity.v1.IdentityService.Login",
    "meshwork.identity.v1.IdentityService.SignUp",
    "meshwork.identity.v1.IdentityService.RequestPasswordReset",
    "meshwork.identity.v1.IdentityService.ConfirmPasswordReset",
)


class EdgeSettings(ServiceSettings):
    """What the edge is configured with; upstream addresses are ServiceSettings'
    `<service>_address`, one per service of the catalogue (`services/catalog.toml`, e.g.
    `MESHWORK_USERS_ADDRESS`), its identity `EDGE_CLIENT_SECRET`."""

    model_config = SettingsConfigDict(env_prefix="EDGE_", extra="ignore")
    service: ClassVar[str] = "edge"
    has_database: ClassVar[bool] = False

    http_host: str = "127.0.0.1"
    http_port: int = catalog().edge.port
    #: The edge's public base URL (e.g. "https://api.example.com") when behind a proxy; by
    #: default the URL requests arrive at. The OpenAPI document's token URL is made from it.
    public_url: str = ""
    #: Proxies (IP addresses, or "*") whose X-Forwarded-For uvicorn trusts; none by default.
    trusted_proxy_ips: list[str] = []
    #: Origins allowed by CORS, e.g. ["https://app.example.com"]; none by default.
    cors_origins: list[str] = []
    #: Largest request body accepted (413 beyond).
    max_body_bytes: int = 1024 * 1024
    #: Upper bound of every upstream call's deadline (methods declare shorter ones).
    max_upstream_deadline_s: float = 30.0
    #: `memory://`, or `redis://host:port/db` to share limits between edge processes.
    rate_limit_storage: str = "memory://"
    #: Prefix of the edge's keys in the rate-limit storage (never flushed by the edge).
    rate_limit_key_prefix: str = "meshwork-edge"
    rate_limit_per_address: str = "600/minute"
    rate_limit_per_user: str = "1200/minute"
    #: Per address, on login, sign-up, password reset and POST /oauth/token.
    rate_limit_strict: str = "20/minute"
    strict_rate_limit_methods: list[str] = list(STRICT_METHODS)
    #: Upstreams that must be SERVING for /readyz to answer 200 (default: every upstream).
    readiness_upstreams: list[str] | None = None
    readiness_timeout_s: float = 1.0
    #: At most one JWKS refresh per interval when tokens name an unknown key (anti-flood).
    jwks_min_refresh_interval_s: float = 5.0
    #: Consecutive failures that open an upstream's circuit breaker, and how long it stays open.
    upstream_failure_threshold: int = 5
    upstream_reset_timeout_s: float = 10.0
    #: Follow the revoked users (suspensions) on NATS (`nats_url`) and refuse their tokens;
    #: off only where no NATS runs (tests of the edge alone).
    watch_revocations: bool = True

    @field_validator("rate_limit_per_address", "rate_limit_per_user", "rate_limit_strict")
    @classmethod
    def _a_rate_limit(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as error:
            raise ValueError(
                f"{value!r} is not a rate limit such as '100/minute': {error}"
            ) from None
        return value
