"""A down or hanging upstream gives 503/504 quickly, and its circuit breaker then fails fast."""

from __future__ import annotations

import time
from typing import Any

import grpc
from grpc.aio import Metadata

from edge.app import create_app
from tests.integration.edge.fakes import (
    NOWHERE,
    TRANSCODING,
    Recorder,
    bearer,
    edge_app,
    edge_settings,
    serving,
    stall,
)
from tests.support.tokens import TestIssuer


async def test_an_upstream_that_is_down_answers_503_quickly_then_fails_fast(
    issuer: TestIssuer,
) -> None:
    settings = edge_settings(upstream_failure_threshold=2, upstream_reset_timeout_s=30)
    app = edge_app(issuer, upstreams={"testing": NOWHERE}, settings=settings)
    async with serving(app) as http:
        started = time.monotonic()
        first = await http.get("/v1/shelves/s1")
        assert time.monotonic() - started < 3  # refused connections, a few quick retries
        await http.get("/v1/shelves/s1")  # the second failure opens the breaker
        started = time.monotonic()
        refused = await http.get("/v1/shelves/s1")
        fast_s = time.monotonic() - started
    assert (first.status_code, refused.status_code) == (503, 503)
    assert refused.json()["error"]["status"] == "UNAVAILABLE"
    assert 1 <= int(refused.headers["retry-after"]) <= 30
    assert fast_s < 1  # no connection attempt while the breaker is open


async def test_a_hanging_upstream_answers_504_at_the_deadline_then_503(
    issuer: TestIssuer, fake_upstreams: tuple[Recorder, Recorder, dict[str, Any]]
) -> None:
    upstream, _, addresses = fake_upstreams
    upstream.answers["SearchBooks"] = stall
    settings = edge_settings(max_upstream_deadline_s=0.2, upstream_failure_threshold=2)
    app = edge_app(issuer, upstreams=addresses, settings=settings)
    token = bearer(issuer.sign())
    async with serving(app) as http:
        first = await http.get("/v1/books:search", headers=token)
        second = await http.get("/v1/books:search", headers=token)
        third = await http.get("/v1/books:search", headers=token)
    assert (first.status_code, second.status_code) == (504, 504)
    assert first.json()["error"]["status"] == "DEADLINE_EXCEEDED"
    assert third.status_code == 503  # the breaker opened: the upstream was not called again
    assert "retry-after" in third.headers
    assert upstream.count("SearchBooks") == 2


async def test_identity_refusing_the_edges_credentials_is_503_not_the_users_401(
    issuer: TestIssuer, fake_upstreams: tuple[Recorder, Recorder, dict[str, Any]]
) -> None:
    upstream, _, addresses = fake_upstreams

    async def refused(audience: str) -> tuple[str, float]:
        raise grpc.aio.AioRpcError(
            grpc.StatusCode.UNAUTHENTICATED, Metadata(), Metadata(), details="bad client secret"
        )

    app = create_app(
        edge_settings(),
        upstreams=addresses,
        services=[TRANSCODING],
        keys=issuer.jwks,
        tokens=refused,
    )
    async with serving(app) as http:
        reply = await http.get("/v1/shelves/s1")
    assert reply.status_code == 503
    error = reply.json()["error"]
    assert "credentials" in error["message"]
    assert "bad client secret" not in reply.text
    assert error["details"][0]["reason"] == "EDGE_CREDENTIALS_UNAVAILABLE"
    assert upstream.count("GetShelf") == 0
