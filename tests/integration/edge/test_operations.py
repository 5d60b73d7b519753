"""Liveness, readiness, metrics, CORS and the body-size limit."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.integration.edge.conftest import Edge
from tests.integration.edge.fakes import (
    CLIENT_ADDRESS,
    NOWHERE,
    bearer,
    edge_app,
    edge_settings,
    serving,
)
from tests.support.logs import json_lines, service_logging
from tests.support.tokens import TestIssuer


async def test_healthz_answers_without_asking_upstreams(issuer: TestIssuer) -> None:
    async with serving(edge_app(issuer, upstreams={"testing": NOWHERE})) as http:
        reply = await http.get("/healthz")
    assert (reply.status_code, reply.json()) == (200, {"status": "ok"})


async def test_healthz_names_the_instance_a_supervisor_started(issuer: TestIssuer) -> None:
    settings = edge_settings(instance_id="edge-7")
    app = edge_app(issuer, upstreams={"testing": NOWHERE}, settings=settings)
    async with serving(app) as http:
        reply = await http.get("/healthz")
    assert reply.json() == {"status": "ok", "instance": "edge-7"}


async def test_readyz_is_200_when_every_required_upstream_serves(
    issuer: TestIssuer, fake_upstreams: Any
) -> None:
    _, _, addresses = fake_upstreams
    settings = edge_settings(readiness_upstreams=["testing", "payments"])
    async with serving(edge_app(issuer, upstreams=addresses, settings=settings)) as http:
        reply = await http.get("/readyz", headers=operator(issuer))
    assert reply.status_code == 200
    body = reply.json()
    assert body["status"] == "ready"
    assert body["upstreams"]["testing"] == body["upstreams"]["payments"] == "SERVING"
    assert set(body["upstreams"]) == {"testing", "payments"}
    assert body["optional"]["identity"].startswith("UNAVAILABLE")  # reported, not required


async def test_readyz_is_503_naming_what_is_down(issuer: TestIssuer, fake_upstreams: Any) -> None:
    _, _, addresses = fake_upstreams
    async with serving(edge_app(issuer, upstreams=addresses)) as http:
        reply = await http.get("/readyz", headers=operator(issuer))
    assert reply.status_code == 503
    down = reply.json()["down"]
    assert set(down) == {"identity"}  # every upstream is required by default
    assert down["identity"].startswith("UNAVAILABLE")
    assert reply.json()["optional"] == {}


async def test_readyz_reports_a_required_upstream_it_has_no_channel_to(
    issuer: TestIssuer, fake_upstreams: Any
) -> None:
    _, _, addresses = fake_upstreams
    settings = edge_settings(readiness_upstreams=["testing", "ledger"])
    async with serving(edge_app(issuer, upstreams=addresses, settings=settings)) as http:
        reply = await http.get("/readyz", headers=operator(issuer))
    assert reply.status_code == 503
    assert reply.json()["down"] == {"ledger": "not configured"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, "member"],
    ids=["anonymous", "bad token", "member"],
)
async def test_readyz_tells_anyone_else_only_whether_the_edge_is_ready(
    issuer: TestIssuer, fake_upstreams: Any, headers: dict[str, str] | str
) -> None:
    _, _, addresses = fake_upstreams
    if headers == "member":
        headers = bearer(issuer.sign(sub="u1", roles=["member"]))
    async with serving(edge_app(issuer, upstreams=addresses)) as http:
        reply = await http.get("/readyz", headers=headers)
    assert (reply.status_code, reply.json()) == (503, {"status": "unavailable"})
    assert "127.0.0.1" not in reply.text


def operator(issuer: TestIssuer) -> dict[str, str]:
    return bearer(issuer.sign(sub="operator-1", roles=["admin"]))


async def test_metrics_count_requests_by_route_template(edge: Edge) -> None:
    await edge.http.get("/v1/shelves/s1")
    await edge.http.get("/v1/shelves/s2")
    await edge.http.get("/v1/books:search")
    metrics = (await edge.http.get("/metrics")).text
    shelf = 'edge_http_requests_total{code="200",method="GET",route="/v1/shelves/{shelf_id}"} 2.0'
    search = 'edge_http_requests_total{code="401",method="GET",route="/v1/books:search"} 1.0'
    assert shelf in metrics
    assert search in metrics
    assert "edge_http_request_duration_seconds_bucket" in metrics


async def test_each_request_is_one_json_access_line_with_its_route_template(edge: Edge) -> None:
    stream = io.StringIO()
    with service_logging(stream, "edge"):
        await edge.http.get("/v1/shelves/s1", headers={"X-Request-Id": "req-edge-1"})
        await edge.http.get("/v1/books:search")
    found, refused = json_lines(stream.getvalue(), "meshwork.edge.access")
    expected = {
        "level": "info",
        "service": "edge",
        "message": "GET /v1/shelves/{shelf_id} 200",
        "method": "GET",
        "route": "/v1/shelves/{shelf_id}",
        "code": 200,
        "client": CLIENT_ADDRESS,
        "request_id": "req-edge-1",
    }
    assert expected.items() <= found.items()
    assert found["duration_ms"] >= 0 and len(found["trace_id"]) == 32
    assert (refused["message"], refused["code"]) == ("GET /v1/books:search 401", 401)


async def test_a_body_over_the_limit_is_refused_with_413(
    issuer: TestIssuer, fake_upstreams: Any
) -> None:
    upstream, _, addresses = fake_upstreams
    settings = edge_settings(max_body_bytes=64)
    async with serving(edge_app(issuer, upstreams=addresses, settings=settings)) as http:
        token = bearer(issuer.sign())
        declared = await http.post("/v1/shelves", json={"title": "x" * 100}, headers=token)

        async def chunks() -> Any:  # no Content-Length: counted while reading
            for _ in range(10):
                yield b" " * 20

        streamed = await http.post("/v1/shelves", content=chunks(), headers=token)
    assert declared.status_code == streamed.status_code == 413
    assert declared.json()["error"]["details"][0]["reason"] == "BODY_TOO_LARGE"
    assert upstream.count("CreateShelf") == 0


async def test_cors_admits_the_configured_origins_only(
    issuer: TestIssuer, fake_upstreams: Any
) -> None:
    _, _, addresses = fake_upstreams
    settings = edge_settings(cors_origins=["https://app.example.com"])
    preflight = {
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    async with serving(edge_app(issuer, upstreams=addresses, settings=settings)) as http:
        allowed = await http.options(
            "/v1/shelves/s1", headers={"Origin": "https://app.example.com", **preflight}
        )
        other = await http.options(
            "/v1/shelves/s1", headers={"Origin": "https://evil.example.com", **preflight}
        )
        simple = await http.get("/v1/shelves/s1", headers={"Origin": "https://app.example.com"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in other.headers
    assert simple.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "X-Request-Id" in simple.headers["access-control-expose-headers"]
