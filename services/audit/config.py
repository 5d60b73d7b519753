"""The audit service's settings: `AUDIT_*` over the shared `MESHWORK_*`."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from mesh.catalog import catalog
from mesh.settings import ServiceSettings


def _catalogued_services() -> list[str]:
    return [name for name in catalog().names if name != "audit"]


class AuditSettings(ServiceSettings):
    """Everything the audit service is configured with (see `ServiceSettings`)."""

    model_config = SettingsConfigDict(env_prefix="AUDIT_", extra="ignore")

    service: ClassVar[str] = "audit"
    #: Audit stores the logs others ship; shipping its own to itself would feed a loop.
    ships_logs: ClassVar[bool] = False

    #: The services whose event streams are recorded: every other service of the catalogue.
    audited_services: list[str] = Field(default_factory=_catalogued_services)
    #: How long shipped log entries are kept; PurgeExpiredLogEntries deletes older ones.
    log_retention_s: float = Field(default=30 * 24 * 3600.0, gt=0)

    def problems(self) -> list[str]:
        found = super().problems()
        unknown = sorted(set(self.audited_services) - set(_catalogued_services()))
        if unknown:
            found.append(
                f"{self.variable('audited_services')} names {unknown}, which are not other "
                f"services of the catalogue: use any of {_catalogued_services()}"
            )
        return found
