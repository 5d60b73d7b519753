"""HTTP bindings read from the contracts' `google.api.http` annotations, checked at start-up."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from google.api import annotations_pb2, http_pb2
from google.protobuf.descriptor import (
    Descriptor,
    FieldDescriptor,
    MethodDescriptor,
    ServiceDescriptor,
)

from edge.transcoding.template import PathTemplate
from mesh.contracts import MethodContract, method_contract

logger = logging.getLogger("meshwork.edge")

#: Generated modules of the services' contracts, under each `meshwork/` package root.
SERVICE_MODULES = "*/v*/*_service_pb2.py"


class ContractError(ValueError):
    """An annotation the edge cannot serve (unknown field, bad template, ...)."""


@dataclass(frozen=True, slots=True)
class HttpBinding:
    """One HTTP route of an RPC: the primary binding or one of its additional bindings."""

    http_method: str  # "GET", "POST", ...
    template: PathTemplate
    body: str  # "" (no body), "*" (the whole request) or a top-level field name
    response_body: str  # "" (the whole response) or a top-level field name
    rpc: MethodDescriptor
    contract: MethodContract
    index: int  # 0 for the primary binding, 1.. for additional bindings

    @property
    def operation_id(self) -> str:
        """Unique per binding: `IdentityService_Login`, `IdentityService_GetJwks_2`."""
        base = f"{self.rpc.containing_service.name}_{self.rpc.name}"
        return base if self.index == 0 else f"{base}_{self.index + 1}"

    @property
    def service(self) -> str:
        return self.rpc.containing_service.full_name

    @property
    def request_type(self) -> Descriptor:
        return self.rpc.input_type

    def path_fields(self) -> set[str]:
        return {variable.field_path for variable in self.template.variables}


def discover_services() -> list[ServiceDescriptor]:
    """Every service of every `meshwork.<svc>.v<N>.*_service_pb2` module on the import path."""
    import meshwork  # the generated code's namespace package (gen/, and tests/gen/ in tests)

    names = set()
    for root in meshwork.__path__:
        for path in Path(root).glob(SERVICE_MODULES):
            relative = path.relative_to(root).with_suffix("")
            names.add("meshwork." + ".".join(relative.parts))
    services = []
    for name in sorted(names):
        module = importlib.import_module(name)
        services += list(module.DESCRIPTOR.services_by_name.values())
    return services


def bindings_of(services: Iterable[ServiceDescriptor]) -> list[HttpBinding]:
    """The HTTP bindings of every annotated, unary, non-internal RPC of `services`."""
    bindings: list[HttpBinding] = []
    for service in services:
        for method in service.methods:
            bindings += method_bindings(method)
    return bindings


def method_bindings(method: MethodDescriptor) -> list[HttpBinding]:
    """The bindings of one RPC; none when it has no annotation or must not be routed."""
    options = method.GetOptions()
    if not options.HasExtension(annotations_pb2.http):
        return []
    contract = method_contract(method)
    if contract.access.internal:
        logger.warning("not routing internal RPC %s despite its http annotation", method.full_name)
        return []
    if method.client_streaming or method.server_streaming:
        logger.warning("not routing streaming RPC %s: the edge transcodes unary RPCs", method.name)
        return []
    rule = options.Extensions[annotations_pb2.http]
    rules = [rule, *rule.additional_bindings]
    return [_binding(method, contract, r, index) for index, r in enumerate(rules)]


def _binding(
    method: MethodDescriptor, contract: MethodContract, rule: http_pb2.HttpRule, index: int
) -> HttpBinding:
    pattern = rule.WhichOneof("pattern")
    if pattern is None:
        raise ContractError(f"{method.full_name}: http binding {index} has no method and path")
    if pattern == "custom":
        http_method, path = rule.custom.kind.upper(), rule.custom.path
    else:
        http_method, path = pattern.upper(), getattr(rule, pattern)
    try:
        template = PathTemplate.parse(path)
    except ValueError as error:
        raise ContractError(f"{method.full_name}: {error}") from None
    binding = HttpBinding(
        http_method=http_method,
        template=template,
        body=rule.body,
        response_body=rule.response_body,
        rpc=method,
        contract=contract,
        index=index,
    )
    _check(binding)
    return binding


def _check(binding: HttpBinding) -> None:
    name = binding.rpc.full_name
    for field_path in binding.path_fields():
        leaf = resolve_field_path(binding.request_type, field_path.split("."))
        if leaf is None or leaf.is_repeated or leaf.type == FieldDescriptor.TYPE_MESSAGE:
            raise ContractError(f"{name}: path variable {field_path!r} is not a singular scalar")
    if binding.body not in ("", "*") and binding.body not in binding.request_type.fields_by_name:
        raise ContractError(f"{name}: body field {binding.body!r} does not exist")
    response = binding.rpc.output_type
    if binding.response_body and binding.response_body not in response.fields_by_name:
        raise ContractError(f"{name}: response_body field {binding.response_body!r} does not exist")


def resolve_field_path(message: Descriptor, names: Sequence[str]) -> FieldDescriptor | None:
    """The field a dotted path (proto names) leads to through singular message fields."""
    field = None
    for position, name in enumerate(names):
        field = message.fields_by_name.get(name)
        if field is None:
            return None
        if position < len(names) - 1:
            if field.type != FieldDescriptor.TYPE_MESSAGE or field.is_repeated:
                return None
            message = field.message_type
    return field
