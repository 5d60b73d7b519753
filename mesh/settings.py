"""Service settings from the environment (12-factor), refusing development secrets elsewhere.

Each service subclasses `ServiceSettings` with its own prefix (`USERS_`, `IDENTITY_`, ...).
A variable with the service prefix wins; the same name with the shared `MESHWORK_` prefix
applies to every service (e.g. `MESHWORK_NATS_URL` for all, `USERS_NATS_URL` for one).
Where the other services listen is one `<service>_address` setting per service of the
catalogue (`services/catalog.toml`, see `mesh.catalog`), e.g. `MESHWORK_USERS_ADDRESS`.

One PostgreSQL database for every service: `MESHWORK_DATABASE_URL=postgresql+asyncpg://...`
gives each service that has no `<SERVICE>_DATABASE_URL` its own schema in it, named after the
service (``?schema=users``, see `mesh.db.engine.SCHEMA_PARAMETER`), with its own tables and
migration history.
"""

from __future__ import annotations

import sys
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

from pydantic import Field, SecretStr, ValidationError, create_model, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url

from mesh.catalog import CatalogError, catalog
from mesh.db.engine import SCHEMA_PARAMETER, with_schema
from mesh.environment import SHARED_PREFIX, state_dir

#: The levels `log_shipping_level` may name.
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class _CommonSettings(BaseSettings):
    """What every service is configured with. Subclasses set `service` and `env_prefix`."""

    model_config = SettingsConfigDict(env_prefix=SHARED_PREFIX, extra="ignore")

    #: The service's name: its audience in tokens, its metrics label, its SQLite file name.
    service: ClassVar[str] = "service"
    #: Whether it keeps state in a database of its own (the edge does not).
    has_database: ClassVar[bool] = True
    #: Whether it ships its log records to the audit service (audit, their store, does not).
    ships_logs: ClassVar[bool] = True

    environment: Literal["dev", "test", "production"] = "dev"
    grpc_address: str = "127.0.0.1:0"
    #: Set by a supervisor (`make up`) so it can tell its own process from any other on an
    #: address: health answers for `mesh.health.instance_service(instance_id)`.
    instance_id: str = ""
    #: Set by a supervisor that replaces a process by starting its successor on the same port
    #: (`make up`'s restart): the port is shared (SO_REUSEPORT) and bound only once the
    #: service is ready, so no call reaches a process still starting. Otherwise the port is
    #: bound at once (health NOT_SERVING until ready) and a taken port is an error.
    reuse_port: bool = False
    metrics_port: int | None = None
    #: Where the metrics endpoint listens: loopback locally; "0.0.0.0" in a container, where
    #: Prometheus scrapes from outside it.
    metrics_host: str = "127.0.0.1"
    database_url: str = ""
    nats_url: str = "nats://127.0.0.1:4222"
    log_level: str = "INFO"
    log_json: bool = True
    #: Records at this level and above go to the audit service's log store, when the audit
    #: address (MESHWORK_AUDIT_ADDRESS) is set; `log_shipping=false` keeps them local.
    log_shipping: bool = True
    log_shipping_level: str = "WARNING"
    #: Records held while audit is slow or down; past this many, new ones are dropped (counted).
    log_shipping_buffer: int = Field(default=10_000, gt=0)
    shutdown_grace_s: float = 10.0
    #: This service's machine identity: client id = `service`, and this secret.
    client_secret: SecretStr = SecretStr("dev-insecure-client-secret")
    #: The `iss` of every token identity issues (and every verifier expects).
    token_issuer: str = "meshwork-identity"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        shared = _SharedEnvSource(settings_cls, env_prefix=SHARED_PREFIX)
        return init_settings, env_settings, shared, dotenv_settings, file_secret_settings

    @model_validator(mode="after")
    def _defaults(self) -> _CommonSettings:
        problems = self.problems()
        if problems:  # every one at once: fixing them should take one round, not one each
            raise ValueError("\n".join(f"- {problem}" for problem in problems))
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{state_dir() / f'{self.service}.db'}"
        return self

    def problems(self) -> list[str]:
        """What keeps these settings from running, each naming its variable and what to do.
        Subclasses add their own to `super().problems()`."""
        found = [
            f"{self.variable(name)} still holds the development default; outside "
            f"environment=dev every secret must be set (environment={self.environment})"
            for name, field in type(self).model_fields.items()
            if self.environment != "dev"
            and isinstance(field.default, SecretStr)
            and getattr(self, name) == field.default
        ]
        if self.log_shipping_level.upper() not in _LEVELS:
            found.append(
                f"{self.variable('log_shipping_level')} must be a logging level: "
                f"{', '.join(_LEVELS)} (got {self.log_shipping_level!r})"
            )
        if self.environment == "production" and self.has_database and not self.database_url:
            found.append(
                f"{self.variable('database_url')} is not set; production needs a real database "
                "(the SQLite file under .meshwork/ is for local runs), e.g. "
                "postgresql+asyncpg://user:password@host/database"
            )
        return found

    @classmethod
    def variable(cls, field: str) -> str:
        """The environment variable that sets `field` for this service."""
        return f"{cls.model_config.get('env_prefix', SHARED_PREFIX)}{field}".upper()

    @classmethod
    def load(cls) -> Self:
        """The settings from the environment; when they cannot run, every problem is printed at
        once, plainly, and the process exits with status 2 (no traceback to read through)."""
        try:
            return cls()
        except ValidationError as error:
            print(settings_problems(cls, error), file=sys.stderr)
            raise SystemExit(2) from None

    def ships_logs_to_audit(self) -> bool:
        """Whether log records go to the audit service: its address was configured (as
        `make up`, Compose and Kubernetes do), shipping is on, and this is not audit itself."""
        return (
            self.log_shipping
            and type(self).ships_logs
            and "audit_address" in self.model_fields_set
            and "audit" in catalog().names
        )

    def address_of(self, service: str) -> str:
        """Where `service` listens, from its `<service>_address` setting."""
        address = getattr(self, f"{service}_address", None)
        if not isinstance(address, str):
            raise KeyError(
                f"no address setting for service {service!r}: "
                f"{catalog().path} lists {', '.join(catalog().names)}"
            )
        return address

    def public_view(self) -> dict[str, Any]:
        """The settings with secrets masked, for a start-up log line."""
        return self.model_dump(mode="json")


