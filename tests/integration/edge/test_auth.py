"""The access option of each RPC is enforced at the edge, before any upstream call."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from meshwork.testing.v1 import transcoding_pb2, transcoding_pb2_grpc
from tests.integration.edge.conftest import Edge
from tests.integration.edge.fakes import (
    FakeTranscoding,
    Recorder,
    admitting_server,
    bearer,
    edge_app,
    serving,
)
from tests.support.tokens import TestIssuer


@pytest.fixture(params=["checking upstream", "admitting upstream"])
async def refusing(
    request: pytest.FixtureRequest, edge: Edge, issuer: TestIssuer
) -> AsyncIterator[Edge]:
    """The edge in front of an upstream that verifies tokens like a service, and in front of
    one that admits anything: the edge's own check must refuse alone, without the second
    layer behind it."""
    if request.param == "checking upstream":
        yield edge
        return
    upstream = Recorder()
    async with admitting_server(
        FakeTranscoding(upstream), transcoding_pb2, transcoding_pb2_grpc
    ) as (_, address):
        app = edge_app(issuer, upstreams={"testing": address})
        async with serving(app) as http:
            yield Edge(http, issuer, upstream, edge.payments)


async def test_a_public_method_needs_no_token(edge: Edge) -> None:
    reply = await edge.http.get("/v1/shelves/s1")
    assert reply.status_code == 200
    received = edge.upstream.last("GetShelf")
    assert received.principal.service == "edge"  # the edge's own service token
    assert received.principal.user is None


async def test_a_token_sent_to_a_public_method_is_verified_and_forwarded(edge: Edge) -> None:
    reply = await edge.http.get("/v1/shelves/s1", headers=bearer(edge.token("user-7")))
    assert reply.status_code == 200
    user = edge.upstream.last("GetShelf").principal.user
    assert user is not None
    assert user.subject == "user-7"


async def test_a_method_for_users_without_a_token_is_401_and_not_called(refusing: Edge) -> None:
    edge = refusing
    reply = await edge.http.get("/v1/books:search")
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"].startswith("Bearer")
    error = reply.json()["error"]
    assert error["status"] == "UNAUTHENTICATED"
    assert "Authorization: Bearer" in error["message"]
    assert edge.upstream.count("SearchBooks") == 0


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Bearer not-a-jwt", "TOKEN_MALFORMED"),
        ("Basic dXNlcjpwYXNz", "TOKEN_MALFORMED"),
    ],
)
async def test_a_malformed_token_is_401_with_its_reason(
    refusing: Edge, header: str, reason: str
) -> None:
    edge = refusing
    reply = await edge.http.get("/v1/books:search", headers={"Authorization": header})
    assert reply.status_code == 401
    info = reply.json()["error"]["details"][0]
    assert info["reason"] == reason
    assert edge.upstream.count("SearchBooks") == 0


async def test_a_header_without_the_bearer_scheme_is_named_as_a_header(edge: Edge) -> None:
    reply = await edge.http.get("/v1/books:search", headers={"Authorization": "Basic x"})
    assert reply.json()["error"]["message"] == (
        "the 'Authorization' header must be 'Bearer <token>'"
    )


async def test_an_expired_token_is_401(refusing: Edge) -> None:
    edge = refusing
    token = edge.issuer.sign(exp=1_000_000, iat=999_000, nbf=999_000)
    reply = await edge.http.get("/v1/books:search", headers=bearer(token))
    assert reply.status_code == 401
    assert reply.json()["error"]["details"][0]["reason"] == "TOKEN_EXPIRED"


async def test_a_service_token_is_not_an_access_token(refusing: Edge) -> None:
    edge = refusing
    token = edge.issuer.sign(typ="service", aud="meshwork")
    reply = await edge.http.get("/v1/books:search", headers=bearer(token))
    assert reply.status_code == 401
    assert reply.json()["error"]["details"][0]["reason"] == "TOKEN_TYPE_MISMATCH"


async def test_a_token_signed_with_a_new_key_is_accepted_after_a_jwks_refresh(edge: Edge) -> None:
    await edge.http.get("/v1/books:search", headers=bearer(edge.token()))  # keys now cached
    edge.issuer.rotate()
    reply = await edge.http.get("/v1/books:search", headers=bearer(edge.token()))
    assert reply.status_code == 200


async def test_a_role_restricted_method_refuses_users_without_the_role(refusing: Edge) -> None:
    edge = refusing
    reply = await edge.http.post(
        "/v1/shelves/s1:archive", json={}, headers=bearer(edge.token(roles=("member",)))
    )
    assert reply.status_code == 403
    assert reply.json()["error"]["details"][0]["reason"] == "ROLE_REQUIRED"
    assert edge.upstream.count("ArchiveShelf") == 0


async def test_a_user_with_the_role_reaches_the_method(edge: Edge) -> None:
    reply = await edge.http.post(
        "/v1/shelves/s1:archive", json={}, headers=bearer(edge.token(roles=("admin",)))
    )
    assert reply.status_code == 200
    user = edge.upstream.last("ArchiveShelf").principal.user
    assert user is not None
    assert user.roles == frozenset({"admin"})
