"""What the protos declare about each RPC: access policy, default deadline, idempotency."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

from meshwork.options.v1 import options_pb2

#: Deadline for calls whose method declares none and whose caller set none.
DEFAULT_DEADLINE_S = 5.0

_IDEMPOTENT_LEVELS = (
    descriptor_pb2.MethodOptions.NO_SIDE_EFFECTS,
    descriptor_pb2.MethodOptions.IDEMPOTENT,
)


@dataclass(frozen=True, slots=True)
class Access:
    """Who may call a method (see meshwork.options.v1.Access)."""

    public: bool = False
    roles: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    internal: bool = False


@dataclass(frozen=True, slots=True)
class MethodContract:
    """The runtime-relevant declarations of one RPC."""

    full_method: str  # "/package.Service/Method", as gRPC names it on the wire
    service: str  # "package.Service"
    name: str
    access: Access
    default_deadline_s: float
    idempotent: bool
    descriptor: MethodDescriptor


def method_contract(method: MethodDescriptor) -> MethodContract:
    """Reads the declarations of one method from its descriptor."""
    options = method.GetOptions()
    declared = options.Extensions[options_pb2.access]
    deadline_ms = options.Extensions[options_pb2.default_deadline_ms]
    service = method.containing_service.full_name
    return MethodContract(
        full_method=f"/{service}/{method.name}",
        service=service,
        name=method.name,
        access=Access(
            public=declared.public,
            roles=frozenset(declared.roles),
            services=frozenset(declared.services),
            internal=declared.internal,
        ),
        default_deadline_s=deadline_ms / 1000 if deadline_ms else DEFAULT_DEADLINE_S,
        idempotent=options.idempotency_level in _IDEMPOTENT_LEVELS,
        descriptor=method,
    )


def service_contracts(services: Iterable[ServiceDescriptor]) -> dict[str, MethodContract]:
    """Maps every method of the given services by its wire name ("/pkg.Service/Method")."""
    contracts = {}
    for service in services:
        for method in service.methods:
            contract = method_contract(method)
            contracts[contract.full_method] = contract
    return contracts


def find_service(full_name: str) -> ServiceDescriptor:
    """Looks up a service descriptor by full name in the default pool (its module imported)."""
    return descriptor_pool.Default().FindServiceByName(full_name)