class _SharedEnvSource(EnvSettingsSource):
    """The `MESHWORK_` variables. `MESHWORK_DATABASE_URL` is meant for every service, so each
    gets its own part of it: a PostgreSQL URL the service's schema (unless it names one), an
    SQLite file a file of the service's own beside it (``stack.db`` → ``stack-users.db``)."""

    def __call__(self) -> dict[str, Any]:
        data = super().__call__()
        url = data.get("database_url")
        service = getattr(self.settings_cls, "service", "")
        if isinstance(url, str) and url and service:
            data["database_url"] = _service_part(url, service)
        return data


def _service_part(url: str, service: str) -> str:
    """The part of the shared database `url` that `service` keeps its tables in."""
    try:
        parsed = make_url(url)
    except Exception:  # not a URL: the engine says so, naming it
        return url
    backend = parsed.get_backend_name()
    if backend == "postgresql" and SCHEMA_PARAMETER not in parsed.query:
        return with_schema(url, service.replace("-", "_"))
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = PurePath(str(parsed.database))
        own = path.with_name(f"{path.stem}-{service}{path.suffix}")
        return parsed.set(database=str(own)).render_as_string(hide_password=False)
    return url


def settings_problems(settings: type[ServiceSettings], error: ValidationError) -> str:
    """A validation error of `settings` as a list a person reads: each variable and its fault."""
    lines = []
    for problem in error.errors():
        text = problem["msg"].removeprefix("Value error, ")
        if problem["loc"]:  # one field: name its variable, and what it was given
            given = problem.get("input")
            shown = f" (got {given!r})" if isinstance(given, str | int | float) else ""
            lines.append(f"- {settings.variable(str(problem['loc'][0]))}: {text}{shown}")
        else:  # the settings as a whole: `problems()`, one line each already
            lines += text.splitlines()
    return "\n".join([f"{settings.service} cannot start; fix these settings:", *lines])


def _with_service_addresses(base: type[_CommonSettings]) -> type[_CommonSettings]:
    """`base` plus, for every service of the catalogue, where it listens: `<service>_address`
    (a host:port, several comma-separated, or a dns:/// target; default its local port)."""
    fields: dict[str, Any] = {}
    for entry in catalog().services:
        if entry.address_setting in base.model_fields:
            raise CatalogError(
                f"{catalog().path}: [services.{entry.name}] would make the setting "
                f"{entry.address_setting!r}, which every service already has: rename the service"
            )
        description = f"where {entry.name} listens ({entry.address_variable})"
        fields[entry.address_setting] = (str, Field(entry.local_address, description=description))
    return create_model(
        "ServiceSettings", __base__=base, __module__=__name__, __doc__=base.__doc__, **fields
    )


if TYPE_CHECKING:  # the address settings are made from the catalogue, when this module loads
    ServiceSettings = _CommonSettings
else:
    ServiceSettings = _with_service_addresses(_CommonSettings)
