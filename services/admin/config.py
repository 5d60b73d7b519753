"""The admin service's settings: `ADMIN_*` environment variables over shared `MESHWORK_*`."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from mesh.settings import ServiceSettings


class AdminSettings(ServiceSettings):
    """Everything the admin service is configured with (see `ServiceSettings`)."""

    model_config = SettingsConfigDict(env_prefix="ADMIN_", extra="ignore")

    service: ClassVar[str] = "admin"

    #: Accounts signing in with these addresses get the "admin" role at their first sign-in
    #: (the first administrator of a fresh platform), as JSON: '["ops@example.com"]'.
    bootstrap_admin_emails: list[str] = []
