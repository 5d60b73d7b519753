"""Admin through the edge over the real identity, users and admin: suspensions take effect
everywhere within seconds, and each admin route admits only the roles its contract names."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from edge.transcoding.bindings import bindings_of
from meshwork.admin.v1 import admin_service_pb2
from meshwork.identity.v1 import identity_service_pb2 as identity_pb
from meshwork.identity.v1 import identity_service_pb2_grpc
from meshwork.users.v1 import users_service_pb2, users_service_pb2_grpc
from tests.integration.edge.fakes import bearer, serving
from tests.integration.edge.platform import Platform, running_platform
from tests.integration.identity.conftest import ADMIN_EMAIL, DEV_SECRET, PASSWORD
from tests.support.waiting import eventually

ADMIN_SERVICE = admin_service_pb2.DESCRIPTOR.services_by_name["AdminService"]


@pytest.fixture
async def platform(nats_server: Any, tmp_path: Path) -> AsyncIterator[Platform]:
    async with running_platform(nats_server.url, tmp_path) as running:
        yield running


@pytest.fixture
async def http(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(platform.edge()) as client:
        yield client


def reason(reply: httpx.Response) -> str:
    """The ErrorInfo reason of an AIP-193 error body."""
    for detail in reply.json()["error"].get("details", []):
        if detail.get("@type", "").endswith("google.rpc.ErrorInfo"):
            return str(detail["reason"])
    raise AssertionError(f"no ErrorInfo in {reply.text}")


async def sign_up(http: httpx.AsyncClient, email: str = "") -> dict[str, Any]:
    email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
    reply = await http.post("/v1/auth:signUp", json={"email": email, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    return {"email": email, **reply.json()}


async def login(http: httpx.AsyncClient, email: str) -> httpx.Response:
    return await http.post("/v1/auth:login", json={"email": email, "password": PASSWORD})


async def refresh(http: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await http.post("/v1/auth:refresh", json={"refreshToken": refresh_token})


async def test_a_suspension_refuses_live_tokens_logins_and_refreshes_until_lifted(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    admin = await sign_up(http, ADMIN_EMAIL)
    alice = await sign_up(http)
    as_admin = bearer(admin["tokens"]["accessToken"])
    alice_token = alice["tokens"]["accessToken"]
    assert (await http.get("/v1/users/me", headers=bearer(alice_token))).status_code == 200

    suspended = await http.post(
        f"/v1/users/{alice['userId']}:suspend",
        json={"reason": "chargeback fraud"},
        headers=as_admin,
    )
    assert suspended.status_code == 200, suspended.text
    started = time.monotonic()
    refused: list[httpx.Response] = []

    async def alice_refused() -> bool:
        reply = await http.get("/v1/users/me", headers=bearer(alice_token))
        refused[:] = [reply]
        return reply.status_code == 401

    await eventually(alice_refused, timeout_s=5)
    print(f"suspension reached the edge's verifier in {time.monotonic() - started:.3f} s")
    assert reason(refused[0]) == "USER_SUSPENDED"
    await _refused_in_the_mesh(platform, alice_token)

    assert reason(await login(http, alice["email"])) == "ACCOUNT_SUSPENDED"
    assert (await refresh(http, alice["tokens"]["refreshToken"])).status_code in (400, 401, 403)

    lifted = await http.post(
        f"/v1/users/{alice['userId']}:unsuspend", json={"reason": "cleared"}, headers=as_admin
    )
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["suspension"]["state"] == "SUSPENSION_STATE_LIFTED"
    again = await login(http, alice["email"])
    assert again.status_code == 200, again.text
    fresh = again.json()["tokens"]["accessToken"]

    async def fresh_token_works() -> bool:
        return (await http.get("/v1/users/me", headers=bearer(fresh))).status_code == 200

    await eventually(fresh_token_works, timeout_s=5)
    stale = await http.get("/v1/users/me", headers=bearer(alice_token))
    assert reason(stale) == "TOKEN_REVOKED"  # issued before the suspension: stays refused

    actions = await http.get(
        "/v1/adminActions", params={"targetUserId": alice["userId"]}, headers=as_admin
    )
    recorded = [(a["type"], a["actorId"], a["reason"]) for a in actions.json()["adminActions"]]
    assert recorded == [
        ("ADMIN_ACTION_TYPE_UNSUSPEND_USER", admin["userId"], "cleared"),
        ("ADMIN_ACTION_TYPE_SUSPEND_USER", admin["userId"], "chargeback fraud"),
    ]
    assert all(a["requestId"] and a["traceId"] for a in actions.json()["adminActions"])

    trail: list[tuple[str, str]] = []

    async def both_in_the_audit_trail() -> bool:
        found = await http.get(
            "/v1/auditEntries",
            params={"subjectType": "user", "subjectId": alice["userId"], "service": "admin"},
            headers=as_admin,
        )
        assert found.status_code == 200, found.text
        trail[:] = [(e["type"], e["actorUserId"]) for e in found.json().get("auditEntries", [])]
        return len(trail) == 2

    await eventually(both_in_the_audit_trail, timeout_s=10)
    assert sorted(trail) == [
        ("meshwork.admin.v1.UserSuspended", admin["userId"]),
        ("meshwork.admin.v1.UserUnsuspended", admin["userId"]),
    ]


async def _refused_in_the_mesh(platform: Platform, access_token: str) -> None:
    """The users service's own verifier refuses the token too (not only the edge)."""
    async with (
        grpc.aio.insecure_channel(platform.addresses["identity"]) as identity_channel,
        grpc.aio.insecure_channel(platform.addresses["users"]) as users_channel,
    ):
        issued = await identity_service_pb2_grpc.IdentityServiceStub(
            identity_channel
        ).IssueServiceToken(
            identity_pb.IssueServiceTokenRequest(
                client_id="edge", client_secret=DEV_SECRET, audience="users"
            )
        )
        metadata = (
            ("authorization", f"Bearer {issued.access_token}"),
            ("x-user-authorization", f"Bearer {access_token}"),
        )
        users = users_service_pb2_grpc.UsersServiceStub(users_channel)

        async def refused() -> bool:
            try:
                await users.GetUser(
                    users_service_pb2.GetUserRequest(user_id="me"), metadata=metadata
                )
            except grpc.aio.AioRpcError as error:
                return error.code() == grpc.StatusCode.UNAUTHENTICATED
            return False

        await eventually(refused, timeout_s=5)


