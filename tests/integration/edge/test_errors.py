"""Upstream statuses become HTTP statuses and AIP-193 bodies; nothing internal leaks."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import any_pb2

from mesh.errors import FieldViolation, InvalidArgument, NotFound
from mesh.interceptors.errors import abort_with, rich_status
from tests.integration.edge.conftest import Edge
from tests.integration.edge.fakes import aborting, bearer, edge_app, serving
from tests.support.tokens import TestIssuer

HTTP_STATUS_OF = {
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
    grpc.StatusCode.UNAUTHENTICATED: 401,
}


@pytest.mark.parametrize("code", list(HTTP_STATUS_OF), ids=lambda code: code.name)
async def test_every_grpc_status_maps_to_its_http_status(edge: Edge, code: grpc.StatusCode) -> None:
    edge.upstream.answers["CreateShelf"] = aborting(code, f"upstream says {code.name}")
    reply = await edge.http.post("/v1/shelves", json={}, headers=bearer(edge.token()))
    assert reply.status_code == HTTP_STATUS_OF[code]
    error = reply.json()["error"]
    assert (error["code"], error["status"]) == (HTTP_STATUS_OF[code], code.name)
    assert error["message"]
    assert reply.headers["x-request-id"] == error["details"][-1]["requestId"]


async def test_a_domain_error_keeps_its_details_with_their_types(edge: Edge) -> None:
    async def not_found(request: Any, context: Any) -> Any:
        raise NotFound("shelf s9 not found", reason="SHELF_NOT_FOUND", domain="testing.meshwork")

    edge.upstream.answers["GetShelf"] = not_found
    reply = await edge.http.get("/v1/shelves/s9", headers={"X-Request-Id": "r-404"})
    assert reply.status_code == 404
    assert reply.json() == {
        "error": {
            "code": 404,
            "status": "NOT_FOUND",
            "message": "shelf s9 not found",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "SHELF_NOT_FOUND",
                    "domain": "testing.meshwork",
                },
                {"@type": "type.googleapis.com/google.rpc.RequestInfo", "requestId": "r-404"},
            ],
        }
    }


async def test_the_services_field_violations_reach_the_client(edge: Edge) -> None:
    async def invalid(request: Any, context: Any) -> Any:
        raise InvalidArgument(
            "bad shelf",
            reason="INVALID_SHELF",
            domain="testing.meshwork",
            violations=[
                FieldViolation("shelf.title", "must not be empty"),
                FieldViolation("shelf.create_time", "is output only"),
            ],
        )

    edge.upstream.answers["CreateShelf"] = invalid
    reply = await edge.http.post("/v1/shelves", json={}, headers=bearer(edge.token()))
    details = reply.json()["error"]["details"]
    assert details[1] == {  # in the JSON names the client uses, as the edge's own violations
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations": [
            {"field": "shelf.title", "description": "must not be empty"},
            {"field": "shelf.createTime", "description": "is output only"},
        ],
    }


async def test_a_detail_of_an_unknown_type_is_passed_on_encoded(edge: Edge) -> None:
    unknown = any_pb2.Any(type_url="type.googleapis.com/acme.Secret", value=b"\x01\x02")

    async def odd(request: Any, context: Any) -> Any:
        status = rich_status(9, "odd")
        status.details.append(unknown)
        await abort_with(context, status)

    edge.upstream.answers["GetShelf"] = odd
    reply = await edge.http.get("/v1/shelves/s1")
    assert reply.status_code == 400
    assert reply.json()["error"]["details"][0] == {
        "@type": "type.googleapis.com/acme.Secret",
        "value": "AQI=",
    }


async def test_a_crash_in_the_service_is_a_500_without_its_internals(edge: Edge) -> None:
    async def crash(request: Any, context: Any) -> Any:
        raise RuntimeError("secret internals at /srv/app.py line 3")

    edge.upstream.answers["GetShelf"] = crash
    reply = await edge.http.get("/v1/shelves/s1")
    assert reply.status_code == 500
    assert "secret" not in reply.text
    assert "quote request id" in reply.json()["error"]["message"]


async def test_a_bug_in_the_edge_is_a_500_json_without_a_stack_trace(
    issuer: TestIssuer, fake_upstreams: Any
) -> None:
    _, _, addresses = fake_upstreams
    app = edge_app(issuer, upstreams=addresses)
    async with serving(app, raise_app_exceptions=False) as http:

        async def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("secret edge internals")

        app.state.edge.upstreams.call = broken
        reply = await http.get("/v1/shelves/s1", headers={"X-Request-Id": "r-500"})
    assert reply.status_code == 500
    assert reply.headers["x-request-id"] == "r-500"
    error = reply.json()["error"]
    assert error["status"] == "INTERNAL"
    assert "secret" not in reply.text and "Traceback" not in reply.text
    assert error["details"][0]["metadata"] == {"request_id": "r-500"}


async def test_a_transport_failure_does_not_describe_the_mesh(edge: Edge) -> None:
    edge.upstream.answers["CreateShelf"] = aborting(
        grpc.StatusCode.UNAVAILABLE, "connect failed: ipv4:10.0.0.7:50051 refused"
    )
    reply = await edge.http.post("/v1/shelves", json={}, headers=bearer(edge.token()))
    assert reply.status_code == 503
    assert "10.0.0.7" not in reply.text
    error = reply.json()["error"]
    assert error["message"] == "the testing service is unavailable; retry later"
    assert error["details"][0] == {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "UPSTREAM_UNAVAILABLE",
        "domain": "edge.meshwork",
        "metadata": {"upstream": "testing"},
    }


async def test_no_route_is_a_404_with_its_reason_like_every_other_error(edge: Edge) -> None:
    reply = await edge.http.get("/v1/nothing/here", headers={"X-Request-Id": "r-none"})
    assert reply.status_code == 404
    assert reply.json() == {
        "error": {
            "code": 404,
            "status": "NOT_FOUND",
            "message": "no route matches GET /v1/nothing/here; the API is listed at /docs",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "ROUTE_NOT_FOUND",
                    "domain": "edge.meshwork",
                },
                {"@type": "type.googleapis.com/google.rpc.RequestInfo", "requestId": "r-none"},
            ],
        }
    }


async def test_a_wrong_method_on_an_edge_route_is_a_405_with_allow(edge: Edge) -> None:
    reply = await edge.http.post("/healthz")
    assert reply.status_code == 405
    assert reply.headers["allow"] == "GET, HEAD"
    error = reply.json()["error"]
    assert error["message"] == "POST is not allowed on /healthz; allowed: GET, HEAD"
    assert error["details"][0]["reason"] == "METHOD_NOT_ALLOWED"
