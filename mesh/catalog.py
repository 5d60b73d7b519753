"""The platform's services, from the one list in `services/catalog.toml`, beside their packages.

`make up`, every service's settings, the edge and the tests read this catalogue, so adding a
service is an entry in that file (plus the service's package and contract), no mesh or edge
code. It is a list, not a discovery service: where a service runs is told by DNS in Compose
and Kubernetes, or by `MESHWORK_<SERVICE>_ADDRESS`; the catalogue gives the names, the local
ports and what follows from a name:

    users = catalog().service("users")
    users.address_variable      # "MESHWORK_USERS_ADDRESS"
    users.local_address         # "127.0.0.1:50052"
    users.package               # "services.users" (None while the service is a contract only)
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mesh.environment import SHARED_PREFIX

#: The platform's catalogue.
#: The platform's catalogue: package data of `services`, so an installed copy has it too (the
#: file is read, never imported: the runtime still imports no service).
CATALOG_FILE = Path(__file__).resolve().parent.parent / "services" / "catalog.toml"

#: A name becomes part of variable names, proto packages and client ids: keep it that simple.
_NAME = re.compile(r"^[a-z][a-z0-9]*$")
_MODULE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_SERVICE_KEYS = {"port", "package"}
_TOP_KEYS = {"services", "edge", "clients"}


class CatalogError(ValueError):
    """The catalogue is missing or malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    """One service of the platform; everything else about it follows from its name."""

    name: str
    #: Its gRPC port on a local stack, and its default address's port.
    port: int
    #: The package `python -m` runs, or None while the service is a contract only.
    package: str | None = None

    @property
    def runnable(self) -> bool:
        return self.package is not None

    @property
    def client_id(self) -> str:
        """Its machine identity: the subject of its service tokens, and their audience."""
        return self.name

    @property
    def env_prefix(self) -> str:
        """The prefix of its own settings' variables (`USERS_`)."""
        return f"{self.name.upper()}_"

    @property
    def address_setting(self) -> str:
        """The setting telling the others where it listens (`users_address`)."""
        return f"{self.name}_address"

    @property
    def address_variable(self) -> str:
        """The variable setting it for every process (`MESHWORK_USERS_ADDRESS`)."""
        return f"{SHARED_PREFIX}{self.name.upper()}_ADDRESS"

    @property
    def local_address(self) -> str:
        """Where it listens on a local stack, the address others use unless told otherwise."""
        return f"127.0.0.1:{self.port}"

    @property
    def proto_package(self) -> str:
        return f"meshwork.{self.name}.v1"

    @property
    def error_domain(self) -> str:
        """The `ErrorInfo` domain of the errors it raises."""
        return f"{self.name}.meshwork"


@dataclass(frozen=True, slots=True)
class EdgeEntry:
    """The REST edge: its HTTP port on a local stack and the package that runs it."""

    port: int
    package: str


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every service, in the file's order, the edge, and the clients that are not services."""

    path: Path
    services: tuple[ServiceEntry, ...]
    edge: EdgeEntry
    #: Client id → what it is (the edge, developers' tools).
    other_clients: Mapping[str, str]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(entry.name for entry in self.services)

    @property
    def runnable(self) -> tuple[ServiceEntry, ...]:
        """The services that have a package to run (the others are contracts only, for now)."""
        return tuple(entry for entry in self.services if entry.runnable)

    @property
    def client_ids(self) -> tuple[str, ...]:
        """Every machine identity that may obtain service tokens: the services, then the rest."""
        return (*self.names, *self.other_clients)

    def service(self, name: str) -> ServiceEntry:
        for entry in self.services:
            if entry.name == name:
                return entry
        raise KeyError(f"no service {name!r} in {self.path}; it lists {', '.join(self.names)}")


@functools.cache
def catalog() -> Catalog:
    """The platform's catalogue (`CATALOG_FILE`), read once per process."""
    return load_catalog(CATALOG_FILE)


def load_catalog(path: Path) -> Catalog:
    """Reads and checks a catalogue file; CatalogError names the file and the bad entry."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"the service catalogue {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{path} is not valid TOML: {error}") from None
    _refuse_unknown_keys(path, "the top level", document, _TOP_KEYS)
    services = tuple(
        _service(path, name, raw) for name, raw in _table(path, document, "services").items()
    )
    if not services:
        raise CatalogError(f"{path}: [services] lists no service")
    edge = _edge(path, _table(path, document, "edge"))
    ports = [(f"[services.{entry.name}]", entry.port) for entry in services]
    _refuse_shared_ports(path, [*ports, ("[edge]", edge.port)])
    return Catalog(
        path=path,
        services=services,
        edge=edge,
        other_clients=_clients(path, _table(path, document, "clients"), services),
    )


def _table(path: Path, document: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = document.get(key)
    if not isinstance(value, dict):
        raise CatalogError(f"{path}: a [{key}] table is required")
    return value


def _service(path: Path, name: str, raw: Any) -> ServiceEntry:
    where = f"[services.{name}]"
    if not _NAME.match(name):
        raise CatalogError(
            f"{path}: {where}: a service name is lower-case letters and digits, starting "
            f"with a letter (it becomes MESHWORK_<NAME>_ADDRESS and meshwork.<name>.v1)"
        )
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: services.{name} must be a table with a port")
    _refuse_unknown_keys(path, where, raw, _SERVICE_KEYS)
    package = raw.get("package")
    if package is not None and not (isinstance(package, str) and _MODULE.match(package)):
        raise CatalogError(
            f"{path}: {where} package must be a module name such as 'services.{name}', "
            f"got {package!r}"
        )
    return ServiceEntry(name=name, port=_port(path, where, raw), package=package)


def _edge(path: Path, raw: Mapping[str, Any]) -> EdgeEntry:
    _refuse_unknown_keys(path, "[edge]", raw, {"port", "package"})
    package = raw.get("package")
    if not (isinstance(package, str) and _MODULE.match(package)):
        raise CatalogError(f"{path}: [edge] package must be a module name, got {package!r}")
    return EdgeEntry(port=_port(path, "[edge]", raw), package=package)


def _clients(
    path: Path, raw: Mapping[str, Any], services: tuple[ServiceEntry, ...]
) -> dict[str, str]:
    taken = {entry.name for entry in services}
    for client, what in raw.items():
        if not _NAME.match(client) or not isinstance(what, str):
            raise CatalogError(
                f"{path}: [clients] {client}: give a lower-case client id and what it is, "
                f'e.g. cli = "developers\' tools"'
            )
        if client in taken:
            raise CatalogError(f"{path}: [clients] {client} is a service, a client already")
    return dict(raw)


def _port(path: Path, where: str, raw: Mapping[str, Any]) -> int:
    port = raw.get("port")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise CatalogError(f"{path}: {where} port must be an integer from 1 to 65535, got {port!r}")
    return port


def _refuse_unknown_keys(path: Path, where: str, raw: Mapping[str, Any], known: set[str]) -> None:
    unknown = sorted(set(raw) - known)
    if unknown:
        raise CatalogError(f"{path}: {where} has unknown keys {unknown}; known are {sorted(known)}")


def _refuse_shared_ports(path: Path, ports: list[tuple[str, int]]) -> None:
    seen: dict[int, str] = {}
    for where, port in ports:
        if port in seen:
            raise CatalogError(
                f"{path}: {where} port {port} is already {seen[port]}'s; each needs its own"
            )
        seen[port] = where