def _routes() -> list[tuple[str, str, frozenset[str]]]:
    """Every REST route of AdminService (from its google.api.http annotations), a concrete
    path for each, and the roles its access policy admits."""
    found = []
    for binding in bindings_of([ADMIN_SERVICE]):
        path = re.sub(r"\{[^}]+\}", "x-1", binding.template.openapi_path())
        found.append((binding.http_method, path, binding.contract.access.roles))
    return found


async def test_a_plain_user_is_refused_every_admin_route(http: httpx.AsyncClient) -> None:
    user = bearer((await sign_up(http))["tokens"]["accessToken"])
    routes = _routes()
    assert len(routes) == 11
    for method, path, _ in routes:
        body = {"reason": "r"} if method == "POST" else None
        reply = await http.request(method, path, json=body, headers=user)
        assert reply.status_code == 403, (method, path, reply.text)
        assert reason(reply) == "ROLE_REQUIRED", (method, path)


async def test_support_sees_what_support_may_see(http: httpx.AsyncClient) -> None:
    admin = bearer((await sign_up(http, ADMIN_EMAIL))["tokens"]["accessToken"])
    bob = await sign_up(http)
    granted = await http.post(
        "/v1/roleGrants",
        json={"userId": bob["userId"], "roleId": "support", "reason": "ticket 42"},
        headers=admin,
    )
    assert granted.status_code == 200, granted.text
    refreshed = await refresh(http, bob["tokens"]["refreshToken"])
    support = bearer(refreshed.json()["tokens"]["accessToken"])
    for method, path, roles in _routes():
        if method != "GET":
            continue
        reply = await http.request(method, path, headers=support)
        if "support" in roles:
            assert reply.status_code in (200, 404), (path, reply.text)  # x-1 does not exist
        else:
            assert reply.status_code == 403, (path, reply.text)
    listed = await http.get("/v1/suspensions", headers=support)
    assert listed.status_code == 200 and listed.json().get("suspensions", []) == []
