"""Rate limits through the edge: 429 with Retry-After, strict on login, shared through Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as redis

from edge.config import STRICT_METHODS
from tests.integration.edge.fakes import bearer, edge_app, edge_settings, serving
from tests.support.services import unavailable
from tests.support.tokens import TestIssuer

REDIS_URL = os.environ.get("MESHWORK_TEST_REDIS", "redis://127.0.0.1:6379/0")
GET_SHELF = "meshwork.testing.v1.TranscodingService.GetShelf"


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own in the machine's Redis; its keys are deleted after
    (never anything else: the Redis is shared)."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (redis.ConnectionError, OSError):
        await client.aclose()
        unavailable("Redis", REDIS_URL, "MESHWORK_TEST_REDIS")
    prefix = f"meshwork-edge-test-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def test_the_request_after_the_limit_gets_429_with_retry_after(
    issuer: TestIssuer, fake_upstreams: Any
) -> None:
    upstream, _, addresses = fake_upstreams
    settings = edge_settings(rate_limit_per_address="3/minute")
    async with serving(edge_app(issuer, upstreams=addresses, settings=settings)) as http:
        answers = [await http.get("/v1/shelves/s1") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    refused = answers[-1]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-limit"] == "3"
    error = refused.json()["error"]
    assert (error["status"], error["details"][0]["reason"]) == (
        "RESOURCE_EXHAUSTED",
        "RATE_LIMITED",
    )
    assert upstream.count("GetShelf") == 3


async def test_login_routes_get_the_strict_limit(issuer: TestIssuer, fake_upstreams: Any) -> None:
    _, _, addresses = fake_upstreams
    settings = edge_settings(
        rate_limit_strict="2/minute", strict_rate_limit_methods=[*STRICT_METHODS, GET_SHELF]
    )
    async with serving(edge_app(issuer, upstreams=addresses, settings=settings)) as http:
        shelves = [(await http.get("/v1/shelves/s1")).status_code for _ in range(3)]
        searches = [
            (await http.get("/v1/books:search", headers=bearer(issuer.sign()))).status_code
            for _ in range(3)
        ]
    assert shelves == [200, 200, 429]
    assert searches == [200, 200, 200]  # not a strict route


async def test_each_user_has_a_limit_of_their_own(issuer: TestIssuer, fake_upstreams: Any) -> None:
    _, _, addresses = fake_upstreams
    settings = edge_settings(rate_limit_per_user="2/minute")
    async with serving(edge_app(issuer, upstreams=addresses, settings=settings)) as http:
        ada = [
            (await http.get("/v1/books:search", headers=bearer(issuer.sign(sub="ada")))).status_code
            for _ in range(3)
        ]
        bob = await http.get("/v1/books:search", headers=bearer(issuer.sign(sub="bob")))
    assert ada == [200, 200, 429]
    assert bob.status_code == 200


async def test_two_edges_sharing_redis_enforce_one_limit(
    issuer: TestIssuer, fake_upstreams: Any, redis_prefix: str
) -> None:
    _, _, addresses = fake_upstreams
    settings = edge_settings(
        rate_limit_per_address="4/minute",
        rate_limit_storage=REDIS_URL,
        rate_limit_key_prefix=redis_prefix,
    )
    first_app = edge_app(issuer, upstreams=addresses, settings=settings)
    second_app = edge_app(issuer, upstreams=addresses, settings=settings)
    async with serving(first_app) as first, serving(second_app) as second:
        codes = []
        for http in (first, second, first, second, first, second):
            codes.append((await http.get("/v1/shelves/s1")).status_code)
    assert codes == [200, 200, 200, 200, 429, 429]
