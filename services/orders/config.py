"""The orders service's settings: `ORDERS_*` over the shared `MESHWORK_*`."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from mesh.settings import ServiceSettings


class OrdersSettings(ServiceSettings):
    """Everything the orders service is configured with (see `ServiceSettings`)."""

    model_config = SettingsConfigDict(env_prefix="ORDERS_", extra="ignore")

    service: ClassVar[str] = "orders"
