"""The platform as `make up` runs it: real processes, called with the real grpcurl."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import ROOT, subprocess_env

GRPCURL = str(Path(sys.executable).parent / "grpcurl")
PASSWORD = "correct horse battery staple"


@dataclass
class Stack:
    addresses: dict[str, str]
    env: dict[str, str]

    def grpcurl(self, service: str, method: str, body: dict, *headers: str) -> tuple[int, str]:
        args = [GRPCURL, "-plaintext", "-d", json.dumps(body)]
        for header in headers:
            args += ["-H", header]
        args += [self.addresses[service], method]
        result = subprocess.run(args, capture_output=True, text=True, timeout=30)
        return result.returncode, result.stdout + result.stderr

    def service_token(self, audience: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "mesh.devtoken", audience],
            capture_output=True, text=True, timeout=30, env=self.env, cwd=ROOT,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    state = tmp_path_factory.mktemp("stack")
    env = subprocess_env(
        MESHWORK_STATE_DIR=str(state), MESHWORK_ANY_PORTS="1", NATS_URL="", MESHWORK_NATS_URL=""
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mesh.devstack",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    output = ""
    try:
        async with asyncio.timeout(90):
            while "Logs:" not in output and (line := await process.stdout.readline()):
                output += line.decode()
        assert "Meshwork is up" in output, output
        addresses = dict(re.findall(r"^\s+(\w+)\s+grpc://(\S+)", output, re.MULTILINE))
        yield Stack(addresses=addresses, env=env)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            async with asyncio.timeout(30):
                assert await process.wait() == 0


async def test_a_user_signs_up_and_reads_their_profile_through_grpcurl(stack: Stack) -> None:
    code, out = stack.grpcurl(
        "identity", "meshwork.identity.v1.IdentityService/SignUp",
        {"email": "grace@example.com", "password": PASSWORD, "display_name": "Grace"},
    )  # fmt: skip
    assert code == 0, out
    signed_up = json.loads(out)
    access = signed_up["tokens"]["access_token"]
    token = stack.service_token("users")
    code, out = stack.grpcurl(
        "users", "meshwork.users.v1.UsersService/GetUser", {"user_id": "me"},
        f"authorization: Bearer {token}", f"x-user-authorization: Bearer {access}",
    )  # fmt: skip
    assert code == 0, out
    profile = json.loads(out)["user"]
    assert (profile["id"], profile["email"], profile["display_name"]) == (
        signed_up["user_id"], "grace@example.com", "Grace",
    )  # fmt: skip


async def test_a_call_without_a_service_token_is_unauthenticated(stack: Stack) -> None:
    code, out = stack.grpcurl("users", "meshwork.users.v1.UsersService/GetUser", {"user_id": "me"})
    assert code != 0
    assert "Unauthenticated" in out
    assert "authorization" in out


async def test_a_service_the_policy_does_not_list_is_refused(stack: Stack) -> None:
    token = stack.service_token("identity")
    code, out = stack.grpcurl(
        "identity", "meshwork.identity.v1.IdentityService/PurgeExpiredTokens", {},
        f"authorization: Bearer {token}",
    )  # fmt: skip
    assert code != 0
    assert "PermissionDenied" in out
    assert "'cli' may not call" in out


async def test_a_forged_service_token_is_unauthenticated(stack: Stack) -> None:
    token = stack.service_token("users")
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[::-1]}"
    code, out = stack.grpcurl(
        "users", "meshwork.users.v1.UsersService/GetUser", {"user_id": "me"},
        f"authorization: Bearer {forged}",
    )  # fmt: skip
    assert code != 0
    assert "Unauthenticated" in out
