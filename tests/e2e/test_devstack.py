"""`make up`: the local stack starts the catalogue's services, reports where they listen, and
stops cleanly on Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import time
from pathlib import Path

import httpx
import nats

from mesh import readiness
from mesh.catalog import catalog
from mesh.stack import Stack, StackProcess
from tests.support import subprocess_env
from tests.support.stack import RunningStack, running_stack


async def test_the_stack_starts_nats_and_the_catalogues_services_and_stops_on_sigint(
    tmp_path: Path,
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mesh.devstack",
        cwd=tmp_path,  # its state lives in ./.meshwork of wherever it runs
        env=subprocess_env(NATS_URL="", MESHWORK_NATS_URL="", MESHWORK_ANY_PORTS="1"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        output = ""
        async with asyncio.timeout(60):
            while "Logs:" not in output and (line := await process.stdout.readline()):
                output += line.decode()
        assert "Meshwork is up" in output, output
        running = re.findall(r"^\s+(\w+)\s+grpc://", output, re.MULTILINE)
        assert running == [entry.name for entry in catalog().runnable]
        url = re.search(r"nats \(JetStream\)\s+(\S+)", output)
        assert url, output
        client = await nats.connect(url.group(1))
        account = await client.jetstream().account_info()
        assert account.limits is not None
        await client.close()
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            assert await process.wait() == 0
        assert (tmp_path / ".meshwork" / "nats" / "jetstream").is_dir()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_a_killed_service_is_reported_and_serves_again_within_5_s(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        users = _process_of(tmp_path, "users")
        os.kill(users.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        async with asyncio.timeout(10):
            while "users was killed by signal 9" not in (line := await stack.read_line()):
                assert line, "the supervisor stopped before reporting the death"
        deadline = killed_at + 5
        assert await readiness.serving(f"{users.address}@{users.instance}", deadline=deadline)
        assert _process_of(tmp_path, "users").pid != users.pid  # the stack file follows


async def test_a_second_stack_in_the_same_checkout_says_so_and_stops(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "mesh.devstack",
            env=stack.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(second.communicate(), timeout=30)
    assert second.returncode == 1
    assert "a stack already runs from this checkout" in output.decode()


async def test_two_stacks_started_at_once_take_distinct_ports_and_each_serves_its_own(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    async with (
        running_stack(first, any_ports=False) as one,
        running_stack(second, any_ports=False) as other,
    ):
        assert not set(one.addresses.values()) & set(other.addresses.values())
        for stack in (one, other):
            await _quickstart_with_grpcurl(stack)


def _process_of(state: Path, name: str) -> StackProcess:
    stack = Stack.read(state)
    assert stack is not None
    return next(p for p in stack.processes if p.name == name)


async def _quickstart_with_grpcurl(stack: RunningStack) -> None:
    """The README's quick start on this stack: sign up through its edge, then GetUser over
    gRPC with a service token from `mesh.devtoken` (which must ask this stack's identity)."""
    edge = re.search(r"edge \(REST\)\s+(\S+)", stack.banner)
    assert edge, stack.banner
    async with httpx.AsyncClient(base_url=edge.group(1), timeout=30) as http:
        body = {"email": "ada@example.com", "password": "correct horse battery"}
        signed_up = await http.post("/v1/auth:signUp", json=body)
    assert signed_up.status_code == 200, signed_up.text
    access = signed_up.json()["tokens"]["accessToken"]
    _, token = await _run(sys.executable, "-m", "mesh.devtoken", "users", env=stack.env)
    code, out = await _run(
        str(Path(sys.executable).parent / "grpcurl"), "-plaintext",
        "-H", f"authorization: Bearer {token.strip()}",
        "-H", f"x-user-authorization: Bearer {access}",
        "-d", '{"user_id": "me"}', stack.addresses["users"],
        "meshwork.users.v1.UsersService/GetUser",
    )  # fmt: skip
    assert code == 0, out
    assert json.loads(out)["user"]["email"] == "ada@example.com"


async def _run(*command: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode is not None
    return process.returncode, output.decode()
