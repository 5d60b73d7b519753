"""`make up`, then a user's life through the edge with curl-like calls, and grpcurl beside it."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support import ROOT, subprocess_env

BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery"


@dataclass
class Stack:
    """The running `make up`: the edge's URL, each service's address, its environment."""

    edge: str
    services: dict[str, str]
    env: dict[str, str]


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    env = subprocess_env(
        MESHWORK_STATE_DIR=str(tmp_path_factory.mktemp("state")), NATS_URL="", MESHWORK_NATS_URL=""
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mesh.devstack",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        output = ""
        async with asyncio.timeout(60):
            while "Logs:" not in output and (line := await process.stdout.readline()):
                output += line.decode()
        edge = re.search(r"edge \(REST\)\s+(http://\S+)", output)
        assert edge, output
        services = dict(re.findall(r"^\s+(\w+)\s+grpc://(\S+)", output, re.MULTILINE))
        yield Stack(edge.group(1), services, env)
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _sign_up(http: httpx.AsyncClient, name: str) -> dict:
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    reply = await http.post(
        "/v1/auth:signUp", json={"email": email, "password": PASSWORD, "displayName": name}
    )
    assert reply.status_code == 200, reply.text
    return {"email": email, **reply.json()}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_make_up_serves_the_edge_ready_with_its_docs(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.edge) as http:
        ready = await http.get("/readyz")
        document = await http.get("/openapi.json")
        docs = await http.get("/docs")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert "/v1/users/{user_id}" in document.json()["paths"]
    assert docs.status_code == 200


async def test_a_users_life_through_the_edge(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.edge) as http:
        ada = await _sign_up(http, "ada")
        login = await http.post(
            "/v1/auth:login", json={"email": ada["email"], "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        tokens = login.json()["tokens"]
        me = await http.get("/v1/users/me", headers=_bearer(tokens["accessToken"]))
        assert (me.json()["user"]["id"], me.json()["user"]["displayName"]) == (ada["userId"], "ada")
        patched = await http.patch(
            "/v1/users/me",
            json={"givenName": "Ada", "familyName": "Lovelace", "locale": "en-GB"},
            headers=_bearer(tokens["accessToken"]),
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["user"]["familyName"] == "Lovelace"
        refreshed = await http.post(
            "/v1/auth:refresh", json={"refreshToken": tokens["refreshToken"]}
        )
        assert refreshed.status_code == 200, refreshed.text
        latest = refreshed.json()["tokens"]
        again = await http.get("/v1/users/me", headers=_bearer(latest["accessToken"]))
        assert again.json()["user"]["givenName"] == "Ada"
        logout = await http.post("/v1/auth:logout", json={"refreshToken": latest["refreshToken"]})
        assert logout.status_code == 200
        after = await http.post("/v1/auth:refresh", json={"refreshToken": latest["refreshToken"]})
        assert after.status_code == 401


async def test_a_user_cannot_read_or_change_another_users_profile(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.edge) as http:
        ada, bob = await _sign_up(http, "ada"), await _sign_up(http, "bob")
        as_ada = _bearer(ada["tokens"]["accessToken"])
        read = await http.get(f"/v1/users/{bob['userId']}", headers=as_ada)
        changed = await http.patch(
            f"/v1/users/{bob['userId']}", json={"displayName": "owned"}, headers=as_ada
        )
        bobs = await http.get("/v1/users/me", headers=_bearer(bob["tokens"]["accessToken"]))
    assert read.status_code in (403, 404)
    assert changed.status_code in (403, 404)
    assert bob["email"] not in read.text + changed.text
    assert bobs.json()["user"]["displayName"] == "bob"


async def test_the_oauth2_token_endpoint_works(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.edge) as http:
        eve = await _sign_up(http, "eve")
        reply = await http.post(
            "/oauth/token",
            data={"grant_type": "password", "username": eve["email"], "password": PASSWORD},
        )
        assert reply.status_code == 200, reply.text
        me = await http.get("/v1/users/me", headers=_bearer(reply.json()["access_token"]))
    assert me.json()["user"]["email"] == eve["email"]


async def test_the_same_call_with_grpcurl_and_a_dev_service_token(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.edge) as http:
        zoe = await _sign_up(http, "zoe")
    devtoken = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mesh.devtoken", "users",
        cwd=ROOT, env=stack.env, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    service_token = (await devtoken.communicate())[0].decode().strip()
    assert devtoken.returncode == 0
    grpcurl = await asyncio.create_subprocess_exec(
        str(BIN / "grpcurl"), "-plaintext",
        "-H", f"authorization: Bearer {service_token}",
        "-H", f"x-user-authorization: Bearer {zoe['tokens']['accessToken']}",
        "-d", '{"user_id": "me"}',
        stack.services["users"], "meshwork.users.v1.UsersService/GetUser",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output = (await grpcurl.communicate())[0].decode()
    assert grpcurl.returncode == 0, output
    assert json.loads(output)["user"]["email"] == zoe["email"]
