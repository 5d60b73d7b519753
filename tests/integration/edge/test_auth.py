"""The access option of each RPC is enforced at the edge, before any upstream call."""

from __future__ import annotations

import pytest

from tests.integration.edge.conftest import Edge
from tests.integration.edge.fakes import bearer


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


async def test_a_method_for_users_without_a_token_is_401_and_not_called(edge: Edge) -> None:
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
    edge: Edge, header: str, reason: str
) -> None:
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


async def test_an_expired_token_is_401(edge: Edge) -> None:
    token = edge.issuer.sign(exp=1_000_000, iat=999_000, nbf=999_000)
    reply = await edge.http.get("/v1/books:search", headers=bearer(token))
    assert reply.status_code == 401
    assert reply.json()["error"]["details"][0]["reason"] == "TOKEN_EXPIRED"


async def test_a_service_token_is_not_an_access_token(edge: Edge) -> None:
    token = edge.issuer.sign(typ="service", aud="meshwork")
    reply = await edge.http.get("/v1/books:search", headers=bearer(token))
    assert reply.status_code == 401
    assert reply.json()["error"]["details"][0]["reason"] == "TOKEN_TYPE_MISMATCH"


async def test_a_token_signed_with_a_new_key_is_accepted_after_a_jwks_refresh(edge: Edge) -> None:
    await edge.http.get("/v1/books:search", headers=bearer(edge.token()))  # keys now cached
    edge.issuer.rotate()
    reply = await edge.http.get("/v1/books:search", headers=bearer(edge.token()))
    assert reply.status_code == 200


async def test_a_role_restricted_method_refuses_users_without_the_role(edge: Edge) -> None:
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
