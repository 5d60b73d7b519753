"""The users service's settings: `USERS_*` environment variables over shared `MESHWORK_*`."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from mesh.settings import ServiceSettings


class UsersSettings(ServiceSettings):
    """Everything the users service is configured with (see `ServiceSettings`)."""

    model_config = SettingsConfigDict(env_prefix="USERS_", extra="ignore")

    service: ClassVar[str] = "users"
