"""The edge over the real identity and users: OAuth2 token endpoint, JWKS, client addresses."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from tests.integration.edge.fakes import bearer, http_client, serving
from tests.integration.edge.platform import Platform, running_platform
from tests.integration.identity.conftest import PASSWORD

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
async def platform(nats_server: Any, tmp_path: Path) -> AsyncIterator[Platform]:
    async with running_platform(nats_server.url, tmp_path) as running:
        yield running


@pytest.fixture
async def http(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(platform.edge(), client="198.51.100.10") as client:
        yield client


async def _sign_up(http: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    email = f"user-{uuid.uuid4().hex[:8]}@example.com"
    reply = await http.post("/v1/auth:signUp", json={"email": email, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"  # it carries the session's tokens
    return email, reply.json()


async def test_the_token_endpoint_logs_in_and_refreshes(http: httpx.AsyncClient) -> None:
    email, _ = await _sign_up(http)
    login = await http.post(
        "/oauth/token", data={"grant_type": "password", "username": email, "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    assert login.headers["cache-control"] == "no-store"
    tokens = login.json()
    assert tokens["token_type"] == "Bearer"
    assert 0 < tokens["expires_in"] <= 600
    me = await http.get("/v1/users/me", headers=bearer(tokens["access_token"]))
    assert me.json()["user"]["email"] == email
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    refreshed = await http.post("/oauth/token", data=refresh)
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] != tokens["refresh_token"]
    reused = await http.post("/oauth/token", data=refresh)  # a used refresh token
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")


async def test_sign_up_login_and_refresh_answers_are_never_stored(
    http: httpx.AsyncClient,
) -> None:
    email, signed_up = await _sign_up(http)
    login = await http.post("/v1/auth:login", json={"email": email, "password": PASSWORD})
    refresh_token = login.json()["tokens"]["refreshToken"]
    refreshed = await http.post("/v1/auth:refresh", json={"refreshToken": refresh_token})
    for reply in (login, refreshed):
        assert reply.status_code == 200, reply.text
        assert reply.headers["cache-control"] == "no-store"
        assert reply.headers["x-content-type-options"] == "nosniff"
    assert signed_up["tokens"]["accessToken"]


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"grant_type": "password", "username": "nobody@example.com", "password": "x" * 12},
         400, "invalid_grant"),
        ({"grant_type": "password", "username": "nobody@example.com"}, 400, "invalid_request"),
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        ({}, 400, "invalid_request"),
    ],
)  # fmt: skip
async def test_token_errors_are_rfc_6749_bodies(
    http: httpx.AsyncClient, form: dict[str, str], status: int, error: str
) -> None:
    reply = await http.post("/oauth/token", data=form)
    assert reply.status_code == status
    assert reply.json()["error"] == error
    assert reply.json()["error_description"]


async def test_the_token_endpoint_takes_forms_only(http: httpx.AsyncClient) -> None:
    reply = await http.post("/oauth/token", json={"grant_type": "password"})
    assert (reply.status_code, reply.json()["error"]) == (400, "invalid_request")


async def test_the_well_known_jwks_is_a_plain_jwk_set_that_verifies_tokens(
    http: httpx.AsyncClient,
) -> None:
    _, signed_up = await _sign_up(http)
    reply = await http.get("/.well-known/jwks.json")
    assert reply.status_code == 200
    jwks = reply.json()
    assert set(jwks) == {"keys"}
    assert all(set(key) == {"kty", "kid", "use", "alg", "crv", "x"} for key in jwks["keys"])
    assert (await http.get("/v1/jwks")).json() == jwks
    access_token = signed_up["tokens"]["accessToken"]
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(access_token)["kid"]]
    claims = jwt.decode(access_token, key.key, algorithms=["EdDSA"], audience="meshwork")
    assert claims["sub"] == signed_up["userId"]


async def test_identity_counts_failed_logins_per_client_address(platform: Platform) -> None:
    app = platform.edge()
    async with (
        serving(app, client="198.51.100.20") as attacker,
        http_client(app, client="198.51.100.21") as neighbour,
    ):
        email, _ = await _sign_up(neighbour)
        statuses = []
        for attempt in range(8):  # distinct accounts: only the address ties them together
            wrong = {"email": f"guess-{attempt}@example.com", "password": "wrong password!"}
            statuses.append((await attacker.post("/v1/auth:login", json=wrong)).status_code)
        fine = await neighbour.post("/v1/auth:login", json={"email": email, "password": PASSWORD})
    assert statuses[0] == 401
    assert statuses[-1] == 429  # the attacker's address is locked out ...
    assert fine.status_code == 200  # ... while another address logs in
