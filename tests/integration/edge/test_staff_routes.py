"""Every staff route of the admin and audit contracts is refused to a plain user by the edge
alone: the upstream behind it admits anything, so a 403 can only be the edge's own."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from google.protobuf import message_factory
from google.protobuf.descriptor import ServiceDescriptor

from edge.transcoding.bindings import HttpBinding, bindings_of
from tests.integration.edge.fakes import Recorder, admitting_server, bearer, edge_app, serving
from tests.support.tokens import TestIssuer

#: The staff services and their gRPC service names.
STAFF_SERVICES = {"admin": "AdminService", "audit": "AuditService"}


def admit_all(service: ServiceDescriptor, stubs: Any, recorder: Recorder) -> Any:
    """A servicer of `service` answering every RPC with an empty reply, recording the call."""
    base = getattr(stubs, f"{service.name}Servicer")

    class AdmitAll(base):  # type: ignore[misc, valid-type]
        def __getattribute__(self, name: str) -> Any:
            method = service.methods_by_name.get(name)
            if method is None:
                return super().__getattribute__(name)
            reply_type = message_factory.GetMessageClass(method.output_type)

            async def handle(request: Any, context: Any) -> Any:
                return await recorder.reply(name, request, context, reply_type())

            return handle

    return AdmitAll()


def _path(binding: HttpBinding) -> str:
    return re.sub(r"\{[^}]+\}", "x-1", binding.template.openapi_path())


def _body(binding: HttpBinding) -> dict[str, Any] | None:
    return None if binding.http_method in ("GET", "DELETE") else {}


def _reason(body: dict[str, Any]) -> str:
    for detail in body["error"].get("details", []):
        if detail.get("@type", "").endswith("google.rpc.ErrorInfo"):
            return str(detail["reason"])
    raise AssertionError(f"no ErrorInfo in {body}")


@pytest.mark.parametrize("name", sorted(STAFF_SERVICES))
async def test_a_plain_user_is_refused_every_staff_route_by_the_edge_alone(
    name: str, issuer: TestIssuer
) -> None:
    messages = importlib.import_module(f"meshwork.{name}.v1.{name}_service_pb2")
    stubs = importlib.import_module(f"meshwork.{name}.v1.{name}_service_pb2_grpc")
    service = messages.DESCRIPTOR.services_by_name[STAFF_SERVICES[name]]
    routes = [b for b in bindings_of([service]) if not b.contract.access.public]
    assert routes, f"{name} has no REST routes"
    recorder = Recorder()
    async with admitting_server(admit_all(service, stubs, recorder), messages, stubs) as (
        _,
        address,
    ):
        app = edge_app(issuer, upstreams={name: address}, services=(service,))
        async with serving(app) as http:
            user = bearer(issuer.sign(sub="user-1", roles=["member"]))
            for binding in routes:
                reply = await http.request(
                    binding.http_method, _path(binding), json=_body(binding), headers=user
                )
                assert reply.status_code == 403, (binding.http_method, _path(binding), reply.text)
                assert _reason(reply.json()) == "ROLE_REQUIRED", _path(binding)
            assert recorder.calls == {}  # nothing reached the upstream

            # The same routes are live: a caller with the role the contract names gets through.
            for binding in routes:
                role = sorted(binding.contract.access.roles)[0]
                staff = bearer(issuer.sign(sub="staff-1", roles=[role]))
                reply = await http.request(
                    binding.http_method, _path(binding), json=_body(binding), headers=staff
                )
                assert reply.status_code == 200, (binding.http_method, _path(binding), reply.text)
    assert sum(len(calls) for calls in recorder.calls.values()) == len(routes)
